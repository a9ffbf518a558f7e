/**
 * Bias that does not fit its accumulator type. The bias of a CONV_2D / DEPTHWISE_CONV_2D /
 * FULLY_CONNECTED is stored at scale s_in · s_w[c]; a channel whose weights are all near zero (a
 * dead filter, or a BatchNorm with γ ≈ 0 folded in) gets a tiny s_w[c], and bias / (s_in · s_w[c])
 * no longer fits int32. Clamping the bias would change that channel's output by the clipped
 * amount; instead, as the TFLite converter does, the channel's weight scale is raised until the
 * bias fits: s_w[c] = |b[c]| / (s_in · INT32_MAX), nudged up until the rounded bias is in range.
 * The weights of that channel are then quantized at the coarser scale (near-zero weights round to
 * 0 or ±1), which costs far less than a clipped bias because those weights are tiny by definition.
 * With per-tensor weights the single scale is raised (every channel pays).
 */
import { roundHalfAway, weightsAtScales, type PerChannelWeights } from './params.ts';

export interface BiasScaleAdjustment {
  /** Float model op index and type, and the weight tensor's name. */
  layer: number;
  op: string;
  tensor: string;
  /** Output channel (bias element) whose bias overflowed. */
  channel: number;
  oldScale: number;
  newScale: number;
  /** RMSE of the channel's weights after quantization at the new scale (float units). */
  weightRmse: number;
  /** The same at the old scale (what the channel would have had if its bias fitted). */
  weightRmseBefore: number;
  /** |bias error| clamping the bias at the old scale would have caused (float units). */
  clampedBiasError: number;
}

/** Largest bias magnitude stored: the accumulator's limit (int32 for int8 layers, 2^53 for int16x8's int64). */
export function biasLimit(bits: 32 | 64): number {
  return bits === 32 ? 2147483647 : 2 ** 53;
}

/**
 * Weight scales raised where bias / (inputScale · scale) exceeds the limit. `scales` has one entry
 * per channel, or a single per-tensor one. Returns the new scales and the raised channels.
 */
export function fitBiasScales(
  bias: Float32Array,
  inputScale: number,
  scales: number[],
  limit: number,
): { scales: number[]; raised: number[] } {
  const out = scales.slice();
  const raised: number[] = [];
  bias.forEach((b, c) => {
    const k = scales.length === 1 ? 0 : c;
    const fits = () => Math.abs(roundHalfAway(b / (inputScale * out[k]))) <= limit;
    if (fits()) return;
    raised.push(c);
    // float32 like every stored scale; nudged up by float32 steps until the rounded bias fits
    let s = Math.fround(Math.abs(b) / (inputScale * limit));
    while (Math.abs(roundHalfAway(b / (inputScale * s))) > limit) s = Math.fround(s * (1 + 2 ** -20));
    out[k] = Math.max(out[k], s);
  });
  return { scales: out, raised };
}

/** RMSE of w − q·s over the elements of channel `k` (every element when per-tensor). */
function channelRmse(data: Float32Array, q: PerChannelWeights, shape: number[], k: number): number {
  const axis = q.axis;
  const count = axis === -1 ? 1 : shape[axis];
  const inner = axis === -1 ? data.length : shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  let se = 0;
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    if (axis !== -1 && Math.floor(i / inner) % count !== k) continue;
    se += (data[i] - q.values[i] * q.scales[k]) ** 2;
    n++;
  }
  return Math.sqrt(se / Math.max(1, n));
}

/**
 * Quantize weights whose bias overflows at the max-based scales: the weights again at the raised
 * scales, and one adjustment record per overflowing bias channel (empty when everything fits).
 */
export function fitWeightsToBias(
  layer: { index: number; op: string; tensor: string },
  weights: Float32Array,
  shape: number[],
  q: PerChannelWeights,
  bias: Float32Array,
  inputScale: number,
  bits: 32 | 64,
): { weights: PerChannelWeights; adjustments: BiasScaleAdjustment[] } {
  const limit = biasLimit(bits);
  const fit = fitBiasScales(bias, inputScale, q.scales, limit);
  if (fit.raised.length === 0) return { weights: q, adjustments: [] };
  const adjusted = weightsAtScales(weights, shape, q.axis, fit.scales);
  const adjustments = fit.raised.map((c) => {
    const k = q.scales.length === 1 ? 0 : c;
    const old = q.scales[k];
    const clamped = Math.max(-limit - 1, Math.min(limit, roundHalfAway(bias[c] / (inputScale * old))));
    return {
      layer: layer.index,
      op: layer.op,
      tensor: layer.tensor,
      channel: c,
      oldScale: old,
      newScale: fit.scales[k],
      weightRmse: channelRmse(weights, adjusted, shape, k),
      weightRmseBefore: channelRmse(weights, q, shape, k),
      clampedBiasError: Math.abs(bias[c] - clamped * inputScale * old),
    };
  });
  return { weights: adjusted, adjustments };
}
