/**
 * The quantize and report workflows end to end, pure: what the worker, the CLI
 * (`quantscope quantize` / `quantscope report`) and the UI call.
 *   quantize: raw samples → normalization (chosen, or the model's own MLTK parameters) →
 *             calibration + method choice → int8 model carrying the normalization → report.
 *   report:   int8 model (ours or anyone's) + its float model + samples → layer rows, CSV,
 *             whole-model metrics, advice.
 */
import type { Model } from '../model/ir.ts';
import { flattenKeras } from '../model/keras/graph.ts';
import type { KerasModel } from '../model/keras/types.ts';
import { writeTflite } from '../model/tflite-writer.ts';
import { prepare } from '../simulate/interpreter.ts';
import { normalizationOf, normalizeSample } from '../simulate/inputs/normalize.ts';
import {
  inputAdvice,
  inputStats,
  layerAdvice,
  structureAdvice,
  type Advice,
  type AdviceThresholds,
} from './advice.ts';
import { autoQuantize } from './auto-range.ts';
import { dequantizedOutputs } from './io-convert.ts';
import { layerErrors, layerErrorsCsv, type LayerErrorRow } from './layer-error.ts';
import { withNormalization, type InputNormalization } from './normalization.ts';
import type { BiasScaleAdjustment } from './bias-fit.ts';
import { layerNames, precisionPlan, type LayerSelection } from './layer-select.ts';
import { interiorPlan, type InteriorPrecision } from './lowering-interior.ts';
import { INT16_OP_VERSIONS, quantizeModelDetailed } from './quantize-model.ts';
import { int8OpLabel } from './rsqrt-refine.ts';
import { classifierOutput, outputMetrics, type OutputMetrics } from './output-metrics.ts';
import type { RangeMethod } from './ranges.ts';

export interface Progress {
  onProgress?: (stage: 'calibrate' | 'report', done: number, total: number) => void;
  isCancelled?: () => boolean;
}

export interface QuantReport {
  layers: LayerErrorRow[];
  csv: string;
  outputs: OutputMetrics;
  advice: Advice[];
}

export interface ReportRequest extends Progress {
  int8: Model;
  float: Model;
  /** Samples already normalized as the models expect (float32, per graph input). */
  samples: Float32Array[][];
  labels?: number[];
  /** The Keras source, for structure advice. */
  keras?: KerasModel;
  thresholds?: AdviceThresholds;
}

export function quantizationReport(req: ReportRequest): QuantReport {
  const tick = (done: number, total: number) => req.onProgress?.('report', done, total);
  const layers = layerErrors(req.int8, req.float, req.samples, {
    onProgress: tick,
    isCancelled: req.isCancelled,
  });
  const fpm = prepare(req.float);
  const floatOut = dequantizedOutputs(fpm, req.samples);
  const int8Out = dequantizedOutputs(prepare(req.int8), req.samples);
  const advice = [
    ...fpm.inputs.flatMap((t, i) => inputAdvice(t.name, inputStats(req.samples.map((s) => s[i])))),
    ...layerAdvice(layers, req.thresholds),
  ];
  if (req.keras) {
    const g = flattenKeras(req.keras.config);
    advice.push(...structureAdvice(g.nodes, g.outputs));
  }
  return {
    layers,
    csv: layerErrorsCsv(layers),
    outputs: outputMetrics(floatOut, int8Out, req.labels, {
      classifier: req.labels !== undefined || classifierOutput(req.float),
    }),
    advice,
  };
}

export interface QuantizeRequest extends Progress {
  /** Float TFLite IR (for Keras: kerasToTflite(keras)). */
  float: Model;
  keras?: KerasModel;
  /** Raw samples (before normalization), per graph input. */
  samples: Float32Array[][];
  /** Normalization to apply and record; omitted = the model's own MLTK parameters (or none). */
  norm?: InputNormalization;
  io?: 'int8' | 'float32';
  /** FULLY_CONNECTED weights per tensor (true) or per channel (false); absent = the better scored. */
  fcPerTensor?: boolean;
  /** 'auto' (default) scores min/max, percentile and MSE ranges and keeps the best. */
  method?: 'auto' | RangeMethod;
  labels?: number[];
  thresholds?: AdviceThresholds;
  /** Layers kept in float32 / put in int16x8 (names as the report shows them; layer-select.ts). */
  layers?: LayerSelection;
  /**
   * Interior of Keras layers lowered to several ops: 'int16' (default) or the converter's all-int8
   * form (lowering-interior.ts; CLI `--lowering-interior int8`).
   */
  loweringInterior?: InteriorPrecision;
}

/** Lowered layers whose interior runs in int16, and what that costs over the all-int8 form. */
export interface InteriorSummary {
  /** Keras layer paths. */
  layers: string[];
  /** Ops of those layers left in int8 (no int16 kernel in TFLite Micro), e.g. "ln: RSQRT". */
  int8Ops: string[];
  /** Extra model file bytes (flash) and arena bytes over the all-int8 interior. */
  modelBytes: number;
  arenaBytes: number;
}

/** A layer not in int8, as the report lists it. */
export interface LayerPrecision {
  /** Float model op index, op and layer name. */
  layer: number;
  op: string;
  name: string;
  precision: 'int16' | 'float32';
}

export interface QuantizeOutcome {
  model: Model;
  bytes: Uint8Array;
  method: RangeMethod;
  /** FULLY_CONNECTED weights per tensor (false: per channel, or no FULLY_CONNECTED layer). */
  fcPerTensor: boolean;
  scores: Record<string, number>;
  report: QuantReport;
  /** Layers in float32 or int16x8 (empty: all int8). */
  precision: LayerPrecision[];
  /** Bias channels whose weight scale was raised so the bias fits its accumulator (bias-fit.ts). */
  biasAdjustments: BiasScaleAdjustment[];
  /** What the model costs on a board: file size (flash) and the arena the core plans for it. */
  footprint: { modelBytes: number; arenaBytes: number };
  /** Lowered layers run with an int16 interior (none with `loweringInterior: 'int8'`). */
  interior: InteriorSummary;
}

export function quantizeWorkflow(req: QuantizeRequest): QuantizeOutcome {
  const norm = req.norm ?? normalizationOf(req.float.parameters) ?? { rescale: 0, meanAndStd: false };
  const active = norm.rescale !== 0 || norm.meanAndStd;
  const samples = req.samples.map((s) =>
    s.map((x) => (active ? normalizeSample(x, norm) : Float32Array.from(x))),
  );
  const methods: RangeMethod[] =
    !req.method || req.method === 'auto' ? ['minmax', 'percentile', 'mse'] : [req.method];
  const plan = precisionPlan(req.float, req.layers ?? {});
  const names = layerNames(req.float);
  const auto = autoQuantize(req.float, samples, {
    ...(plan.size > 0 ? { precision: plan } : {}),
    io: req.io,
    fcPerTensor: req.fcPerTensor,
    loweringInterior: req.loweringInterior,
    methods,
    onProgress: (d, t) => req.onProgress?.('calibrate', d, t),
    isCancelled: req.isCancelled,
  });
  const model = req.norm || active ? withNormalization(auto.model, norm) : auto.model;
  const report = quantizationReport({
    int8: model,
    float: req.float,
    samples,
    labels: req.labels,
    keras: req.keras,
    thresholds: req.thresholds,
    onProgress: req.onProgress,
    isCancelled: req.isCancelled,
  });
  const bytes = writeTflite(model);
  const footprint = { modelBytes: bytes.length, arenaBytes: prepare(model).arenaBytes };
  return {
    model,
    bytes,
    footprint,
    interior: interiorSummary(req, auto, plan, norm, footprint),
    method: auto.method,
    fcPerTensor: auto.fcPerTensor,
    scores: auto.scores,
    report,
    precision: [...plan]
      .sort((a, b) => a[0] - b[0])
      .map(([i, p]) => ({ layer: i, op: names[i].op, name: names[i].name, precision: p })),
    biasAdjustments: auto.biasAdjustments,
  };
}

/**
 * The int16-interior layers of a quantized model and their cost: the same ranges quantized with
 * the all-int8 interior, its file and arena compared with the kept model's.
 */
function interiorSummary(
  req: QuantizeRequest,
  auto: ReturnType<typeof autoQuantize>,
  plan: Map<number, 'int16' | 'float32'>,
  norm: InputNormalization,
  footprint: { modelBytes: number; arenaBytes: number },
): InteriorSummary {
  const interior = interiorPlan(req.float, req.loweringInterior ?? 'int16', INT16_OP_VERSIONS, plan);
  if (interior.layers.length === 0) return { layers: [], int8Ops: [], modelBytes: 0, arenaBytes: 0 };
  const int8 = quantizeModelDetailed(req.float, auto.ranges, {
    ...(plan.size > 0 ? { precision: plan } : {}),
    io: req.io,
    fcPerTensor: auto.fcPerTensor,
    loweringInterior: 'int8',
  }).model;
  const active = norm.rescale !== 0 || norm.meanAndStd;
  const base = req.norm || active ? withNormalization(int8, norm) : int8;
  return {
    layers: interior.layers.map((l) => l.layer),
    int8Ops: interior.layers
      .filter((l) => l.int8Ops.length > 0)
      .map((l) => `${l.layer}: ${l.int8Ops.map(int8OpLabel).join(', ')}`),
    modelBytes: footprint.modelBytes - writeTflite(base).length,
    arenaBytes: footprint.arenaBytes - prepare(base).arenaBytes,
  };
}
