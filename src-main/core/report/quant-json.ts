/**
 * The quantization report as JSON (`quantscope.quantization/1`): per layer the MLTK columns plus
 * the accumulated error (float model vs int8 model at the same tensor) and threshold flags, the
 * whole-model output metrics (SNR ±Infinity is written as null), the advice, the run's settings,
 * the layers kept in float32 / int16x8 and the bias channels whose weight scale was raised.
 */
import type { ReportMeta } from './json.ts';
import { layerFlags, type QuantizationReport } from './quant-types.ts';

export const QUANT_SCHEMA = 'quantscope.quantization/1';

export function quantJson(r: QuantizationReport, meta: ReportMeta): string {
  const layers = r.layers.map((l) => {
    const f = layerFlags(l, r.thresholds);
    return {
      op_index: l.op_index,
      op_name: l.op_name,
      tensor_idx: l.tensor_idx,
      tensor_name: l.tensor_name,
      dtype: l.dtype,
      num_elements: l.num_elements,
      scale: l.scale,
      zero_point: l.zero_point,
      range: l.range,
      local: {
        stddev: l.stddev,
        mean_error: l.mean_error,
        max_abs_error: l.max_abs_error,
        mean_squared_error: l.mean_squared_error,
        rmse: Math.sqrt(l.mean_squared_error),
        rmse_over_scale: l.rmse_over_scale,
      },
      accumulated: { rmse: l.accumulated_rmse, max_abs_error: l.accumulated_max_abs_error },
      flags: { rmse_over_scale: f.rmse, range: f.range },
    };
  });
  const doc = {
    schema: QUANT_SCHEMA,
    generated_at: meta.generatedAt,
    tool: meta.tool,
    model: r.model,
    float_model: r.floatModel,
    samples: r.samples,
    ...(r.method ? { method: r.method, method_scores: r.scores ?? {} } : {}),
    ...(r.fcPerTensor !== undefined ? { dense_weights: r.fcPerTensor ? 'per-tensor' : 'per-channel' } : {}),
    ...(r.normalization ? { normalization: r.normalization } : {}),
    ...(r.io ? { io: r.io } : {}),
    ...(r.precision ? { layer_precision: r.precision } : {}),
    ...(r.biasAdjustments ? { bias_scale_adjustments: r.biasAdjustments } : {}),
    ...(r.footprint
      ? { footprint: { model_bytes: r.footprint.modelBytes, arena_bytes: r.footprint.arenaBytes } }
      : {}),
    ...(r.interior && r.interior.layers.length > 0
      ? {
          int16_interior: {
            layers: r.interior.layers,
            int8_ops: r.interior.int8Ops,
            extra_model_bytes: r.interior.modelBytes,
            extra_arena_bytes: r.interior.arenaBytes,
          },
        }
      : {}),
    thresholds: r.thresholds,
    outputs: r.outputs,
    layers,
    advice: r.advice,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
