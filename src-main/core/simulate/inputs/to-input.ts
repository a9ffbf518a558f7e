/**
 * Turn a decoded array (from .npy or an image) into the typed array of a model input tensor.
 *
 * Shape: the element count must match and the dimensions other than 1 must agree (a (96, 96)
 * array fits [1, 96, 96, 1]); a flat input [1, N] takes any array of N elements.
 * Type rules:
 * - same integer dtype: copied as is; other integer combinations are rejected, except
 * - uint8 data into an int8 input, mode 'affine' (default): the uint8 values are read as the uint8
 *   quantization of the same real values (same scale, zero point + 128), so q = p - 128 exactly
 *   (what TFLite Micro's person-detection camera path does: pixel ^ 0x80).
 *   Mode 'bytes': the uint8 values are the int8 tensor's bytes saved as uint8 (two's complement,
 *   q = p < 128 ? p : p - 256). TFLite Micro's person-detection test images (and the fixtures
 *   tflm_*_gray_u8_96x96.npy made from them) are stored this way.
 * - float data into an int8 input: quantized with the input's scale and zero point
 *   (round half away from zero, clamp); NaN/Inf rejected.
 * - any numeric data into a float32 input: converted to float32 (NaN/Inf rejected).
 * - if the model carries MLTK samplewise_norm parameters and the data is not already int8, the
 *   sample is normalized in float first (then quantized for an int8 input), with the shared
 *   definition of core/normalize (the firmware applies the same one).
 */
import type { ParamValue, Tensor } from '../../model/ir.ts';
import { roundHalfAway } from '../../normalize/normalize.ts';
import { SimulateError } from '../errors.ts';
import { allocate, elementCount, type TensorData } from '../tensor-data.ts';
import type { NpyArray } from './npy.ts';
import { normalizationOf, normalizeSample } from './normalize.ts';

function checkShape(arr: NpyArray, t: Tensor, label: string): void {
  const n = elementCount(t.shape);
  const count = arr.data.length;
  const squeeze = (s: readonly number[]): number[] => s.filter((d) => d !== 1);
  const a = squeeze(arr.shape);
  const b = squeeze(t.shape);
  const flatInput = b.length <= 1;
  if (count !== n || (!flatInput && (a.length !== b.length || a.some((d, i) => d !== b[i])))) {
    throw new SimulateError(
      `${label}: shape (${arr.shape.join(', ')}) does not fit input '${t.name}' of shape [${t.shape}]`,
      'INPUT',
    );
  }
}

function checkFinite(values: ArrayLike<number>, label: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]))
      throw new SimulateError(
        `${label}: element ${i} is ${values[i]} (inputs must be finite numbers)`,
        'INPUT',
      );
  }
}

function quantizeInto(values: ArrayLike<number>, t: Tensor, label: string): Int8Array {
  const q = t.quantization;
  if (!q || q.scale.length === 0)
    throw new SimulateError(`${label}: int8 input '${t.name}' has no quantization parameters`, 'INPUT');
  const scale = Math.fround(q.scale[0]);
  const zp = q.zeroPoint[0] ?? 0;
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = Math.max(-128, Math.min(127, roundHalfAway(Math.fround(values[i] / scale)) + zp));
  }
  return out;
}

export type Uint8Mode = 'affine' | 'bytes';

export function arrayToInput(
  arr: NpyArray,
  t: Tensor,
  parameters: Record<string, ParamValue>,
  label: string,
  uint8Mode: Uint8Mode = 'affine',
): TensorData {
  checkShape(arr, t, label);
  const isFloatData = arr.dtype === 'float32' || arr.dtype === 'float64';
  if (isFloatData) checkFinite(arr.data, label);
  const norm = normalizationOf(parameters, label);
  if (
    norm &&
    arr.dtype !== 'int8' &&
    !(uint8Mode === 'bytes' && t.dtype === 'int8') &&
    (t.dtype === 'float32' || t.dtype === 'int8')
  ) {
    const normalized = normalizeSample(arr.data, norm, label);
    return t.dtype === 'float32' ? normalized : quantizeInto(normalized, t, label);
  }
  if (t.dtype === 'float32') {
    const out = Float32Array.from(arr.data);
    checkFinite(out, label);
    return out;
  }
  if (t.dtype === 'int8') {
    if (arr.dtype === 'int8') return Int8Array.from(arr.data);
    if (arr.dtype === 'uint8') {
      return uint8Mode === 'bytes'
        ? new Int8Array(Uint8Array.from(arr.data).buffer)
        : Int8Array.from(arr.data, (p) => p - 128);
    }
    if (isFloatData) return quantizeInto(arr.data, t, label);
  } else if (arr.dtype === t.dtype) {
    const out = allocate(t.dtype, arr.data.length);
    (out as Int32Array).set(arr.data as Int32Array);
    return out;
  }
  throw new SimulateError(
    `${label}: ${arr.dtype} data cannot feed input '${t.name}' of type ${t.dtype} (integer dtypes must match)`,
    'INPUT',
  );
}
