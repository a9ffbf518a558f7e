/** Element counts and byte sizes of IR tensors. */
import type { DType, Tensor } from './ir.ts';

const DTYPE_BYTES: Partial<Record<DType, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  int16: 2,
  uint16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
  complex64: 8,
  complex128: 16,
  float8_e4m3fn: 1,
  float8_e5m2: 1,
};

/** Bytes per element, or 0 for types without a fixed size (string, resource, variant; int4/uint4/int2 are packed). */
export function dtypeBytes(dtype: DType): number {
  return DTYPE_BYTES[dtype] ?? 0;
}

/** Number of elements; unknown (-1) dimensions count as 1. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d < 0 ? 1 : d;
  return n;
}

/** Bytes a tensor of this shape/dtype occupies in an arena (int4 is packed two per byte). */
export function tensorBytes(t: Pick<Tensor, 'dtype' | 'shape'>): number {
  const n = elementCount(t.shape);
  if (t.dtype === 'int4' || t.dtype === 'uint4') return Math.ceil(n / 2);
  if (t.dtype === 'int2') return Math.ceil(n / 4);
  return n * dtypeBytes(t.dtype);
}
