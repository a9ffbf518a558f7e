/** Data-movement kernels shared by int8 and float (they copy elements, never change values). */
import type { TensorData } from '../tensor-data.ts';

type Arr = TensorData & { [i: number]: number | bigint };

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/**
 * Precompute, for every output element, the flat input index it copies (or -1 for a fill value).
 * `map(outCoord) -> inCoord | null` defines the op; this runs once at prepare time.
 */
export function gatherIndex(
  outShape: readonly number[],
  inShape: readonly number[],
  map: (outCoord: number[], inCoord: number[]) => boolean,
): Int32Array {
  const size = outShape.reduce((a, b) => a * b, 1);
  const inStrides = stridesOf(inShape);
  const idx = new Int32Array(size);
  const coord = new Array<number>(outShape.length).fill(0);
  const inCoord = new Array<number>(inShape.length).fill(0);
  for (let i = 0; i < size; i++) {
    if (map(coord, inCoord)) {
      let off = 0;
      for (let d = 0; d < inShape.length; d++) off += inCoord[d] * inStrides[d];
      idx[i] = off;
    } else {
      idx[i] = -1;
    }
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++coord[d] < outShape[d]) break;
      coord[d] = 0;
    }
  }
  return idx;
}

/** out[i] = index[i] < 0 ? fill : input[index[i]]. */
export function gather(
  index: Int32Array,
  input: TensorData,
  output: TensorData,
  fill: number | bigint,
): void {
  const src = input as Arr;
  const dst = output as Arr;
  for (let i = 0; i < index.length; i++) {
    const j = index[i];
    dst[i] = j < 0 ? fill : src[j];
  }
}

/** Concatenate along `axis`: each input contributes `inner * dims[k]` contiguous elements per outer step. */
export function concatenate(
  inputs: readonly TensorData[],
  axisSizes: readonly number[],
  outer: number,
  inner: number,
  output: TensorData,
): void {
  let o = 0;
  const dst = output as Int8Array;
  for (let b = 0; b < outer; b++) {
    for (let k = 0; k < inputs.length; k++) {
      const n = axisSizes[k] * inner;
      dst.set((inputs[k] as Int8Array).subarray(b * n, b * n + n), o);
      o += n;
    }
  }
}
