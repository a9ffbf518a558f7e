/**
 * Raw sensor arrays (from .npy) → model input tensors, normalized with the model's own
 * samplewise_norm parameters (the host side of SET_INPUT_RAW; same definition as the board).
 */
import type { ParamValue, Tensor } from '../model/ir.ts';
import {
  normalizationOf,
  NormalizeError,
  normalizeRaw,
  type Normalization,
  type RawDtype,
} from './normalize.ts';

export interface RawArrayInput {
  name: string;
  dtype: string;
  data: ArrayLike<number>;
}

const RAW_DTYPES: readonly string[] = ['float32', 'uint8', 'int16', 'int8', 'uint16'];

export function describeNormalization(n: Normalization): string {
  const parts: string[] = [];
  if (n.rescale !== 0) parts.push(`x * ${n.rescale} (samplewise_norm.rescale)`);
  if (n.meanAndStd) parts.push('(x - mean) / (population std + 1e-6) (samplewise_norm.mean_and_std)');
  return parts.join(', then ');
}

/** One raw array per graph input; float32 or int8 inputs only. Errors name the file and input. */
export function rawInputTensors(
  tensors: readonly Tensor[],
  parameters: Record<string, ParamValue>,
  arrays: readonly RawArrayInput[],
): { inputs: (Float32Array | Int8Array)[]; normalization: Normalization } {
  const norm = normalizationOf(parameters);
  if (!norm)
    throw new NormalizeError(
      'NO_PARAMS',
      'raw input needs the model parameters samplewise_norm.rescale or samplewise_norm.mean_and_std; this model has neither (use --input)',
    );
  if (arrays.length !== tensors.length)
    throw new NormalizeError(
      'ARG',
      `model has ${tensors.length} input(s), ${arrays.length} raw file(s) given`,
    );
  const inputs = tensors.map((t, i) => {
    const a = arrays[i];
    if (!RAW_DTYPES.includes(a.dtype))
      throw new NormalizeError(
        'ARG',
        `${a.name}: raw samples must be ${RAW_DTYPES.join('/')}, not ${a.dtype}`,
      );
    const n = t.shape.reduce((x, y) => x * y, 1);
    if (a.data.length !== n)
      throw new NormalizeError(
        'ARG',
        `${a.name}: ${a.data.length} samples, input '${t.name}' has ${n} elements`,
      );
    if (t.dtype !== 'float32' && t.dtype !== 'int8')
      throw new NormalizeError(
        'TARGET',
        `input '${t.name}' is ${t.dtype}; raw input needs a float32 or int8 input`,
      );
    const q = t.quantization;
    if (t.dtype === 'int8' && !q?.scale.length)
      throw new NormalizeError('TARGET', `int8 input '${t.name}' has no quantization parameters`);
    try {
      return normalizeRaw(
        a.data,
        norm,
        t.dtype === 'float32'
          ? { dtype: 'float32' }
          : { dtype: 'int8', scale: q!.scale[0], zeroPoint: q!.zeroPoint[0] ?? 0 },
      );
    } catch (e) {
      if (e instanceof NormalizeError) throw new NormalizeError(e.code, `${a.name}: ${e.message}`);
      throw e;
    }
  });
  return { inputs, normalization: norm };
}

export type { RawDtype };
