/**
 * The quantization report as one self-contained HTML page: settings, whole-model metrics, the
 * advice, the rmse/scale and range charts (inline SVG) and the per-layer table with the MLTK
 * columns plus the accumulated error; rows over a threshold are flagged.
 */
import { escapeXml, fmt } from './escape.ts';
import type { ReportMeta } from './json.ts';
import { rangeChartSvg, rmseChartSvg } from './quant-svg.ts';
import { layerFlags, type QuantizationReport } from './quant-types.ts';

const CSS = `
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:24px 0 8px}
.muted{color:#59636e}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
table{border-collapse:collapse;font-size:12px;display:block;max-width:100%;overflow-x:auto}th,td{padding:3px 8px;border-bottom:1px solid #e3e6ea;text-align:right;background:#fff}
th{background:#f4f6f8}td.l,th.l{text-align:left}tr>:first-child{position:sticky;left:0;z-index:1}
tr.flag td{background:#fff1f0}td.name{min-width:180px;max-width:260px;white-space:normal;overflow-wrap:anywhere}.bad{color:#c62828;font-weight:600}
@page{size:A4 landscape;margin:10mm}@media print{body{margin:0}table{display:table;font-size:9px}tr>:first-child{position:static}tr{break-inside:avoid}}
.metrics{display:flex;gap:12px;flex-wrap:wrap}.metric{border:1px solid #e3e6ea;border-radius:6px;padding:8px 12px;min-width:110px}
.metric b{display:block;font-size:16px}
svg.chart{display:block;margin:8px 0;font:10px system-ui,sans-serif}svg .title{font-size:12px;font-weight:600}
svg .bar{fill:#4c78a8}svg .bar.over{fill:#d62728}svg .axis{stroke:#888}svg .tick{fill:#59636e}
svg .ref{stroke:#2ca02c;stroke-dasharray:4 3}svg .limit{stroke:#d62728;stroke-dasharray:2 2}
ul.advice li{margin:3px 0}table.confusion td.diag{background:#eef6ee;font-weight:600}`;

function metric(label: string, value: string): string {
  return `<div class="metric"><span class="muted">${escapeXml(label)}</span><b>${escapeXml(value)}</b></div>`;
}

/** One line naming the layers with an int16 interior and what it costs (also the CLI summary's). */
export function interiorLine(i: NonNullable<QuantizationReport['interior']>): string {
  return (
    `int16 interior in ${i.layers.length} lowered layer${i.layers.length === 1 ? '' : 's'} (${i.layers.join(', ')}): ` +
    `+${i.modelBytes} bytes model, +${i.arenaBytes} bytes arena over all-int8` +
    (i.int8Ops.length > 0
      ? `; left int8 inside (no int16 kernel in TFLite Micro): ${i.int8Ops.join('; ')}`
      : '')
  );
}

export function quantHtml(r: QuantizationReport, meta: ReportMeta): string {
  const o = r.outputs;
  const flagged = r.layers.filter((l) => {
    const f = layerFlags(l, r.thresholds);
    return f.rmse || f.range;
  }).length;
  const settings = [
    `${r.samples} samples`,
    r.method ? `range method ${r.method}` : '',
    r.fcPerTensor ? 'per-tensor Dense weights' : '',
    r.io ? `I/O ${r.io}` : '',
    r.footprint ? `${r.footprint.modelBytes} bytes model, ${r.footprint.arenaBytes} bytes arena` : '',
    r.interior && r.interior.layers.length > 0 ? interiorLine(r.interior) : '',
    r.normalization
      ? r.normalization.meanAndStd
        ? `normalization mean/std${r.normalization.rescale ? ` after ×${fmt(r.normalization.rescale)}` : ''}`
        : r.normalization.rescale
          ? `normalization ×${fmt(r.normalization.rescale)}`
          : 'no normalization'
      : '',
  ].filter(Boolean);
  const metrics = [
    metric('output RMSE', fmt(o.rmse)),
    metric('MAE', fmt(o.mae)),
    metric('relative L2', fmt(o.relative_l2)),
    metric('cosine similarity', fmt(o.cosine_similarity)),
    metric('SNR', Number.isFinite(o.snr_db) ? `${fmt(o.snr_db)} dB` : `${o.snr_db > 0 ? '∞' : '−∞'} dB`),
    metric('NSE', fmt(o.nse)),
    ...(o.top1_agreement !== undefined
      ? [metric('top-1 agreement', `${fmt(o.top1_agreement * 100)} %`)]
      : []),
    ...(o.accuracy_float !== undefined ? [metric('accuracy float', `${fmt(o.accuracy_float * 100)} %`)] : []),
    ...(o.accuracy_int8 !== undefined ? [metric('accuracy int8', `${fmt(o.accuracy_int8 * 100)} %`)] : []),
    metric('flagged layers', `${flagged} / ${r.layers.length}`),
  ];
  const rows = r.layers.map((l) => {
    const f = layerFlags(l, r.thresholds);
    const c = (v: number, bad = false) => `<td${bad ? ' class="bad"' : ''}>${fmt(v)}</td>`;
    return `<tr${f.rmse || f.range ? ' class="flag"' : ''}><td>${l.op_index}</td><td class="l">${escapeXml(l.op_name)}</td><td class="l">${escapeXml(l.dtype ?? 'int8')}</td><td>${l.tensor_idx}</td><td class="l mono name" title="${escapeXml(l.tensor_name)}">${escapeXml(l.tensor_name)}</td>${c(l.num_elements)}${c(l.stddev)}${c(l.mean_error)}${c(l.max_abs_error)}${c(l.mean_squared_error)}${c(l.scale)}${c(l.zero_point)}${c(l.range, f.range)}${c(l.rmse_over_scale, f.rmse)}${c(l.accumulated_rmse)}${c(l.accumulated_max_abs_error)}</tr>`;
  });
  const advice = r.advice.length
    ? `<ul class="advice">${r.advice.map((a) => `<li><span class="mono muted">${a.layer === null ? 'input' : escapeXml(String(a.layer))}</span> ${escapeXml(a.message)}</li>`).join('')}</ul>`
    : '<p class="muted">No advice: every layer is within the thresholds.</p>';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Quantization report — ${escapeXml(r.model)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${CSS}</style></head><body>
<h1>Quantization report — <span class="mono">${escapeXml(r.model)}</span></h1>
<p class="muted">Float model <span class="mono">${escapeXml(r.floatModel)}</span> · ${escapeXml(settings.join(' · '))} · thresholds rmse/scale &gt; ${r.thresholds.rmseOverScale}, range &gt; ${r.thresholds.range} · ${escapeXml(meta.tool)} · ${escapeXml(meta.generatedAt)}</p>
<h2>Whole model (outputs, int8 vs float)</h2><div class="metrics">${metrics.join('')}</div>
<p class="muted">${o.task === 'classification' ? 'Scored as a classifier (SOFTMAX output, or labels given): top-1 agreement and confusion matrix.' : 'Scored as a regression output (no SOFTMAX output, no labels): no top-1.'} SNR = 10·log10(Σf² / Σ(q−f)²); NSE = 1 − Σ(q−f)² / Σ(f − mean f)².</p>
${confusionHtml(r)}${precisionHtml(r)}${biasHtml(r)}
<h2>Advice</h2>${advice}
<h2>Charts</h2>${rmseChartSvg(r)}${rangeChartSvg(r)}
<h2>Layers</h2><p class="muted">Local error: each int8 op vs the float op run on its dequantized int8 inputs (TFLite QuantizationDebugger), averaged over samples. Accumulated: float model vs int8 model at the same tensor.</p>
<table><thead><tr><th>op</th><th class="l">op_name</th><th class="l">type</th><th>tensor_idx</th><th class="l">tensor_name</th><th>num_elements</th><th>stddev</th><th>mean_error</th><th>max_abs_error</th><th>mean_squared_error</th><th>scale</th><th>zero_point</th><th>range</th><th>rmse/scale</th><th>acc. RMSE</th><th>acc. max |err|</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</body></html>
`;
}

function confusionHtml(r: QuantizationReport): string {
  const c = r.outputs.confusion;
  if (!c) return '';
  const k = c.matrix.length;
  const head = Array.from({ length: k }, (_, j) => `<th>${j}</th>`).join('');
  const body = c.matrix
    .map(
      (row, i) =>
        `<tr><th>${i}</th>${row.map((v, j) => `<td${i === j ? ' class="diag"' : ''}>${v}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<h2>Confusion matrix</h2><p class="muted">Rows: ${c.rows === 'label' ? 'true label' : 'float model top-1'}; columns: quantized model top-1.</p><table class="confusion"><thead><tr><th></th>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function precisionHtml(r: QuantizationReport): string {
  if (!r.precision || r.precision.length === 0) return '';
  const rows = r.precision
    .map(
      (p) =>
        `<tr><td>${p.layer}</td><td class="l">${escapeXml(p.op)}</td><td class="l mono">${escapeXml(p.name)}</td><td class="l">${p.precision === 'float32' ? 'float32 (kept float)' : 'int16x8'}</td></tr>`,
    )
    .join('');
  return `<h2>Layers not in int8</h2><table><thead><tr><th>layer</th><th class="l">op</th><th class="l">name</th><th class="l">precision</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function biasHtml(r: QuantizationReport): string {
  if (!r.biasAdjustments || r.biasAdjustments.length === 0) return '';
  const rows = r.biasAdjustments
    .map(
      (a) =>
        `<tr><td>${a.layer}</td><td class="l">${escapeXml(a.op)}</td><td class="l mono">${escapeXml(a.tensor)}</td><td>${a.channel}</td><td>${fmt(a.oldScale)}</td><td>${fmt(a.newScale)}</td><td>${fmt(a.weightRmseBefore)}</td><td>${fmt(a.weightRmse)}</td><td>${fmt(a.clampedBiasError)}</td></tr>`,
    )
    .join('');
  return `<h2>Bias channels with a raised weight scale</h2><p class="muted">The bias did not fit at input scale × weight scale; the channel's weight scale was raised until it did (as the TFLite converter does). Cost: the channel's weight RMSE at the old and new scale; avoided: the bias error clamping would have caused.</p><table><thead><tr><th>layer</th><th class="l">op</th><th class="l">weights</th><th>channel</th><th>old scale</th><th>new scale</th><th>weight RMSE before</th><th>weight RMSE after</th><th>clamped-bias error avoided</th></tr></thead><tbody>${rows}</tbody></table>`;
}
