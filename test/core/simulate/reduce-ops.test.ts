/**
 * MEAN, SUM, REDUCE_MAX, REDUCE_MIN in the C core against TFLite Micro's arithmetic worked out
 * here (reduce_common.cc + reference/reduce.h): any axes (negative, repeated, empty), keep_dims
 * both ways, int8 / int16 / float32.
 */
import { describe, expect, it } from 'vitest';
import type { DType } from '../../../src-main/core/model/ir.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import type { TensorData } from '../../../src-main/core/simulate/tensor-data.ts';
import { oneOpModel } from '../../helpers/compute-op-models.ts';
import { Rng } from '../../helpers/one-op-models.ts';
import { clamp, f32, mbqm, quantizeMultiplier } from '../../helpers/tflm-arith.ts';

type Kind = 'MEAN' | 'SUM' | 'REDUCE_MAX' | 'REDUCE_MIN';

interface Case {
  kind: Kind;
  dtype: DType;
  shape: number[];
  axes: number[];
  keepDims: boolean;
  inQ?: [number, number];
  outQ?: [number, number];
}

/** Reduced output shape (keep_dims keeps the reduced axes as 1). */
function outShape(c: Case): number[] {
  const red = new Set(c.axes.map((a) => (a < 0 ? a + c.shape.length : a)));
  return c.shape.flatMap((d, i) => (red.has(i) ? (c.keepDims ? [1] : []) : [d]));
}

function build(c: Case) {
  return oneOpModel({
    op: c.kind,
    tensors: [
      { dtype: c.dtype, shape: c.shape, q: c.inQ },
      { dtype: 'int32', shape: [c.axes.length], data: Int32Array.from(c.axes) },
      { dtype: c.dtype, shape: outShape(c), q: c.outQ },
    ],
    inputs: [0, 1],
    outputs: [2],
    options: { keep_dims: c.keepDims },
  });
}

/** For each input element in row-major order, the flat index of its output element. */
function outputIndex(shape: number[], axes: number[]): { map: number[]; nOut: number; count: number } {
  const red = new Set(axes.map((a) => (a < 0 ? a + shape.length : a)));
  const n = shape.reduce((a, b) => a * b, 1);
  const map: number[] = [];
  const idx = shape.map(() => 0);
  for (let i = 0; i < n; i++) {
    let o = 0;
    shape.forEach((d, k) => {
      if (!red.has(k)) o = o * d + idx[k];
    });
    map.push(o);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  const nOut = shape.reduce((a, d, k) => (red.has(k) ? a : a * d), 1);
  const count = shape.reduce((a, d, k) => (red.has(k) ? a * d : a), 1);
  return { map, nOut, count };
}

/** TFLM's result for case c on input x. */
function reference(c: Case, x: ArrayLike<number>): number[] {
  const { map, nOut, count } = outputIndex(c.shape, c.axes);
  if (c.dtype === 'float32') {
    const init =
      c.kind === 'REDUCE_MAX' ? -3.4028234663852886e38 : c.kind === 'REDUCE_MIN' ? 3.4028234663852886e38 : 0;
    const y = new Array<number>(nOut).fill(init);
    for (let i = 0; i < map.length; i++) {
      const v = x[i];
      const o = map[i];
      if (c.kind === 'REDUCE_MAX') y[o] = v > y[o] ? v : y[o];
      else if (c.kind === 'REDUCE_MIN') y[o] = v < y[o] ? v : y[o];
      else y[o] = f32(v + y[o]); // float32 adds in input order
    }
    return c.kind === 'MEAN' ? y.map((s) => f32(s / count)) : y;
  }
  const [lo, hi] = c.dtype === 'int16' ? [-32768, 32767] : [-128, 127];
  if (c.kind === 'REDUCE_MAX' || c.kind === 'REDUCE_MIN') {
    const y = new Array<number>(nOut).fill(c.kind === 'REDUCE_MAX' ? lo : hi);
    for (let i = 0; i < map.length; i++)
      y[map[i]] = c.kind === 'REDUCE_MAX' ? Math.max(y[map[i]], x[i]) : Math.min(y[map[i]], x[i]);
    return y;
  }
  // QuantizedMeanOrSum: int32 sums; MEAN folds 1/count into the multiplier
  const sums = new Array<number>(nOut).fill(0);
  for (let i = 0; i < map.length; i++) sums[map[i]] = (sums[map[i]] + x[i]) | 0;
  const [sIn, zIn] = c.inQ as [number, number];
  const [sOut, zOut] = c.outQ as [number, number];
  let { mult, shift } = quantizeMultiplier(f32(sIn) / f32(sOut));
  if (c.kind === 'MEAN') {
    let sh = Math.floor(Math.log2(count));
    sh = Math.min(sh, 32, 31 + shift);
    mult = Number((BigInt(mult) << BigInt(sh)) / BigInt(count));
    shift -= sh;
  }
  return sums.map((s) =>
    clamp(
      mbqm(Number(BigInt.asIntN(32, BigInt(s) - BigInt(zIn) * BigInt(count))), mult, shift) + zOut,
      lo,
      hi,
    ),
  );
}

function input(r: Rng, dtype: DType, n: number): TensorData {
  if (dtype === 'int8') return Int8Array.from({ length: n }, () => r.int(-128, 127));
  if (dtype === 'int16')
    return Int16Array.from({ length: n }, () =>
      r.chance(0.2) ? r.pick([-32768, 32767]) : r.int(-32768, 32767),
    );
  return Float32Array.from(
    { length: n },
    () => (r.int(-1_000_000, 1_000_000) / 7919) * r.pick([1e-3, 1, 1, 1e3]),
  );
}

function runCase(c: Case, x: TensorData): number[] {
  return Array.from(invoke(prepare(build(c)), [x]).outputs[0].data as ArrayLike<number>, Number);
}

describe('reductions: hand-checked cases', () => {
  it('int8 MEAN over a non-spatial axis folds 1/count into the multiplier (was up to 2 LSB off)', () => {
    // rule: TFLM's QuantizedMeanOrSum for every axis set, not a float mean
    // in scale 0.5 zp 3 -> out 0.25 zp 1; x = 1,2,2,2 -> sum 7 - 3*4 = -5;
    // multiplier of 2.0 is (2^30, 2), folded with 1/4: (2^30 << 2) / 4 = 2^30, shift 0:
    // SRDHM(-5, 2^30) = trunc((-5*2^30 + 1 - 2^30) / 2^31) = -2 -> + zp 1 = -1
    const c: Case = {
      kind: 'MEAN',
      dtype: 'int8',
      shape: [4],
      axes: [0],
      keepDims: false,
      inQ: [0.5, 3],
      outQ: [0.25, 1],
    };
    expect(runCase(c, Int8Array.of(1, 2, 2, 2))).toEqual([-1]);
    expect(reference(c, [1, 2, 2, 2])).toEqual([-1]);
  });

  it('int8 MEAN, same quantization: the rounding multiply, not C division', () => {
    // rule: no shortcut for equal scales in TFLM: 11 - 0 -> MBQM(11, 2^30, -1) = round(11/4 = 2.75) = 3
    const c: Case = {
      kind: 'MEAN',
      dtype: 'int8',
      shape: [1, 2, 2, 1],
      axes: [1, 2],
      keepDims: false,
      inQ: [1, 0],
      outQ: [1, 0],
    };
    expect(runCase(c, Int8Array.of(1, 2, 3, 5))).toEqual([3]);
    expect(runCase(c, Int8Array.of(-1, -2, -3, -5))).toEqual([-3]);
  });

  it('int8 SUM: no 1/count, saturates at the int8 bounds', () => {
    // rule: SUM requantizes the plain sum: scales equal -> sum itself, clamped
    const c: Case = {
      kind: 'SUM',
      dtype: 'int8',
      shape: [2, 3],
      axes: [1],
      keepDims: true,
      inQ: [0.1, 0],
      outQ: [0.1, 0],
    };
    expect(runCase(c, Int8Array.of(1, 2, 3, 100, 20, 10))).toEqual([6, 127]);
  });

  it('int8 REDUCE_MAX / REDUCE_MIN over two axes, keep_dims false', () => {
    // rule: plain max / min of the raw int8 values per output
    const base = {
      dtype: 'int8' as DType,
      shape: [2, 2, 2],
      axes: [0, -1],
      keepDims: false,
      inQ: [0.5, -3] as [number, number],
      outQ: [0.5, -3] as [number, number],
    };
    const x = Int8Array.of(1, -7, 9, 4, -128, 3, 127, 0);
    expect(runCase({ ...base, kind: 'REDUCE_MAX' }, x)).toEqual([3, 127]);
    expect(runCase({ ...base, kind: 'REDUCE_MIN' }, x)).toEqual([-128, 0]);
  });

  it('int8 REDUCE_MAX with different input and output quantization is refused, as TFLM does', () => {
    // rule: TFLM ensures equal scale and zero point for int8 REDUCE_MAX / MIN
    const c: Case = {
      kind: 'REDUCE_MAX',
      dtype: 'int8',
      shape: [4],
      axes: [0],
      keepDims: false,
      inQ: [0.5, 0],
      outQ: [0.25, 0],
    };
    expect(() => prepare(build(c))).toThrow(/same scale and zero point/);
  });

  it('int16 REDUCE_MIN is refused by name (TFLM has float32 and int8 only)', () => {
    // rule: dtypes TFLM refuses are refused with the op's accepted types
    const c: Case = {
      kind: 'REDUCE_MIN',
      dtype: 'int16',
      shape: [4],
      axes: [0],
      keepDims: false,
      inQ: [0.5, 0],
      outQ: [0.5, 0],
    };
    expect(() => prepare(build(c))).toThrow(/REDUCE_MAX \/ REDUCE_MIN take float32 or int8/);
  });

  it('float32 SUM adds in float32, in input order', () => {
    // rule: 1e8 + 1 + 1 + ... rounds at every add in float32 (a double sum would keep the ones)
    const c: Case = { kind: 'SUM', dtype: 'float32', shape: [5], axes: [0], keepDims: false };
    expect(runCase(c, Float32Array.of(1e8, 1, 1, 1, 1))).toEqual([1e8]);
    const c2: Case = { kind: 'MEAN', dtype: 'float32', shape: [2, 2], axes: [0], keepDims: true };
    expect(runCase(c2, Float32Array.of(1, 2, 3, 5))).toEqual([2, 3.5]);
  });

  it('float32 REDUCE_MAX starts from -FLT_MAX and never keeps a NaN', () => {
    // rule: init numeric_limits<float>::lowest(), keep `in > cur`
    const c: Case = { kind: 'REDUCE_MAX', dtype: 'float32', shape: [3], axes: [0], keepDims: false };
    expect(runCase(c, Float32Array.of(-Infinity, NaN, -Infinity))).toEqual([-3.4028234663852886e38]);
  });
});

describe('reductions: random shapes and axes against the reference', () => {
  const r = new Rng(1313);
  const kinds: Kind[] = ['MEAN', 'SUM', 'REDUCE_MAX', 'REDUCE_MIN'];
  for (let k = 0; k < 48; k++) {
    const kind = kinds[k % 4];
    const dtype: DType = kind.startsWith('REDUCE')
      ? r.pick(['int8', 'float32'] as DType[])
      : r.pick(['int8', 'int16', 'float32'] as DType[]);
    const rank = r.int(1, 5);
    const shape = Array.from({ length: rank }, () => r.int(1, 5));
    // axes: any non-empty subset, sometimes negative, sometimes repeated
    const axes = shape
      .map((_, i) => i)
      .filter(() => r.chance(0.5))
      .map((a) => (r.chance(0.3) ? a - rank : a));
    if (!axes.length) axes.push(r.int(0, rank - 1));
    if (axes.length && r.chance(0.2)) axes.push(axes[0]);
    const keepDims = r.chance(0.5);
    const quant = dtype !== 'float32';
    const zr = dtype === 'int16' ? 0 : 128;
    const inQ: [number, number] = [r.logUniform(1e-3, 2), r.int(-zr, zr - (zr ? 1 : 0))];
    const same = kind.startsWith('REDUCE') || r.chance(0.2);
    const outQ: [number, number] = same
      ? inQ
      : [inQ[0] * r.logUniform(0.05, 20), r.int(-zr, zr - (zr ? 1 : 0))];
    const c: Case = { kind, dtype, shape, axes, keepDims, ...(quant ? { inQ, outQ } : {}) };
    const n = shape.reduce((a, b) => a * b, 1);
    const x = input(r, dtype, n);
    it(`${kind} ${dtype} [${shape}] axes [${axes}]${keepDims ? ' keep_dims' : ''}`, () => {
      // rule: every output equals TFLM's arithmetic for these axes and quantization
      expect(runCase(c, x)).toEqual(reference(c, x as ArrayLike<number>));
    });
  }
});
