/**
 * Sample-wise input normalization from MLTK model parameters: the ONE definition QuantScope uses on
 * the host, mirrored operation for operation by firmware/params/qs_normalize.c (docs/normalization.md).
 *
 *   x_i  = raw sample i as float32 (exact for int8/uint8/int16/uint16; NaN/Inf rejected)
 *   y_i  = fround(x_i * r) when samplewise_norm.rescale r != 0, else x_i (overflow to Inf rejected)
 *   with samplewise_norm.mean_and_std:
 *     mean = (Σ y_i, float64, index order) / n
 *     var  = (Σ (y_i - mean)², float64, index order, each square as d * d) / n   (population)
 *     z_i  = fround((y_i - mean) / (sqrt(var) + 1e-6))
 *   else z_i = y_i
 *   float32 input: z_i;  int8 input: clamp(roundHalfAway(fround(z_i / scale)) + zeroPoint, -128, 127)
 *
 * Why these choices: float64 sums in a fixed order make the result independent of the compiler or
 * FPU (the product of two float32 values is exact in float64, so fround(x * r) is exactly a float32
 * multiply); sqrt is correctly rounded in IEEE 754 on both sides. The 1e-6 is the training-side
 * guard (MLTK/Keras divide by std + 1e-6), so the device sees what training saw and a constant
 * sample maps to 0 instead of 0/0.
 */
import type { ParamValue } from '../model/ir.ts';

/** std::round / TfLiteRound: halves go away from zero (Math.round sends -2.5 to -2). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export const STD_EPSILON = 1e-6;

export type RawDtype = 'float32' | 'uint8' | 'int16' | 'int8' | 'uint16';
/** Wire codes of raw dtypes: the TFLite TensorType values (as in SET_INPUT_RAW). */
export const RAW_DTYPE_CODE: Record<RawDtype, number> = {
  float32: 0,
  uint8: 3,
  int16: 7,
  int8: 9,
  uint16: 12,
};
export const RAW_DTYPE_SIZE: Record<RawDtype, number> = {
  float32: 4,
  uint8: 1,
  int16: 2,
  int8: 1,
  uint16: 2,
};

export type NormalizeErrorCode = 'NO_PARAMS' | 'PARAMS' | 'TARGET' | 'VALUE' | 'ARG';
export class NormalizeError extends Error {
  constructor(
    readonly code: NormalizeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NormalizeError';
  }
}

export interface Normalization {
  /** samplewise_norm.rescale as float32 (0 = off). */
  rescale: number;
  meanAndStd: boolean;
}

export interface NormTarget {
  dtype: 'float32' | 'int8';
  scale?: number;
  zeroPoint?: number;
}

/** The model's normalization, or null when neither parameter is set (as qs_norm_from_params). */
export function normalizationOf(parameters: Record<string, ParamValue>): Normalization | null {
  const r = parameters['samplewise_norm.rescale'];
  if (r !== undefined && (typeof r !== 'number' || !Number.isFinite(Math.fround(r))))
    throw new NormalizeError('PARAMS', `samplewise_norm.rescale must be a finite number, got ${String(r)}`);
  const m = parameters['samplewise_norm.mean_and_std'];
  if (m !== undefined && m !== true && m !== false && m !== 0 && m !== 1)
    throw new NormalizeError('PARAMS', `samplewise_norm.mean_and_std must be a bool, got ${String(m)}`);
  const norm = { rescale: Math.fround(r ?? 0), meanAndStd: m === true || m === 1 };
  return norm.meanAndStd || norm.rescale !== 0 ? norm : null;
}

function checkedSample(raw: ArrayLike<number>, i: number): number {
  const x = Math.fround(raw[i]);
  if (!Number.isFinite(x)) throw new NormalizeError('VALUE', `raw sample ${i} is ${raw[i]} (must be finite)`);
  return x;
}

/** z_i of the definition above, as float32. */
export function normalizeToFloat(raw: ArrayLike<number>, norm: Normalization): Float32Array {
  const n = raw.length;
  if (n === 0) throw new NormalizeError('ARG', 'raw sample is empty');
  if (!norm.meanAndStd && norm.rescale === 0)
    throw new NormalizeError('NO_PARAMS', 'model has no samplewise_norm parameters');
  const y = new Float32Array(n);
  const r = Math.fround(norm.rescale);
  for (let i = 0; i < n; i++) {
    const x = checkedSample(raw, i);
    y[i] = r !== 0 ? x * r : x; // Float32Array store = fround
    if (!Number.isFinite(y[i]))
      throw new NormalizeError('VALUE', `raw sample ${i} (${x}) overflows float32 after rescale by ${r}`);
  }
  if (!norm.meanAndStd) return y;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += y[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i] - mean;
    sq += d * d;
  }
  const den = Math.sqrt(sq / n) + STD_EPSILON;
  const z = new Float32Array(n);
  for (let i = 0; i < n; i++) z[i] = (y[i] - mean) / den;
  return z;
}

/** TFLite AffineQuantize of float32 values: round half away from zero, add zero point, clamp. */
export function quantizeInt8(z: ArrayLike<number>, scale: number, zeroPoint: number): Int8Array {
  const s = Math.fround(scale);
  if (!(s > 0) || !Number.isFinite(s) || !Number.isInteger(zeroPoint) || zeroPoint < -128 || zeroPoint > 127)
    throw new NormalizeError(
      'TARGET',
      `int8 input needs a positive scale and a zero point in [-128, 127] (got ${scale}, ${zeroPoint})`,
    );
  const out = new Int8Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const q = Math.fround(z[i] / s);
    const r = q < 0 ? -Math.round(-q) : Math.round(q);
    out[i] = Math.max(-128, Math.min(127, r + zeroPoint));
  }
  return out;
}

/** Raw samples → the model's input tensor values (float32 or int8). */
export function normalizeRaw(
  raw: ArrayLike<number>,
  norm: Normalization,
  target: NormTarget,
): Float32Array | Int8Array {
  if (target.dtype !== 'float32' && target.dtype !== 'int8')
    throw new NormalizeError('TARGET', `input tensor must be float32 or int8, not ${String(target.dtype)}`);
  const z = normalizeToFloat(raw, norm);
  return target.dtype === 'float32' ? z : quantizeInt8(z, target.scale ?? 0, target.zeroPoint ?? 0);
}

/** Typed view of little-endian raw bytes (the SET_INPUT_RAW payload). */
export function rawSamples(bytes: Uint8Array, dtype: RawDtype): ArrayLike<number> {
  const size = RAW_DTYPE_SIZE[dtype];
  if (!size) throw new NormalizeError('ARG', `unknown raw dtype '${dtype}'`);
  if (bytes.length % size)
    throw new NormalizeError('ARG', `${bytes.length} bytes is not a whole number of ${dtype} samples`);
  const copy = bytes.slice(); // aligned copy
  const n = bytes.length / size;
  switch (dtype) {
    case 'float32':
      return new Float32Array(copy.buffer, 0, n);
    case 'uint8':
      return copy;
    case 'int8':
      return new Int8Array(copy.buffer, 0, n);
    case 'int16':
      return new Int16Array(copy.buffer, 0, n);
    case 'uint16':
      return new Uint16Array(copy.buffer, 0, n);
  }
}

/** Where the model's recorded (training-side) definition differs from what the device helper does. */
export function normalizationNotes(parameters: Record<string, ParamValue>): string[] {
  const notes: string[] = [];
  if (parameters['samplewise_norm.mean_and_std'] === true)
    notes.push(
      'samplewise_norm.mean_and_std: MLTK training divides by std + 1e-6 while its device helper divides by the bare std ' +
        '(constant input gives NaN there); QuantScope uses std + 1e-6 on host and board, as in training.',
    );
  if ('samplewise_norm.mean' in parameters || 'samplewise_norm.std' in parameters)
    notes.push(
      'samplewise_norm.mean / samplewise_norm.std are legacy MLTK keys; QuantScope applies only samplewise_norm.mean_and_std and samplewise_norm.rescale.',
    );
  return notes;
}
