/**
 * The model-level side of the quantization report as CSV (`--report NAME.metrics.csv`): one
 * `metric,value` row per whole-model metric, the footprint, then one row per layer not in int8 and
 * per bias channel whose weight scale was raised. The per-layer CSV stays exactly MLTK's 12 columns
 * (quant-csv.ts), so MLTK's readers keep working; this is its companion.
 */
import type { QuantizationReport } from './quant-types.ts';

const cell = (v: string | number | undefined) => {
  const s =
    v === undefined
      ? ''
      : typeof v === 'number' && !Number.isFinite(v)
        ? v > 0
          ? 'inf'
          : '-inf'
        : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function quantMetricsCsv(r: QuantizationReport): string {
  const o = r.outputs;
  const rows: [string, string | number | undefined][] = [
    ['model', r.model],
    ['float_model', r.floatModel],
    ['samples', o.samples],
    ['task', o.task],
    ['rmse', o.rmse],
    ['mae', o.mae],
    ['relative_l2', o.relative_l2],
    ['cosine_similarity', o.cosine_similarity],
    ['snr_db', o.snr_db],
    ['nse', o.nse],
  ];
  if (o.top1_agreement !== undefined) rows.push(['top1_agreement', o.top1_agreement]);
  if (o.accuracy_float !== undefined) rows.push(['accuracy_float', o.accuracy_float]);
  if (o.accuracy_int8 !== undefined) rows.push(['accuracy_int8', o.accuracy_int8]);
  if (r.footprint)
    rows.push(['model_bytes', r.footprint.modelBytes], ['arena_bytes', r.footprint.arenaBytes]);
  for (const p of r.precision ?? []) rows.push([`layer ${p.layer} ${p.op} '${p.name}'`, p.precision]);
  for (const a of r.biasAdjustments ?? [])
    rows.push([
      `bias fit layer ${a.layer} ${a.op} channel ${a.channel}`,
      `weight scale ${a.oldScale} -> ${a.newScale}`,
    ]);
  return ['metric,value', ...rows.map(([k, v]) => `${cell(k)},${cell(v)}`)].join('\n') + '\n';
}
