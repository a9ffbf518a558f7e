/**
 * int8 ADD / SUB / MUL with numpy-style broadcasting, as TFLite Micro's reference kernels.
 * ADD/SUB: both inputs are offset, shifted left by 20 bits, rescaled to a common scale
 * (twice the larger input scale), added, then rescaled to the output scale.
 * MUL: (a + offset_a) * (b + offset_b) rescaled by in1_scale*in2_scale/out_scale.
 */
import { multiplyByQuantizedMultiplier } from '../quant-math.ts';

export interface AddSubInt8Params {
  leftShift: number;
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  input1Multiplier: number;
  input1Shift: number;
  input2Multiplier: number;
  input2Shift: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
  /** -1 for SUB. */
  sign: 1 | -1;
}

export interface MulInt8Params {
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
}

/**
 * For every output element, the flat index into each input under broadcasting.
 * Computed once at prepare time (shapes are static).
 */
export function broadcastIndex(outShape: number[], inShape: number[]): Int32Array | null {
  const rank = outShape.length;
  const padded = [...Array(rank - inShape.length).fill(1), ...inShape];
  if (padded.every((d, i) => d === outShape[i])) return null; // identity
  const size = outShape.reduce((a, b) => a * b, 1);
  const index = new Int32Array(size);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inStrides[d] = padded[d] === 1 ? 0 : s;
    s *= padded[d];
  }
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < size; i++) {
    let off = 0;
    for (let d = 0; d < rank; d++) off += coord[d] * inStrides[d];
    index[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < outShape[d]) break;
      coord[d] = 0;
    }
  }
  return index;
}

export function addSubInt8(
  p: AddSubInt8Params,
  a: Int8Array,
  b: Int8Array,
  aIndex: Int32Array | null,
  bIndex: Int32Array | null,
  output: Int8Array,
): void {
  const shiftMul = 2 ** p.leftShift;
  for (let i = 0; i < output.length; i++) {
    const x = (a[aIndex === null ? i : aIndex[i]] + p.input1Offset) * shiftMul;
    const y = (b[bIndex === null ? i : bIndex[i]] + p.input2Offset) * shiftMul;
    const sx = multiplyByQuantizedMultiplier(x, p.input1Multiplier, p.input1Shift);
    const sy = multiplyByQuantizedMultiplier(y, p.input2Multiplier, p.input2Shift);
    const raw = p.sign === 1 ? sx + sy : sx - sy;
    let v = multiplyByQuantizedMultiplier(raw | 0, p.outputMultiplier, p.outputShift) + p.outputOffset;
    if (v < p.actMin) v = p.actMin;
    else if (v > p.actMax) v = p.actMax;
    output[i] = v;
  }
}

export function mulInt8(
  p: MulInt8Params,
  a: Int8Array,
  b: Int8Array,
  aIndex: Int32Array | null,
  bIndex: Int32Array | null,
  output: Int8Array,
): void {
  for (let i = 0; i < output.length; i++) {
    const x = a[aIndex === null ? i : aIndex[i]] + p.input1Offset;
    const y = b[bIndex === null ? i : bIndex[i]] + p.input2Offset;
    let v = multiplyByQuantizedMultiplier(x * y, p.outputMultiplier, p.outputShift) + p.outputOffset;
    if (v < p.actMin) v = p.actMin;
    else if (v > p.actMax) v = p.actMax;
    output[i] = v;
  }
}

/**
 * Both operands are int8, so every ADD/SUB/MUL result is one of 256 x 256 values: prepare runs
 * the exact kernel above once over all pairs into a 64 KiB table and the run looks results up.
 */
export function binaryTable(kernel: (a: Int8Array, b: Int8Array, out: Int8Array) => void): Int8Array {
  const a = new Int8Array(65536);
  const b = new Int8Array(65536);
  for (let i = 0; i < 65536; i++) {
    a[i] = (i >> 8) - 128;
    b[i] = (i & 255) - 128;
  }
  const t = new Int8Array(65536);
  kernel(a, b, t);
  return t;
}

export function applyBinaryTable(
  t: Int8Array,
  a: Int8Array,
  b: Int8Array,
  aIndex: Int32Array | null,
  bIndex: Int32Array | null,
  output: Int8Array,
): void {
  if (aIndex === null && bIndex === null) {
    for (let i = 0; i < output.length; i++) output[i] = t[((a[i] + 128) << 8) | (b[i] + 128)];
    return;
  }
  for (let i = 0; i < output.length; i++) {
    const x = a[aIndex === null ? i : aIndex[i]];
    const y = b[bIndex === null ? i : bIndex[i]];
    output[i] = t[((x + 128) << 8) | (y + 128)];
  }
}
