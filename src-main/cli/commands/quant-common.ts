/** Shared by `quantscope quantize` and `quantscope report`: file reading, progress on stderr, report writing. */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { QuantizationReport } from '../../core/report/quant-types.ts';
import { interiorLine } from '../../core/report/quant-html.ts';
import { ServiceError } from '../../services/errors.ts';
import { exportQuantReport } from '../../services/quantize/export.ts';
import type { NamedBytes } from '../../services/quantize/quantize-task.ts';

export async function readNamed(path: string, what: string): Promise<NamedBytes> {
  const p = resolve(path);
  const b = await readFile(p).catch((e: NodeJS.ErrnoException) => {
    throw new ServiceError(
      'NOT_FOUND',
      e.code === 'ENOENT' ? `No such ${what}: ${p}` : `Cannot read ${p}: ${e.message}`,
    );
  });
  return { name: basename(p), bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
}

/**
 * Progress lines on stderr: the first line of every stage (the message's first word), then at most
 * every 300 ms within a stage, and always the last (fast runs still show each stage once).
 */
export function stderrProgress(quiet = false): { progress(fraction: number, message: string): void } {
  let last = 0;
  let lastStage = '';
  return {
    progress(fraction, message) {
      if (quiet) return;
      const now = Date.now();
      const stage = /^[A-Za-z]*/.exec(message)![0];
      if (fraction < 1 && now - last < 300 && stage === lastStage) return;
      last = now;
      lastStage = stage;
      process.stderr.write(`[${String(Math.round(fraction * 100)).padStart(3)}%] ${message}\n`);
    },
  };
}

export function thresholdsOf(o: { maxRmseScale?: string; maxRange?: string }): {
  rmseOverScale?: number;
  range?: number;
} {
  const num = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n))
      throw new ServiceError('BAD_ARGUMENT', `${flag} expects a positive number, got '${v}'`);
    return n;
  };
  const out: { rmseOverScale?: number; range?: number } = {};
  const r = num(o.maxRmseScale, '--max-rmse-scale');
  const g = num(o.maxRange, '--max-range');
  if (r !== undefined) out.rmseOverScale = r;
  if (g !== undefined) out.range = g;
  return out;
}

export function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new ServiceError('BAD_ARGUMENT', `${flag} expects a positive integer, got '${v}'`);
  return n;
}

/** Writes the report atomically; an existing file is replaced only with `force` (checked before the work too). */
export async function writeReport(r: QuantizationReport, path: string, force = false): Promise<string> {
  const w = await exportQuantReport(r, path, undefined, { overwrite: force });
  return w.path;
}

/** A short summary for stdout. */
export function summaryLines(r: QuantizationReport): string[] {
  const o = r.outputs;
  const flagged = r.advice.filter((a) => a.kind === 'rmse_over_scale' || a.kind === 'range');
  const snr = Number.isFinite(o.snr_db) ? `${o.snr_db.toFixed(2)} dB` : `${o.snr_db > 0 ? '' : '-'}inf dB`;
  return [
    `samples: ${r.samples}${r.method ? `, range method: ${r.method}` : ''}` +
      (r.footprint ? `, model ${r.footprint.modelBytes} bytes, arena ${r.footprint.arenaBytes} bytes` : ''),
    `outputs (${o.task}): rmse ${o.rmse.toPrecision(4)}, mae ${o.mae.toPrecision(4)}, relative L2 ${o.relative_l2.toPrecision(4)}, cosine ${o.cosine_similarity.toFixed(5)}, SNR ${snr}, NSE ${o.nse.toFixed(5)}` +
      (o.top1_agreement !== undefined ? `, top-1 agreement ${(o.top1_agreement * 100).toFixed(1)} %` : '') +
      (o.accuracy_int8 !== undefined
        ? `, accuracy float ${(o.accuracy_float! * 100).toFixed(1)} % / int8 ${(o.accuracy_int8 * 100).toFixed(1)} %`
        : ''),
    ...(r.precision ?? []).map(
      (p) =>
        `  ${p.precision === 'float32' ? 'kept float32' : 'int16x8'}: layer ${p.layer} ${p.op} '${p.name}'`,
    ),
    ...(r.interior && r.interior.layers.length > 0 ? [`  ${interiorLine(r.interior)}`] : []),
    ...(r.biasAdjustments ?? []).map(
      (a) =>
        `  bias fit: layer ${a.layer} ${a.op} channel ${a.channel}: weight scale ${a.oldScale.toPrecision(4)} -> ${a.newScale.toPrecision(4)} (weight rmse ${a.weightRmseBefore.toPrecision(3)} -> ${a.weightRmse.toPrecision(3)}; clamping the bias would have cost ${a.clampedBiasError.toPrecision(3)})`,
    ),
    `layers: ${r.layers.length}, flagged: ${new Set(flagged.map((a) => a.layer)).size}`,
    ...r.advice.map((a) => `  advice [${a.layer === null ? 'input' : a.layer}] ${a.message}`),
  ];
}
