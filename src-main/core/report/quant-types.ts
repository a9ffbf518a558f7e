/**
 * The quantization report as one plain object: what the quantize/report jobs return, the Report
 * view shows and the CSV/HTML/JSON exporters write. Per-layer rows are the MLTK columns plus the
 * accumulated error; histograms compare float and dequantized int8 values of each layer output.
 */
import type { Advice, AdviceThresholds } from '../quantize/advice.ts';
import type { BiasScaleAdjustment } from '../quantize/bias-fit.ts';
import type { InteriorSummary, LayerPrecision } from '../quantize/pipeline.ts';
import type { LayerErrorRow } from '../quantize/layer-error.ts';
import type { OutputMetrics } from '../quantize/output-metrics.ts';
import type { RangeMethod } from '../quantize/ranges.ts';

export type {
  Advice,
  AdviceThresholds,
  BiasScaleAdjustment,
  LayerErrorRow,
  LayerPrecision,
  OutputMetrics,
  RangeMethod,
};

export interface LayerHistogram {
  /** int8 op index (matches LayerErrorRow.op_index). */
  op_index: number;
  /** Shared bin edges: `bins` equal bins over [min, max]. */
  min: number;
  max: number;
  /** Counts of the float model's values at this tensor (float op on the float graph). */
  float: number[];
  /** Counts of the int8 model's dequantized values at this tensor. */
  int8: number[];
}

export interface QuantizationReport {
  /** The int8 model the report describes. */
  model: string;
  floatModel: string;
  /** Calibration/report samples used. */
  samples: number;
  /** Range method kept (quantize only) and the output RMSE each candidate scored. */
  method?: RangeMethod;
  /** Dense weights per tensor (quantize only; false = per channel or no Dense layer). */
  fcPerTensor?: boolean;
  scores?: Record<string, number>;
  /** Input normalization recorded in the model (quantize only). */
  normalization?: { rescale: number; meanAndStd: boolean };
  io?: 'int8' | 'float32';
  /** Layers kept in float32 or put in int16x8 (quantize only; absent or empty: every layer int8). */
  precision?: LayerPrecision[];
  /**
   * Bias channels whose weight scale was raised so the bias fits int32 (int64 for int16x8), with
   * the old and new scale and the cost (quantize only; bias-fit.ts).
   */
  biasAdjustments?: BiasScaleAdjustment[];
  /** Model file size (flash) and the arena the core plans for it (quantize only). */
  footprint?: { modelBytes: number; arenaBytes: number };
  /**
   * Keras layers lowered to several ops whose interior runs in int16 (int8 at their boundary), and
   * the flash and arena that costs over the all-int8 form (quantize only; absent or empty: none).
   */
  interior?: InteriorSummary;
  thresholds: Required<AdviceThresholds>;
  layers: LayerErrorRow[];
  outputs: OutputMetrics;
  advice: Advice[];
  histograms: LayerHistogram[];
}

export const DEFAULT_THRESHOLDS: Required<AdviceThresholds> = { rmseOverScale: 0.7, range: 255 };
/** rmse/scale of pure rounding noise: 1/√12. */
export const HEALTHY_RMSE_OVER_SCALE = 1 / Math.sqrt(12);

/** Which thresholds a layer exceeds. */
export function layerFlags(
  r: LayerErrorRow,
  t: Required<AdviceThresholds> = DEFAULT_THRESHOLDS,
): { rmse: boolean; range: boolean } {
  // int16x8 and float32 layers are not judged by the int8 thresholds (LayerErrorRow.dtype)
  if (r.dtype !== undefined && r.dtype !== 'int8') return { rmse: false, range: false };
  return { rmse: r.rmse_over_scale > t.rmseOverScale, range: r.range > t.range };
}
