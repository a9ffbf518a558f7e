/**
 * Quantization parameters the way the TFLite converter computes them (tools/optimize
 * quantization_utils): activations asymmetric int8 from a float range that always contains 0,
 * weights symmetric int8 per output channel in [-127, 127], bias int32 with
 * scale = input scale × weight scale.
 */
import { roundHalfAway } from '../normalize/normalize.ts';

export const INT8_MIN = -128;
export const INT8_MAX = 127;
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

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

export const INT16_MAX = 32767;

/**
 * int16x8 activations (TFLite's 16x8 mode): symmetric int16, zero point 0, scale = max|x| / 32767,
 * which is what TFLite Micro's int16 kernels require (ADD/SUB/pools check the zero point is 0).
 */
export function activationParams16(min: number, max: number): QuantParams {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new Error(`Cannot quantize the range [${min}, ${max}]: it must be finite with min <= max`);
  }
  const span = Math.max(Math.abs(min), Math.abs(max));
  return { scale: span === 0 ? 1 : span / INT16_MAX, zeroPoint: 0 };
}

export function quantizeValue16(x: number, p: QuantParams): number {
  return Math.min(INT16_MAX, Math.max(-INT16_MAX - 1, roundHalfAway(x / p.scale) + p.zeroPoint));
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
  return weightsAtScales(data, shape, axis, scales);
}

/** Symmetric int8 weights at given scales (one per channel along `axis`, or one for axis -1). */
export function weightsAtScales(
  data: Float32Array,
  shape: number[],
  axis: number,
  scales: number[],
): PerChannelWeights {
  const size = data.length;
  const { count, inner } = axis === -1 ? { count: 1, inner: size } : channelStride(shape, axis);
  if (scales.length !== count) throw new Error(`${scales.length} weight scales for ${count} channels`);
  const values = new Int8Array(size);
  for (let i = 0; i < size; i++) {
    const q = roundHalfAway(data[i] / scales[axis === -1 ? 0 : Math.floor(i / inner) % count]);
    values[i] = Math.min(INT8_MAX, Math.max(-INT8_MAX, q));
  }
  return { values, scales: scales.slice(), zeroPoints: scales.map(() => 0), axis };
}

export interface QuantizedBias {
  /** int32 values, or (64-bit bias) integers held exactly as doubles. */
  values: Int32Array | Float64Array;
  /** One scale per channel, or a single one when the weights are per-tensor. */
  scales: number[];
  /** Channels whose bias did not fit in int32 and was clamped (the layer needs attention). */
  clamped: number[];
}

/**
 * Bias at scale_c = inputScale × weightScale_c (what the accumulator is in): int32 for int8 layers,
 * int64 for int16x8 layers (`bits` 64; the values stay exact as JS numbers below 2^53).
 */
export function quantizeBias(
  bias: Float32Array,
  inputScale: number,
  weightScales: number[],
  bits: 32 | 64 = 32,
): QuantizedBias {
  if (weightScales.length !== 1 && weightScales.length !== bias.length) {
    throw new Error(`Bias has ${bias.length} channels but the weights have ${weightScales.length} scales`);
  }
  const scales = Array.from(bias, (_, c) => inputScale * weightScales[weightScales.length === 1 ? 0 : c]);
  const [lo, hi] = bits === 32 ? [INT32_MIN, INT32_MAX] : [-(2 ** 53), 2 ** 53];
  const values = bits === 32 ? new Int32Array(bias.length) : new Float64Array(bias.length);
  const clamped: number[] = [];
  bias.forEach((b, c) => {
    const q = roundHalfAway(b / scales[c]);
    if (q > hi || q < lo) clamped.push(c);
    values[c] = Math.min(hi, Math.max(lo, q));
  });
  // Per-tensor weights get a per-tensor bias: TFLite only fills a tensor's single `params.scale`
  // when its quantization has exactly one scale, and checks bias scale = input × weight against it.
  return { values, scales: weightScales.length === 1 ? scales.slice(0, 1) : scales, clamped };
}
