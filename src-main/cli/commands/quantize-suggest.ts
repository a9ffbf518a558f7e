/**
 * `quantscope quantize FLOAT_MODEL --data DATA --suggest --target-snr DB|--target-rmse X
 *  [--suggest-mode float|int16] [--out M.tflite] [--report R]`: quantize, then let Suggest
 * (core/quantize/suggest.ts) pick the layers to keep in float32 or put in int16x8 until the
 * model-level error meets the target, re-quantizing through the same task at every step (with the
 * range method and Dense weights the first run chose). Prints the steps, the chosen layers and the
 * metrics and footprint before/after; writes the model only with --out, and only when the target
 * is met (an unmet target exits 1 and says so).
 */
import { basename } from 'node:path';
import type { LayerSelection } from '../../core/quantize/layer-select.ts';
import type { OutputMetrics } from '../../core/quantize/output-metrics.ts';
import { suggestLayers, type SuggestMode, type SuggestTarget } from '../../core/quantize/suggest.ts';
import { writeFileAtomic } from '../../services/atomic-write.ts';
import { ServiceError } from '../../services/errors.ts';
import { checkOutputPaths } from '../../services/output-path.ts';
import { quantFormatOf } from '../../services/quantize/export.ts';
import { quantizeTask, type QuantizePayload } from '../../services/quantize/quantize-task.ts';
import { stderrProgress, writeReport } from './quant-common.ts';

export interface SuggestOptions {
  targetSnr?: string;
  targetRmse?: string;
  suggestMode?: string;
  out?: string;
  report?: string;
  quiet?: boolean;
  force?: boolean;
}

/** The target and mode from the flags, or a usage error naming the flag. */
export function suggestTarget(o: SuggestOptions): { target: SuggestTarget; mode: SuggestMode } {
  if ((o.targetSnr === undefined) === (o.targetRmse === undefined))
    throw new ServiceError(
      'BAD_ARGUMENT',
      '--suggest needs exactly one of --target-snr DB or --target-rmse X',
    );
  const mode = o.suggestMode ?? 'float';
  if (mode !== 'float' && mode !== 'int16')
    throw new ServiceError('BAD_ARGUMENT', `--suggest-mode ${mode}: expected float or int16`);
  if (o.targetRmse !== undefined) {
    const v = Number(o.targetRmse);
    if (o.targetRmse.trim() === '' || !Number.isFinite(v) || v < 0)
      throw new ServiceError('BAD_ARGUMENT', `--target-rmse ${o.targetRmse}: expected a number ≥ 0`);
    return { target: { rmse: v }, mode };
  }
  const v = Number(o.targetSnr);
  if (o.targetSnr!.trim() === '' || !Number.isFinite(v))
    throw new ServiceError('BAD_ARGUMENT', `--target-snr ${o.targetSnr}: expected a number of dB`);
  return { target: { snrDb: v }, mode };
}

const snr = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} dB` : `${v > 0 ? '' : '-'}inf dB`);
const metricsLine = (o: OutputMetrics) =>
  `rmse ${o.rmse.toPrecision(4)}, mae ${o.mae.toPrecision(4)}, relative L2 ${o.relative_l2.toPrecision(4)}, cosine ${o.cosine_similarity.toFixed(5)}, SNR ${snr(o.snr_db)}, NSE ${o.nse.toFixed(5)}` +
  (o.top1_agreement !== undefined ? `, top-1 agreement ${(o.top1_agreement * 100).toFixed(1)} %` : '');

export async function suggestCommand(
  modelPath: string,
  payload: QuantizePayload,
  o: SuggestOptions,
): Promise<void> {
  const { target, mode } = suggestTarget(o);
  // outputs are checked before any work; nothing is written without --out
  const outs = await checkOutputPaths(
    [
      ...(o.out ? [{ flag: '--out', path: o.out }] : []),
      ...(o.report ? [{ flag: '--report', path: o.report }] : []),
    ],
    o.force,
  );
  if (o.report) quantFormatOf(o.report);
  const progress = stderrProgress(o.quiet);
  const start = await quantizeTask(payload, progress);
  const pinned: QuantizePayload = {
    ...payload,
    method: start.report.method,
    fcPerTensor: start.report.fcPerTensor,
  };
  const base: LayerSelection = {
    ...(payload.keepFloat ? { keepFloat: payload.keepFloat } : {}),
    ...(payload.int16 ? { int16: payload.int16 } : {}),
  };
  const s = await suggestLayers({
    start,
    target,
    mode,
    base,
    requantize: (sel) => {
      if (!o.quiet) process.stderr.write(`suggest: trying ${JSON.stringify(sel)}\n`);
      return quantizeTask({ ...pinned, keepFloat: sel.keepFloat, int16: sel.int16 }, { progress() {} });
    },
  });
  const fp = (r: typeof start) =>
    r.report.footprint
      ? `model ${r.report.footprint.modelBytes} bytes, arena ${r.report.footprint.arenaBytes} bytes`
      : '';
  const lines = [
    `suggest (${mode === 'float' ? 'keep in float32' : 'int16x8'}, greedy by accumulated RMSE, range method ${start.report.method}): ${s.message}`,
    ...s.steps.map(
      (st) =>
        `  ${st.action === 'add' ? 'try' : 'without'} '${st.layer}': ${s.metric === 'rmse' ? `rmse ${st.value.toPrecision(4)}` : `SNR ${snr(st.value)}`} → ${
          st.accepted
            ? st.action === 'add'
              ? 'kept'
              : 'left out'
            : st.action === 'add'
              ? 'no better, dropped'
              : 'needed'
        }`,
    ),
    `chosen: ${s.layers.length ? s.layers.join(' ') : '(none)'}`,
    `before: ${metricsLine(s.before)}; ${fp(start)}`,
    `after:  ${metricsLine(s.after)}; ${fp(s.final)}`,
  ];
  if (s.met && o.out) {
    await writeFileAtomic(outs[0], s.final.bytes, { overwrite: Boolean(o.force) });
    s.final.report.model = basename(outs[0]);
    lines.push(`${basename(modelPath)} → ${outs[0]} (${s.final.bytes.length} bytes)`);
  } else if (s.met) lines.push('model not written (give --out to write it)');
  if (s.met && o.report) lines.push(`report: ${await writeReport(s.final.report, o.report, o.force)}`);
  process.stdout.write(lines.join('\n') + '\n');
  if (!s.met) throw new ServiceError('BAD_ARGUMENT', `${s.message} Nothing was written.`);
}
