/**
 * Worker tasks `quantize.run` and `quantize.report`: read the float model (.tflite, or Keras .h5
 * converted to the float TFLite IR), turn the data files into samples, run the core workflow and
 * return the int8 model bytes with the report. Progress goes out per calibration sample and per
 * report sample; cancel is the job runner terminating the worker. The CLI calls the same
 * functions in-process.
 */
import { ModelFormatError } from '../../core/model/errors.ts';
import type { Model } from '../../core/model/ir.ts';
import { detectFormat } from '../../core/model/formats.ts';
import { readKeras } from '../../core/model/keras/read.ts';
import { kerasToTflite } from '../../core/model/keras/to-tflite.ts';
import type { KerasModel } from '../../core/model/keras/types.ts';
import { readTflite } from '../../core/model/tflite-reader.ts';
import { parseNormalization } from '../../core/quantize/normalization.ts';
import { quantizationReport, quantizeWorkflow, type Progress } from '../../core/quantize/pipeline.ts';
import type { RangeMethod } from '../../core/quantize/ranges.ts';
import { layerHistograms } from '../../core/report/quant-histograms.ts';
import {
  DEFAULT_THRESHOLDS,
  type AdviceThresholds,
  type QuantizationReport,
} from '../../core/report/quant-types.ts';
import { normalizationOf, normalizeSample } from '../../core/simulate/inputs/normalize.ts';
import { ServiceError } from '../errors.ts';
import type { TaskContext } from '../jobs/messages.ts';
import { samplesFromFiles, type DataFile } from './samples.ts';

/** Histograms use the first few samples: enough for the shape of a distribution, cheap to send. */
const HISTOGRAM_SAMPLES = 4;

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

export interface QuantizePayload {
  model: NamedBytes;
  data: DataFile[];
  /** none | rescale:C | meanstd; absent = the model's own parameters (or none). */
  norm?: string;
  io?: 'int8' | 'float32';
  fcPerTensor?: boolean;
  method?: 'auto' | RangeMethod;
  /** Layers kept in float32 / put in int16x8 (names as the report shows them, or 'all'). */
  keepFloat?: string[];
  int16?: string[] | 'all';
  /** Interior of multi-op Keras lowerings: 'int16' (default) or the converter's all-int8 form. */
  loweringInterior?: 'int16' | 'int8';
  thresholds?: AdviceThresholds;
  /** Use at most this many samples (the first ones). */
  maxSamples?: number;
}

export interface QuantizeTaskResult {
  /** Suggested file name of the int8 model, e.g. `image_example1.int8.tflite`. */
  name: string;
  bytes: Uint8Array;
  report: QuantizationReport;
}

export interface ReportPayload {
  int8: NamedBytes;
  float: NamedBytes;
  data: DataFile[];
  thresholds?: AdviceThresholds;
  maxSamples?: number;
}

type Ctx = Pick<TaskContext, 'progress'>;

export async function readFloatModel(m: NamedBytes): Promise<{ float: Model; keras?: KerasModel }> {
  try {
    // By content (an .h5 of other bytes gets the TFLite reader's "looks like …" message).
    const format = detectFormat(m.bytes);
    if (format === 'keras-h5' || format === 'keras' || (format === null && /\.keras$/i.test(m.name))) {
      const keras = await readKeras(m.bytes);
      return { float: kerasToTflite(keras), keras };
    }
    return { float: readTflite(m.bytes) };
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new ServiceError(
      e instanceof ModelFormatError ? 'MALFORMED_MODEL' : 'UNSUPPORTED',
      `${m.name}: ${msg}`,
    );
  }
}

/** The default file name of the int8 model made from `floatName`. */
export function int8Name(floatName: string): string {
  return floatName.replace(/(\.float32)?\.(tflite|h5|keras)$/i, '') + '.int8.tflite';
}

function limit<T>(xs: T[], n?: number): T[] {
  return n && n > 0 && xs.length > n ? xs.slice(0, n) : xs;
}

/** Core errors (bad shapes, unsupported ops) as clear BAD_ARGUMENT / UNSUPPORTED errors. */
function wrap(label: string, e: unknown): unknown {
  if (e instanceof ServiceError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new ServiceError(
    /not supported|unsupported/i.test(msg) ? 'UNSUPPORTED' : 'BAD_ARGUMENT',
    `${label}: ${msg}`,
  );
}

function progressOf(ctx: Ctx, base: number): Progress['onProgress'] {
  // calibrate: 0.05–0.65, report: 0.65–0.95, histograms to 1
  return (stage, done, total) => {
    const f = done / Math.max(1, total);
    if (stage === 'calibrate') ctx.progress(base + 0.6 * f, `Calibrating: ${done}/${total}`);
    else ctx.progress(0.65 + 0.3 * f, `Report: sample ${done}/${total}`);
  };
}

export async function quantizeTask(p: QuantizePayload, ctx: Ctx): Promise<QuantizeTaskResult> {
  ctx.progress(0, `Reading ${p.model.name}`);
  const { float, keras } = await readFloatModel(p.model);
  const sg = float.subgraphs[0];
  const data = samplesFromFiles(
    p.data,
    sg.inputs.map((i) => sg.tensors[i]),
  );
  // Data sorted by file name or by value (a CSV of x over [0, 2π]) is interleaved so that
  // `maxSamples` takes a spread-out subset and autoQuantize's held-back quarter, which picks the
  // range method, is representative (the final ranges come from every sample either way).
  const order = interleaved(Math.min(data.samples.length, p.maxSamples || Infinity));
  const samples = order.map((i) => data.samples[i]);
  const labels = data.labels ? order.map((i) => data.labels![i]) : undefined;
  const norm = p.norm !== undefined ? wrapNorm(p.norm) : undefined;
  ctx.progress(0.05, `Calibrating on ${samples.length} samples`);
  const thresholds = { ...DEFAULT_THRESHOLDS, ...p.thresholds };
  let out;
  try {
    out = quantizeWorkflow({
      float,
      keras,
      samples,
      norm,
      io: p.io,
      fcPerTensor: p.fcPerTensor,
      method: p.method,
      ...(p.keepFloat || p.int16 ? { layers: { keepFloat: p.keepFloat, int16: p.int16 } } : {}),
      ...(p.loweringInterior ? { loweringInterior: p.loweringInterior } : {}),
      labels,
      thresholds,
      onProgress: progressOf(ctx, 0.05),
    });
  } catch (e) {
    throw wrap(p.model.name, e);
  }
  ctx.progress(0.95, 'Histograms');
  const used = norm ?? normalizationOf(float.parameters) ?? { rescale: 0, meanAndStd: false };
  const active = used.rescale !== 0 || used.meanAndStd;
  const normalized = samples
    .slice(0, HISTOGRAM_SAMPLES)
    .map((s) => s.map((x) => (active ? normalizeSample(x, used) : x)));
  const name = int8Name(p.model.name);
  const report: QuantizationReport = {
    model: name,
    floatModel: p.model.name,
    samples: samples.length,
    method: out.method,
    fcPerTensor: out.fcPerTensor,
    scores: out.scores,
    normalization: { rescale: used.rescale, meanAndStd: used.meanAndStd },
    io: p.io ?? 'int8',
    precision: out.precision,
    biasAdjustments: out.biasAdjustments,
    footprint: out.footprint,
    interior: out.interior,
    thresholds,
    layers: out.report.layers,
    outputs: out.report.outputs,
    advice: out.report.advice,
    histograms: layerHistograms(out.model, float, normalized),
  };
  ctx.progress(1, 'Done');
  return { name, bytes: out.bytes, report };
}

/** 0..n-1 in a fixed shuffled order (xorshift32 Fisher–Yates): deterministic, unbiased by sorting. */
function interleaved(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let x = 0x9e3779b9;
  for (let i = n - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function wrapNorm(spec: string) {
  try {
    return parseNormalization(spec);
  } catch (e) {
    throw new ServiceError('BAD_ARGUMENT', e instanceof Error ? e.message : String(e));
  }
}

export async function reportTask(p: ReportPayload, ctx: Ctx): Promise<QuantizationReport> {
  ctx.progress(0, `Reading ${p.float.name} and ${p.int8.name}`);
  const { float, keras } = await readFloatModel(p.float);
  let int8: Model;
  try {
    int8 = readTflite(p.int8.bytes);
  } catch (e) {
    throw new ServiceError(
      'MALFORMED_MODEL',
      `${p.int8.name}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const sg = float.subgraphs[0];
  const data = samplesFromFiles(
    p.data,
    sg.inputs.map((i) => sg.tensors[i]),
  );
  const raw = limit(data.samples, p.maxSamples);
  const labels = data.labels ? limit(data.labels, p.maxSamples) : undefined;
  // The int8 model's own parameters say how its inputs are normalized (MLTK models carry them).
  const norm = normalizationOf(int8.parameters) ?? normalizationOf(float.parameters);
  const samples = norm ? raw.map((s) => s.map((x) => normalizeSample(x, norm))) : raw;
  const thresholds = { ...DEFAULT_THRESHOLDS, ...p.thresholds };
  let rep;
  try {
    rep = quantizationReport({
      int8,
      float,
      samples,
      labels,
      keras,
      thresholds,
      onProgress: progressOf(ctx, 0.05),
    });
  } catch (e) {
    throw wrap(`${p.int8.name} vs ${p.float.name}`, e);
  }
  ctx.progress(0.95, 'Histograms');
  const report: QuantizationReport = {
    model: p.int8.name,
    floatModel: p.float.name,
    samples: samples.length,
    ...(norm ? { normalization: { rescale: norm.rescale, meanAndStd: norm.meanAndStd } } : {}),
    thresholds,
    layers: rep.layers,
    outputs: rep.outputs,
    advice: rep.advice,
    histograms: layerHistograms(int8, float, samples.slice(0, HISTOGRAM_SAMPLES)),
  };
  ctx.progress(1, 'Done');
  return report;
}
