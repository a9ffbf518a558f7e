/**
 * Quantization parameters the way the TFLite converter computes them (tools/optimize
 * quantization_utils): activations asymmetric int8 from a float range that always contains 0,
 * weights symmetric int8 per output channel in [-127, 127], bias int32 with
 * scale = input scale × weight scale.
 */
import { roundHalfAway } from '../normalize/normalize.ts';

export const INT8_MIN = -128;
export const INT8_MAX = 127;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export { roundHalfAway };

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/**
 * Asymmetric int8 parameters for a tensor whose float values lie in [min, max]. The range is widened
 * to include 0 so that 0.0 (padding, ReLU floor) is exactly representable; the zero point is the
 * rounded real zero, clamped into [-128, 127].
 */
export function activationParams(min: number, max: number): QuantParams {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new Error(`Cannot quantize the range [${min}, ${max}]: it must be finite with min <= max`);
  }
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (hi === lo) return { scale: 1, zeroPoint: 0 }; // an all-zero tensor: any scale represents it
  const scale = (hi - lo) / (INT8_MAX - INT8_MIN);
  const zeroFromMin = INT8_MIN - lo / scale;
  const zeroPoint =
    zeroFromMin < INT8_MIN ? INT8_MIN : zeroFromMin > INT8_MAX ? INT8_MAX : roundHalfAway(zeroFromMin);
  return { scale, zeroPoint };
}

export function quantizeValue(x: number, p: QuantParams): number {
  return Math.min(INT8_MAX, Math.max(INT8_MIN, roundHalfAway(x / p.scale) + p.zeroPoint));
}

/** Quantize then dequantize every value (what the int8 model "sees" of a float tensor). */
export function fakeQuantize(values: Float32Array, p: QuantParams): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (quantizeValue(values[i], p) - p.zeroPoint) * p.scale;
  return out;
}

export interface PerChannelWeights {
  values: Int8Array;
  /** One scale per channel along `axis` (a single scale when per-tensor). */
  scales: number[];
  /** Always zeros: int8 weights are symmetric. */
  zeroPoints: number[];
  /** Axis the scales run along (TFLite quantized_dimension), -1 for per-tensor. */
  axis: number;
}

/** Index of the channel along `axis` for every flat (row-major) index of a tensor of `shape`. */
function channelStride(shape: number[], axis: number): { count: number; inner: number } {
  if (axis < 0 || axis >= shape.length) throw new Error(`Channel axis ${axis} is outside shape [${shape}]`);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return { count: shape[axis], inner };
}

/**
 * Symmetric int8 weights: scale_c = max|w_c| / 127 (1 for an all-zero channel), q = round(w / scale_c)
 * in [-127, 127] so that -w quantizes to exactly -q. `axis` -1 = one scale for the whole tensor.
 */
export function quantizeWeightsSymmetric(
  data: Float32Array,
  shape: number[],
  axis: number,
): PerChannelWeights {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) throw new Error(`Weights have ${data.length} values for shape [${shape}]`);
  const { count, inner } = axis === -1 ? { count: 1, inner: size } : channelStride(shape, axis);
  const channelOf = (i: number) => (axis === -1 ? 0 : Math.floor(i / inner) % count);
  const maxAbs = new Float64Array(count);
  for (let i = 0; i < size; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) throw new Error(`Weight ${i} is ${v}; cannot quantize non-finite weights`);
    const c = channelOf(i);
    maxAbs[c] = Math.max(maxAbs[c], Math.abs(v));
  }
  // Scales are stored as float32 in the model; quantize with exactly the stored value.
  const scales = Array.from(maxAbs, (m) => (m === 0 ? 1 : Math.fround(m / INT8_MAX)));
  const values = new Int8Array(size);
  for (let i = 0; i < size; i++) {
    const q = roundHalfAway(data[i] / scales[channelOf(i)]);
    values[i] = Math.min(INT8_MAX, Math.max(-INT8_MAX, q));
  }
  return { values, scales, zeroPoints: scales.map(() => 0), axis };
}

export interface QuantizedBias {
  values: Int32Array;
  /** One scale per channel, or a single one when the weights are per-tensor. */
  scales: number[];
  /** Channels whose bias did not fit in int32 and was clamped (the layer needs attention). */
  clamped: number[];
}

/** int32 bias with scale_c = inputScale × weightScale_c (what the int32 accumulator is in). */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: number[]): QuantizedBias {
  if (weightScales.length !== 1 && weightScales.length !== bias.length) {
    throw new Error(`Bias has ${bias.length} channels but the weights have ${weightScales.length} scales`);
  }
  const scales = Array.from(bias, (_, c) => inputScale * weightScales[weightScales.length === 1 ? 0 : c]);
  const values = new Int32Array(bias.length);
  const clamped: number[] = [];
  bias.forEach((b, c) => {
    const q = roundHalfAway(b / scales[c]);
    if (q > INT32_MAX || q < INT32_MIN) clamped.push(c);
    values[c] = Math.min(INT32_MAX, Math.max(INT32_MIN, q));
  });
  // Per-tensor weights get a per-tensor bias: TFLite only fills a tensor's single `params.scale`
  // when its quantization has exactly one scale, and checks bias scale = input × weight against it.
  return { values, scales: weightScales.length === 1 ? scales.slice(0, 1) : scales, clamped };
}
