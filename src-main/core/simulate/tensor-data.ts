/** Typed-array storage for tensors: one array per tensor, element type from the IR dtype. */
import type { DType, Tensor } from '../model/ir.ts';
import { SimulateError } from './errors.ts';

export type TensorData =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Allocate zeroed storage for `count` elements of `dtype`. */
export function allocate(dtype: DType, count: number): TensorData {
  switch (dtype) {
    case 'int8':
      return new Int8Array(count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(count);
    case 'int16':
      return new Int16Array(count);
    case 'int32':
      return new Int32Array(count);
    case 'uint32': // the signal library's ops (SignalEnergy, SignalPCAN, ...)
      return new Uint32Array(count);
    case 'float32':
      return new Float32Array(count);
    case 'float64':
      return new Float64Array(count);
    case 'int64':
      return new BigInt64Array(count);
    case 'uint64': // SignalFilterBank's output
      return new BigUint64Array(count);
    default:
      throw new SimulateError(`tensor type ${dtype} is not supported by the simulator`);
  }
}

/** Typed view over little-endian bytes (copied so the view is aligned). */
export function fromBytes(dtype: DType, bytes: Uint8Array, count: number): TensorData {
  const out = allocate(dtype, count);
  const need = out.byteLength;
  if (bytes.byteLength < need) {
    throw new SimulateError(`expected ${need} bytes of ${dtype} data, got ${bytes.byteLength}`);
  }
  new Uint8Array(out.buffer, out.byteOffset, need).set(bytes.subarray(0, need));
  return out;
}

/** The raw bytes of a typed array (a view, no copy). */
export function toBytes(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Constant contents of a tensor, aligned, or null for activations. */
export function constantData(t: Tensor): TensorData | null {
  if (!t.data || t.data.byteLength === 0) return null;
  return fromBytes(t.dtype, t.data, elementCount(t.shape));
}
