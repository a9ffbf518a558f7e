/**
 * The fixtures' deterministic input (SOURCES.md): xorshift32 with state starting at the seed
 * (1 reproduces the goldens); x ^= x << 13; x ^= x >> 17; x ^= x << 5; byte = x & 0xFF. One byte per
 * element, the state running on across the model's inputs in order. int8/int16/int32 elements take
 * the byte as a signed value, uint8 as is, float32 (byte - 128) / 128.
 */
import type { Tensor } from '../../model/ir.ts';
import { SimulateError } from '../errors.ts';
import { allocate, elementCount, type TensorData } from '../tensor-data.ts';

export function xorshift32(seed: number): () => number {
  let x = seed >>> 0;
  if (x === 0) throw new SimulateError('xorshift32 seed must be non-zero (the state would stay 0)', 'INPUT');
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x & 0xff;
  };
}

export function seededInputs(tensors: readonly Tensor[], seed: number): TensorData[] {
  const next = xorshift32(seed);
  return tensors.map((t) => {
    const n = elementCount(t.shape);
    const out = allocate(t.dtype, n);
    for (let i = 0; i < n; i++) {
      const b = next();
      switch (t.dtype) {
        case 'float32':
        case 'float64':
          out[i] = (b - 128) / 128;
          break;
        case 'uint8':
          out[i] = b;
          break;
        case 'int8':
        case 'int16':
        case 'int32':
          out[i] = (b << 24) >> 24;
          break;
        default:
          throw new SimulateError(`--seed cannot fill input '${t.name}' of type ${t.dtype}`, 'INPUT');
      }
    }
    return out;
  });
}
