/**
 * API contract, part 3: argument and result types of the quantize calls.
 * The channels that carry them are declared in `api.ts` (the one contract); import from there.
 */
import type { QuantizationReport } from '../core/report/quant-types.ts';
import type { JobArgs } from './api-common.ts';

export type {
  Advice,
  AdviceThresholds,
  BiasScaleAdjustment,
  LayerErrorRow,
  LayerHistogram,
  LayerPrecision,
  OutputMetrics,
  QuantizationReport,
} from '../core/report/quant-types.ts';
export type { ConfusionMatrix } from '../core/quantize/output-metrics.ts';

/** A model for quantize calls: an opened model, a file on the main side, or uploaded bytes. */
export type ModelSource = { modelId: string } | { path: string } | { name: string; bytes: Uint8Array };
/** Representative data: a file or folder on the main side, or uploaded files (browser). */
export type DataSource = { path: string } | { files: { name: string; bytes: Uint8Array }[] };

export interface QuantizeRunArgs extends JobArgs {
  /** Float model: .tflite or Keras .h5. */
  model: ModelSource;
  data: DataSource;
  /** 'none', 'rescale:C' (e.g. rescale:255) or 'meanstd'; absent = the model's own parameters. */
  norm?: string;
  io?: 'int8' | 'float32';
  /** Per-tensor FULLY_CONNECTED weights for older runtimes (default per-channel). */
  fcPerTensor?: boolean;
  method?: 'auto' | 'minmax' | 'percentile' | 'mse';
  /**
   * Selective quantization (CLI --keep-float / --int16). Layers are named as the report shows
   * them (`LayerErrorRow.tensor_name`, or one ';'-part of it; `report.precision` lists the result).
   * keepFloat: layers left in float32 with DEQUANTIZE before and QUANTIZE after them.
   * int16: layers in int16x8 (int16 activations, int8 weights, int64 bias), or 'all' for every
   * layer with an int16 kernel. An unknown name fails with BAD_ARGUMENT listing the valid ones.
   */
  keepFloat?: string[];
  int16?: string[] | 'all';
  /**
   * Interior of Keras layers lowered to several ops (LayerNormalization, swish, gelu, ...):
   * 'int16' (default: 16x8 inside, int8 at the layer's boundary) or 'int8' (the converter's form).
   */
  loweringInterior?: 'int16' | 'int8';
  thresholds?: { rmseOverScale?: number; range?: number };
  /** Use at most this many samples. */
  maxSamples?: number;
  /** Absolute path to save the int8 model to (atomically). */
  savePath?: string;
}

export interface QuantizeRunResult {
  /** Pass to `quantize.export`. Kept for the last 20 reports of this app session. */
  reportId: string;
  /** Suggested file name of the int8 model. */
  name: string;
  bytes: Uint8Array;
  savedPath?: string;
  report: QuantizationReport;
}

export interface QuantizeReportArgs extends JobArgs {
  int8: ModelSource;
  float: ModelSource;
  data: DataSource;
  thresholds?: { rmseOverScale?: number; range?: number };
  maxSamples?: number;
}

export interface QuantizeReportResult {
  reportId: string;
  report: QuantizationReport;
}

export interface QuantizeExportArgs {
  reportId: string;
  format: 'csv' | 'html' | 'json';
  /** Absolute path to write (atomically). Without it the bytes come back (browser download). */
  path?: string;
}
