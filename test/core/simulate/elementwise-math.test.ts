/**
 * Element-wise and math ops in the C core (k_binary.c, k_unary.c, k_rownorm.c, run through the
 * host WebAssembly build) against TFLite Micro's arithmetic worked out here from its reference
 * kernels (squared_difference.cc, div.h, comparisons.h, prelu.h, elementwise.cc, l2normalization.h,
 * common.h's GetReciprocal / GetInvSqrtQuantizedMultiplierExp): random one-op models with random
 * scales, zero points at the extremes, broadcast shapes. float32 transcendentals (exp, log, sin,
 * cos, expm1) call the C library, which may differ from another one in the last bit: compared
 * with a relative 1e-5 (issue 13).
 */
import { describe, expect, it } from 'vitest';
import type { DType } from '../../../src-main/core/model/ir.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import type { TensorData } from '../../../src-main/core/simulate/tensor-data.ts';
import { oneOpModel, type Spec } from '../../helpers/compute-op-models.ts';
import { Rng } from '../../helpers/one-op-models.ts';
import { clamp, f32, mbqm, quantizeMultiplier, rdbpot, srdhm } from '../../helpers/tflm-arith.ts';

const I32 = (x: number): number => x | 0;
const clz32 = Math.clz32;

/** gemmlowp SaturatingRoundingMultiplyByPOT (saturating left shift, rounding right shift). */
function mulPot(x: number, e: number): number {
  if (e <= 0) return e === 0 ? x : rdbpot(x, -e);
  const threshold = 2 ** (31 - e) - 1;
  if (x > threshold) return 2 ** 31 - 1;
  if (x < -threshold) return -(2 ** 31);
  return I32(x * 2 ** e);
}

/** gemmlowp one_over_one_plus_x_for_x_in_0_1 (Newton-Raphson in Q2). */
function oneOverOnePlusX(a: number): number {
  const sum = a + (2 ** 31 - 1);
  const half = Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2); // RoundingHalfSum with One()
  let x = I32(1515870810 + srdhm(half, -1010580540));
  for (let i = 0; i < 3; i++) {
    const oneMinus = I32(2 ** 29 - srdhm(half, x));
    x = I32(x + mulPot(srdhm(x, oneMinus), 2));
  }
  return mulPot(x, 1);
}

/** GetReciprocal(x, 31): 1/x as a Q0 multiplier and the bits over unit. */
function getReciprocal(x: number): { inv: number; shift: number } {
  const hp1 = clz32(x);
  const shifted = I32(Number((BigInt(x) << BigInt(hp1)) - 2n ** 31n));
  return { inv: oneOverOnePlusX(shifted), shift: 31 - hp1 };
}

/** GetInvSqrtQuantizedMultiplierExp(input, reverse_shift -1). */
function invSqrt(input: number): { inv: number; shift: number } {
  if (input <= 1) return { inv: 2 ** 31 - 1, shift: 0 };
  let shift = 11;
  while (input >= 2 ** 29) ((input = Math.trunc(input / 4)), shift++);
  const pairs = Math.floor((clz32(input) - 1) / 2) - 1;
  shift -= pairs;
  input = I32(input * 4 ** pairs);
  const half = rdbpot(input >> 1, 1);
  let x = 2 ** 28;
  for (let i = 0; i < 5; i++) {
    const x3 = mulPot(srdhm(srdhm(x, x), x), 6);
    x = mulPot(I32(srdhm(2 ** 28 + 2 ** 27, x) - srdhm(half, x3)), 3);
  }
  x = srdhm(x, 1518500250);
  if (shift < 0) ((x = I32(x * 2 ** -shift)), (shift = 0));
  return { inv: x, shift: -shift };
}

/** gemmlowp exp_on_negative_values for a Q(intBits) input, Q0 result (intBits <= 5 here). */
function expOnNegativeValues(a: number, intBits: number): number {
  const frac = 31 - intBits;
  const quarter = 2 ** (frac - 2);
  const aModQuarterMinusQuarter = I32((a & (quarter - 1)) - quarter);
  // exp on [-1/4, 0): Taylor series around -1/8 in Q0
  const x = I32(mulPot(aModQuarterMinusQuarter, intBits) + 2 ** 28);
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const poly = mulPot(I32(srdhm(I32(mulPot(x4, -2) + x3), 715827883) + x2), -1);
  let result = I32(1895147668 + srdhm(1895147668, I32(x + poly)));
  const remainder = I32(aModQuarterMinusQuarter - a);
  const mults: [number, number][] = [
    [-2, 1672461947],
    [-1, 1302514674],
    [0, 790015084],
    [1, 290630308],
    [2, 39332535],
    [3, 720401],
    [4, 242],
  ];
  for (const [e, m] of mults) if (intBits > e && remainder & (2 ** (frac + e))) result = srdhm(result, m);
  return a === 0 ? 2 ** 31 - 1 : result;
}

/** log_x_for_x_greater_than_or_equal_to_1<outBits>(Q(inBits) input) of TFLite's common.h. */
function logXGe1(input: number, inBits: number, outBits: number): number {
  const accBits = outBits + 1;
  const [log2, sqrtSqrtHalf, sqrtHalf] = [1488522236, 1805811301, 1518500250];
  const [alphaN, alphaD, alphaI, alphaF] = [117049297, 127690142, 1057819769, 638450708];
  const satAdd = (u: number, v: number) => clamp(u + v, -(2 ** 31), 2 ** 31 - 1);
  const shiftedQuarter = mulPot(536870912, -accBits);
  const za = clz32(input);
  const ra = mulPot(srdhm(mulPot(input, za - 1), sqrtHalf), 1);
  const zaAdj = satAdd(mulPot(inBits - za, 31 - accBits), shiftedQuarter);
  const zb = clz32(srdhm(input, sqrtHalf)) - 1;
  const rb = mulPot(input, zb);
  const zbAdj = satAdd(mulPot(inBits - zb, 31 - accBits), -shiftedQuarter);
  const r = Math.min(ra, rb);
  const zAdj = Math.max(zaAdj, zbAdj);
  const hs = r + sqrtSqrtHalf;
  const p = Math.trunc((hs + (hs >= 0 ? 1 : -1)) / 2);
  const q = I32(2 * I32(r - sqrtSqrtHalf));
  const sq = srdhm(q, q);
  const num = I32(srdhm(q, r) + srdhm(srdhm(q, sq), alphaN));
  const den = I32(srdhm(p, I32(I32(alphaI + q) + srdhm(alphaD, sq))) + srdhm(alphaF, q));
  const recip = oneOverOnePlusX(den);
  return mulPot(I32(srdhm(zAdj, log2) + srdhm(mulPot(num, -accBits), recip)), accBits - outBits);
}

/** MultiplyByQuantizedMultiplierSmallerThanOneExp with a multiplier from QuantizeMultiplier. */
const belowOne = (x: number, m: { mult: number; shift: number }): number =>
  rdbpot(srdhm(x, m.mult), -m.shift);

function run(specs: Spec[], op: string, inputs: number[], feed: TensorData[], options = {}): number[] {
  const model = oneOpModel({ op, tensors: specs, inputs, outputs: [specs.length - 1], options });
  return Array.from(invoke(prepare(model), feed).outputs[0].data as ArrayLike<number>, Number);
}

const int8s = (r: Rng, n: number) => Int8Array.from({ length: n }, () => r.int(-128, 127));
const zp8 = (r: Rng) => r.pick([-128, 127, 0, r.int(-128, 127)]);
/** A scale as the file stores it (float32). */
const scale = (r: Rng, lo: number, hi: number) => f32(r.logUniform(lo, hi));

/** Shapes that broadcast: two views of a random [n, h, w] (some dimensions 1, some leading ones
 * dropped) and their numpy broadcast shape as the output. */
function broadcastPair(r: Rng): { a: number[]; b: number[]; out: number[] } {
  const base = [r.int(1, 3), r.int(1, 4), r.int(1, 5)];
  const view = () => {
    const v = base.map((d) => (r.chance(0.3) ? 1 : d));
    return r.chance(0.3) ? v.slice(r.int(1, 2)) : v;
  };
  const a = view();
  const b = view();
  const rank = Math.max(a.length, b.length);
  const at = (s: number[], d: number) => (d - (rank - s.length) >= 0 ? s[d - (rank - s.length)] : 1);
  const out = Array.from({ length: rank }, (_, d) => Math.max(at(a, d), at(b, d)));
  return { a, b, out };
}

/** Flat index in a right-aligned broadcast input for output index i. */
function bIndex(shape: number[], out: number[], i: number): number {
  let idx = 0;
  let stride = 1;
  let rest = i;
  for (let d = out.length - 1; d >= 0; d--) {
    const o = rest % out[d];
    rest = Math.floor(rest / out[d]);
    const k = d - (out.length - shape.length);
    if (k >= 0) {
      if (shape[k] !== 1) idx += o * stride;
      stride *= shape[k];
    }
  }
  return idx;
}
const count = (s: number[]) => s.reduce((x, y) => x * y, 1);

describe('quantized binary ops with broadcasting, TFLite Micro arithmetic', () => {
  it('SQUARED_DIFFERENCE int8: inputs << 7 rescaled to twice the larger scale, squared, rescaled', () => {
    // rule: squared_difference.cc int8 path, bit-exact over random scales, zero points and broadcasts
    const r = new Rng(1301);
    for (let t = 0; t < 40; t++) {
      const { a, b, out } = broadcastPair(r);
      const [sa, sb] = [scale(r, 1e-3, 1), scale(r, 1e-3, 1)];
      const so = f32(Math.max(sa, sb) ** 2 * r.logUniform(1, 2000));
      const [za, zb, zo] = [zp8(r), zp8(r), zp8(r)];
      const x = int8s(r, count(a));
      const y = int8s(r, count(b));
      const got = run(
        [
          { dtype: 'int8', shape: a, q: [sa, za] },
          { dtype: 'int8', shape: b, q: [sb, zb] },
          { dtype: 'int8', shape: out, q: [so, zo] },
        ],
        'SQUARED_DIFFERENCE',
        [0, 1],
        [x, y],
      );
      const twice = 2 * Math.max(sa, sb);
      const m1 = quantizeMultiplier(sa / twice);
      const m2 = quantizeMultiplier(sb / twice);
      const mo = quantizeMultiplier((twice * twice) / f32(16384 * so));
      const want = Array.from({ length: count(out) }, (_, i) => {
        const u = belowOne((x[bIndex(a, out, i)] - za) * 128, m1);
        const v = belowOne((y[bIndex(b, out, i)] - zb) * 128, m2);
        return clamp(mbqm(I32((u - v) * (u - v)), mo.mult, mo.shift) + zo, -128, 127);
      });
      expect(got, `case ${t}`).toEqual(want);
    }
  });

  it('SQUARED_DIFFERENCE int16 (zero points 0, no left shift) saturates at the int16 range', () => {
    // rule: squared_difference.cc int16 path: left_shift 0, output clamped to [-32768, 32767]
    const r = new Rng(1302);
    const n = 64;
    const x = Int16Array.from({ length: n }, () => r.int(-32768, 32767));
    const y = Int16Array.from({ length: n }, () => (r.chance(0.5) ? r.int(-300, 300) : r.int(-32768, 32767)));
    const [sa, sb, so] = [f32(1 / 4096), f32(1 / 2048), f32(1 / 1024)];
    const got = run(
      [
        { dtype: 'int16', shape: [n], q: [sa, 0] },
        { dtype: 'int16', shape: [n], q: [sb, 0] },
        { dtype: 'int16', shape: [n], q: [so, 0] },
      ],
      'SQUARED_DIFFERENCE',
      [0, 1],
      [x, y],
    );
    const twice = 2 * Math.max(sa, sb);
    const [m1, m2] = [quantizeMultiplier(sa / twice), quantizeMultiplier(sb / twice)];
    const mo = quantizeMultiplier((twice * twice) / so);
    const want = Array.from(x, (xv, i) => {
      const d = belowOne(xv, m1) - belowOne(y[i], m2);
      return clamp(mbqm(I32(d * d), mo.mult, mo.shift), -32768, 32767);
    });
    expect(got).toEqual(want);
    expect(got).toContain(32767);
  });

  it('DIV int8: GetReciprocal of the divisor, sign bits of the dividend, one rescale; fused activation', () => {
    // rule: reference div.h DivElementwise / BroadcastDivSlowQuantized, bit-exact, divisor never 0 here
    const r = new Rng(1303);
    for (let t = 0; t < 40; t++) {
      const { a, b, out } = broadcastPair(r);
      const [sa, sb] = [scale(r, 1e-3, 1), scale(r, 1e-3, 1)];
      const so = f32((sa / sb) * r.logUniform(0.01, 1));
      const [za, zb, zo] = [zp8(r), zp8(r), zp8(r)];
      const act = r.pick(['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1'] as const);
      const x = int8s(r, count(a));
      const y = Int8Array.from({ length: count(b) }, () => {
        let v = r.int(-128, 127);
        while (v === zb) v = r.int(-128, 127);
        return v;
      });
      const got = run(
        [
          { dtype: 'int8', shape: a, q: [sa, za] },
          { dtype: 'int8', shape: b, q: [sb, zb] },
          { dtype: 'int8', shape: out, q: [so, zo] },
        ],
        'DIV',
        [0, 1],
        [x, y],
        { fused_activation_function: act },
      );
      const mo = quantizeMultiplier(f32(sa / f32(sb * so)));
      // CalculateActivationRangeQuantized
      const q = (v: number) => zo + Math.round(v / so);
      const lo = act === 'NONE' ? -128 : Math.max(-128, act === 'RELU_N1_TO_1' ? q(-1) : zo);
      const hi = act === 'RELU6' ? Math.min(127, q(6)) : act === 'RELU_N1_TO_1' ? Math.min(127, q(1)) : 127;
      const want = Array.from({ length: count(out) }, (_, i) => {
        let num = x[bIndex(a, out, i)] - za;
        let den = y[bIndex(b, out, i)] - zb;
        if (den < 0) ((num = -num), (den = -den));
        const rc = getReciprocal(den);
        const headroom = num >= 0 ? clz32(num) - 1 : clz32(~num) - 1;
        const uq = srdhm(I32(num * 2 ** headroom), rc.inv);
        const total = mo.shift - rc.shift - headroom;
        return clamp(zo + rdbpot(srdhm(uq, mo.mult), Math.min(-total, 31)), lo, hi);
      });
      expect(got, `case ${t} ${act}`).toEqual(want);
    }
  });

  it('DIV int8 by zero gives the clamp bound of the dividend sign (TFLM leaves it undefined)', () => {
    // rule: the core defines int8 division by zero: +x/0 -> activation max, -x/0 -> min, 0/0 -> zp
    const got = run(
      [
        { dtype: 'int8', shape: [3], q: [0.5, 0] },
        { dtype: 'int8', shape: [1], q: [0.5, 4] },
        { dtype: 'int8', shape: [3], q: [0.1, 3] },
      ],
      'DIV',
      [0, 1],
      [Int8Array.of(5, -5, 0), Int8Array.of(4)],
    );
    expect(got).toEqual([127, -128, 3]);
  });

  it('LESS ... NOT_EQUAL int8 compare the rescaled values, bool output, with broadcasting', () => {
    // rule: comparisons.cc: int8 inputs << 8 then each times its own scale (below one), raw compare
    const r = new Rng(1304);
    const ops = ['LESS', 'LESS_EQUAL', 'GREATER', 'GREATER_EQUAL', 'EQUAL', 'NOT_EQUAL'] as const;
    const cmp = {
      LESS: (u: number, v: number) => u < v,
      LESS_EQUAL: (u: number, v: number) => u <= v,
      GREATER: (u: number, v: number) => u > v,
      GREATER_EQUAL: (u: number, v: number) => u >= v,
      EQUAL: (u: number, v: number) => u === v,
      NOT_EQUAL: (u: number, v: number) => u !== v,
    };
    for (let t = 0; t < 24; t++) {
      const op = ops[t % 6];
      const { a, b, out } = broadcastPair(r);
      // half the cases with the same scale, so equal real values are common
      const sa = scale(r, 1e-3, 0.9);
      const sb = r.chance(0.5) ? sa : scale(r, 1e-3, 0.9);
      const [za, zb] = [zp8(r), r.chance(0.5) ? 0 : zp8(r)];
      const x = int8s(r, count(a));
      const y = int8s(r, count(b));
      const got = run(
        [
          { dtype: 'int8', shape: a, q: [sa, za] },
          { dtype: 'int8', shape: b, q: [sb, zb] },
          { dtype: 'bool', shape: out },
        ],
        op,
        [0, 1],
        [x, y],
      );
      const [m1, m2] = [quantizeMultiplier(sa), quantizeMultiplier(sb)];
      const want = Array.from({ length: count(out) }, (_, i) => {
        const u = belowOne((x[bIndex(a, out, i)] - za) * 256, m1);
        const v = belowOne((y[bIndex(b, out, i)] - zb) * 256, m2);
        return cmp[op](u, v) ? 1 : 0;
      });
      expect(got, `case ${t} ${op}`).toEqual(want);
    }
  });

  it('PRELU int8 and int16 (int8 alpha broadcast per channel): two multipliers', () => {
    // rule: prelu.h BroadcastPrelu4DSlow: x >= 0 ? x * s_in/s_out : x * alpha * s_in * s_alpha / s_out
    const r = new Rng(1305);
    for (const dtype of ['int8', 'int16'] as const) {
      for (let t = 0; t < 10; t++) {
        const c = r.int(1, 6);
        const shape = [r.int(1, 3), r.int(1, 4), c];
        const [si, sal, so] = [scale(r, 1e-3, 1), scale(r, 1e-3, 1), scale(r, 1e-3, 1)];
        const zi = dtype === 'int8' ? zp8(r) : 0;
        const zo = dtype === 'int8' ? zp8(r) : 0;
        const zal = zp8(r);
        const [lo, hi] = dtype === 'int8' ? [-128, 127] : [-32768, 32767];
        const x =
          dtype === 'int8'
            ? int8s(r, count(shape))
            : Int16Array.from({ length: count(shape) }, () => r.int(-32768, 32767));
        const alpha = int8s(r, c);
        const got = run(
          [
            { dtype, shape, q: [si, zi] },
            { dtype: 'int8', shape: [c], q: [sal, zal], data: alpha },
            { dtype, shape, q: [so, zo] },
          ],
          'PRELU',
          [0, 1],
          [x],
        );
        const m1 = quantizeMultiplier(si / so);
        const m2 = quantizeMultiplier((si * sal) / so);
        const want = Array.from(x, (xv, i) => {
          const v = xv - zi;
          const o = v >= 0 ? mbqm(v, m1.mult, m1.shift) : mbqm(v * (alpha[i % c] - zal), m2.mult, m2.shift);
          return clamp(o + zo, lo, hi);
        });
        expect(got, `${dtype} case ${t}`).toEqual(want);
      }
    }
  });

  it('MAXIMUM / MINIMUM compare raw values (quantization ignored) for int8, int16, int32', () => {
    // rule: maximum_minimum.h: el1 > el2 ? el1 : el2 on the stored values, with broadcasting
    const r = new Rng(1306);
    for (const dtype of ['int8', 'int16', 'int32'] as const) {
      const { a, b, out } = broadcastPair(r);
      const gen = (n: number) =>
        dtype === 'int8'
          ? int8s(r, n)
          : dtype === 'int16'
            ? Int16Array.from({ length: n }, () => r.int(-32768, 32767))
            : Int32Array.from({ length: n }, () => r.next() | 0);
      const x = gen(count(a));
      const y = gen(count(b));
      const q: [number, number] | undefined = dtype === 'int8' ? [0.5, 3] : undefined;
      for (const op of ['MAXIMUM', 'MINIMUM']) {
        const got = run(
          [
            { dtype, shape: a, q },
            { dtype, shape: b, q: dtype === 'int8' ? [0.01, -7] : undefined },
            { dtype, shape: out, q },
          ],
          op,
          [0, 1],
          [x, y],
        );
        const want = Array.from({ length: count(out) }, (_, i) => {
          const [u, v] = [x[bIndex(a, out, i)], y[bIndex(b, out, i)]];
          return op === 'MAXIMUM' ? (u > v ? u : v) : u < v ? u : v;
        });
        expect(got, `${dtype} ${op}`).toEqual(want);
      }
    }
  });
});

describe('quantized unary and row ops, TFLite Micro arithmetic', () => {
  it('RSQRT int8 over every input at or above the zero point', () => {
    // rule: elementwise.cc RsqrtEvalQuantized: GetInvSqrtQuantizedMultiplierExp, shift 20, rescale
    const r = new Rng(1307);
    for (let t = 0; t < 12; t++) {
      const [si, so] = [scale(r, 1e-3, 1), scale(r, 1e-3, 0.5)];
      const zi = t < 3 ? -128 : zp8(r);
      const zo = zp8(r);
      const x = Int8Array.from({ length: 128 - zi }, (_, i) => zi + i);
      const got = run(
        [
          { dtype: 'int8', shape: [x.length], q: [si, zi] },
          { dtype: 'int8', shape: [x.length], q: [so, zo] },
        ],
        'RSQRT',
        [0],
        [x],
      );
      const m = quantizeMultiplier(1 / f32(f32(Math.sqrt(si)) * so));
      const want = Array.from(x, (xv) => {
        const v = xv - zi;
        if (v === 0) return 127;
        const is = invSqrt(v);
        const data = mbqm(1, is.inv, is.shift + 20);
        return clamp(mbqm(data, m.mult, m.shift - 20) + zo, -128, 127);
      });
      expect(got, `case ${t}`).toEqual(want);
    }
  });

  it('ABS int8: |x - zp| rescaled when the scales differ; int16 quantized with zero points 0', () => {
    // rule: elementwise.cc AbsEvalQuantized: MultiplyByQuantizedMultiplier(|x - zp_in|) + zp_out, clamped
    const r = new Rng(1308);
    for (let t = 0; t < 10; t++) {
      const si = scale(r, 1e-3, 1);
      const so = t % 3 === 0 ? si : scale(r, 1e-3, 1);
      const [zi, zo] = [zp8(r), zp8(r)];
      const x = Int8Array.from({ length: 256 }, (_, i) => i - 128);
      const got = run(
        [
          { dtype: 'int8', shape: [256], q: [si, zi] },
          { dtype: 'int8', shape: [256], q: [so, zo] },
        ],
        'ABS',
        [0],
        [x],
      );
      const m = quantizeMultiplier(f32(si / so));
      const want = Array.from(x, (xv) => {
        const v = Math.abs(xv - zi);
        return clamp((si === so ? v : mbqm(v, m.mult, m.shift)) + zo, -128, 127);
      });
      expect(got, `case ${t}`).toEqual(want);
    }
    const h = Int16Array.of(-32768, -32767, -3, 0, 32767);
    const got16 = run(
      [
        { dtype: 'int16', shape: [5], q: [0.001, 0] },
        { dtype: 'int16', shape: [5], q: [0.002, 0] },
      ],
      'ABS',
      [0],
      [h],
    );
    const m = quantizeMultiplier(f32(f32(0.001) / f32(0.002)));
    expect(got16).toEqual(Array.from(h, (v) => clamp(mbqm(Math.abs(v), m.mult, m.shift), -32768, 32767)));
  });

  it('ELU int8 through the 256-entry table TFLite Micro fills at prepare with float arithmetic', () => {
    // rule: elu.cc PopulateLookupTable: dequantize in float32, x < 0 ? expf(x) - 1 : x, round(y / s_out) + zp;
    // expf comes from the C library (issue 13): an entry may sit 1 step off where y / s_out is within
    // an ulp of a half, so every entry is within 1 and nearly all are equal
    const r = new Rng(1314);
    const x = Int8Array.from({ length: 256 }, (_, i) => i - 128);
    for (let t = 0; t < 8; t++) {
      const [si, so] = [scale(r, 0.005, 0.1), scale(r, 0.005, 0.1)];
      const [zi, zo] = [zp8(r), zp8(r)];
      const got = run(
        [
          { dtype: 'int8', shape: [256], q: [si, zi] },
          { dtype: 'int8', shape: [256], q: [so, zo] },
        ],
        'ELU',
        [0],
        [x],
      );
      const inv = f32(1 / so);
      const want = Array.from(x, (v) => {
        const dq = f32(si * (v - zi));
        const y = dq < 0 ? f32(f32(Math.exp(dq)) - 1) : dq;
        const p = f32(y * inv);
        return clamp(Math.sign(p) * Math.round(Math.abs(p)) + zo, -128, 127);
      });
      const off = got.filter((g, i) => g !== want[i]);
      got.forEach((g, i) => expect(Math.abs(g - want[i]), `case ${t} x=${x[i]}`).toBeLessThanOrEqual(1));
      expect(off.length, `case ${t}`).toBeLessThanOrEqual(2);
    }
  });

  it('L2_NORMALIZATION int8 writes Q0.7 from the inverse square root of the sum of squares', () => {
    // rule: integer_ops/l2normalization.h: (x - zp) * invsqrt(sum (x - zp)^2), shift + 7, clamped
    const r = new Rng(1309);
    for (let t = 0; t < 10; t++) {
      const depth = r.pick([1, 2, 3, 16, 100]);
      const rows = r.int(1, 4);
      const zi = zp8(r);
      const x = r.chance(0.2) ? new Int8Array(rows * depth).fill(zi) : int8s(r, rows * depth);
      const got = run(
        [
          { dtype: 'int8', shape: [rows, depth], q: [scale(r, 1e-3, 1), zi] },
          { dtype: 'int8', shape: [rows, depth], q: [1 / 128, 0] },
        ],
        'L2_NORMALIZATION',
        [0],
        [x],
      );
      const want: number[] = [];
      for (let row = 0; row < rows; row++) {
        const v = Array.from(x.subarray(row * depth, (row + 1) * depth), (xv) => xv - zi);
        const is = invSqrt(v.reduce((s, e) => s + e * e, 0));
        for (const e of v) want.push(clamp(mbqm(e, is.inv, is.shift + 7), -128, 127));
      }
      expect(got, `case ${t}`).toEqual(want);
    }
  });

  it('LOG_SOFTMAX int8 bit for bit: Q5.26 differences, exp summed in Q12.19, log in Q5.26', () => {
    // rule: reference_ops::LogSoftmaxQuantized with PreprocessLogSoftmaxScalingExp (beta 1, 5 integer bits)
    const r = new Rng(1313);
    for (let t = 0; t < 16; t++) {
      const depth = r.pick([1, 2, 5, 16, 33, 100]);
      const si = scale(r, 0.005, 1);
      const x = int8s(r, 2 * depth);
      const got = run(
        [
          { dtype: 'int8', shape: [2, depth], q: [si, r.int(-128, 127)] },
          { dtype: 'int8', shape: [2, depth], q: [16 / 256, 127] },
        ],
        'LOG_SOFTMAX',
        [0],
        [x],
      );
      const m = quantizeMultiplier(Math.min(si * 2 ** 26, 2 ** 31 - 1));
      const rev = quantizeMultiplier(2 ** (31 - m.shift) / m.mult);
      const diffMin = -Math.floor((31 * 2 ** 26) / 2 ** m.shift);
      const want: number[] = [];
      for (let row = 0; row < 2; row++) {
        const v = Array.from(x.subarray(row * depth, (row + 1) * depth));
        const mx = Math.max(...v);
        let sum = 0;
        for (const e of v)
          if (e - mx >= diffMin)
            sum = I32(sum + rdbpot(expOnNegativeValues(mbqm(e - mx, m.mult, m.shift), 5), 12));
        const logSum = logXGe1(sum, 12, 5);
        const adjusted = Math.max(diffMin - 1, mbqm(I32(logSum - 2 ** 31), rev.mult, rev.shift));
        for (const e of v)
          want.push(
            e - mx > adjusted
              ? clamp(rdbpot(I32(mbqm(e - mx, m.mult, m.shift) - logSum), 22) + 127, -128, 127)
              : -128,
          );
      }
      expect(got, `case ${t}`).toEqual(want);
    }
  });

  it('LOG_SOFTMAX int8 is within 1 LSB of the real log-softmax (output 16/256, zero point 127)', () => {
    // rule: log_softmax.cc int8: fixed-point exp / log, output quantized at 1/16 with zero point 127
    const r = new Rng(1310);
    for (let t = 0; t < 10; t++) {
      const depth = r.int(1, 40);
      const si = scale(r, 0.01, 0.3);
      const x = int8s(r, 2 * depth);
      const got = run(
        [
          { dtype: 'int8', shape: [2, depth], q: [si, 0] },
          { dtype: 'int8', shape: [2, depth], q: [16 / 256, 127] },
        ],
        'LOG_SOFTMAX',
        [0],
        [x],
      );
      for (let row = 0; row < 2; row++) {
        const v = Array.from(x.subarray(row * depth, (row + 1) * depth), (e) => e * si);
        const mx = Math.max(...v);
        const lse = Math.log(v.reduce((s, e) => s + Math.exp(e - mx), 0));
        v.forEach((e, c) => {
          const real = clamp(Math.round((e - mx - lse) * 16) + 127, -128, 127);
          expect(Math.abs(got[row * depth + c] - real), `case ${t} [${row},${c}]`).toBeLessThanOrEqual(1);
        });
      }
    }
  });
});

/** float32 values: ordinary, exact halves, signed zeros, infinities, NaN. */
function floats(r: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () =>
    r.pick([
      (r.int(-2000, 2000) / 100) * r.pick([1, 1, 0.01, 1000]),
      r.int(-20, 20) / 2,
      r.pick([0, -0, Infinity, -Infinity, NaN, 3.4e38]),
    ]),
  );
}
const same = (got: number[], want: number[]) =>
  expect(got.map(String)).toEqual(want.map((v) => String(f32(v))));

describe('float32 element-wise ops', () => {
  it('binary: SQUARED_DIFFERENCE, MAXIMUM, MINIMUM, DIV (+-FLT_MAX clamp), PRELU, FLOOR_DIV, FLOOR_MOD, with broadcasting', () => {
    // rule: float32 binary ops compute in float32; DIV's NONE clamps to the float range (CalculateActivationRange)
    const r = new Rng(1311);
    const FLT_MAX = f32(3.4028234663852886e38);
    const ops: Record<string, (u: number, v: number) => number> = {
      SQUARED_DIFFERENCE: (u, v) => f32(f32(u - v) * f32(u - v)),
      MAXIMUM: (u, v) => (u > v ? u : v),
      MINIMUM: (u, v) => (u < v ? u : v),
      DIV: (u, v) => {
        const q = f32(u / v);
        return Number.isNaN(q) ? q : clamp(q, -FLT_MAX, FLT_MAX);
      },
      PRELU: (u, v) => (u >= 0 ? u : f32(u * v)),
      FLOOR_DIV: (u, v) => f32(Math.floor(u / v)),
      FLOOR_MOD: (u, v) => {
        // fmodf is exact; moved to the divisor's sign with one float32 add
        const m = u % v;
        return m !== 0 && v < 0 !== m < 0 ? f32(m + v) : m;
      },
    };
    for (const [op, fn] of Object.entries(ops)) {
      for (let t = 0; t < 4; t++) {
        const { a, b, out } = broadcastPair(r);
        const x = floats(r, count(a));
        const y = floats(r, count(b));
        const constant = op === 'PRELU';
        const got = run(
          [
            { dtype: 'float32', shape: a },
            { dtype: 'float32', shape: b, data: constant ? y : undefined },
            { dtype: 'float32', shape: out },
          ],
          op,
          [0, 1],
          constant ? [x] : [x, y],
        );
        same(
          got,
          Array.from({ length: count(out) }, (_, i) => fn(x[bIndex(a, out, i)], y[bIndex(b, out, i)])),
        );
      }
    }
  });

  it('unary exact: NEG, ABS, SQUARE, FLOOR, CEIL, ROUND (half to even), SQRT, RSQRT', () => {
    // rule: reference floor/ceil/round (RoundToNearest) and std::sqrt on float32 are exact IEEE results
    const r = new Rng(1312);
    const x = floats(r, 200);
    const roundHalfEven = (v: number) => {
      const fl = Math.floor(v);
      const diff = f32(v - fl);
      return diff < 0.5 || (diff === 0.5 && fl % 2 === 0) ? fl : fl + 1;
    };
    const ops: Record<string, (v: number) => number> = {
      NEG: (v) => -v,
      ABS: (v) => Math.abs(v),
      SQUARE: (v) => f32(v * v),
      FLOOR: Math.floor,
      CEIL: Math.ceil,
      ROUND: roundHalfEven,
      SQRT: (v) => f32(Math.sqrt(v)),
      RSQRT: (v) => f32(1 / f32(Math.sqrt(v))),
    };
    for (const [op, fn] of Object.entries(ops)) {
      const got = run(
        [
          { dtype: 'float32', shape: [200] },
          { dtype: 'float32', shape: [200] },
        ],
        op,
        [0],
        [x],
      );
      same(got, Array.from(x, fn));
    }
  });

  it('unary transcendental: EXP, LOG, SIN, COS, ELU within a relative 1e-5', () => {
    // rule: float32 ops that call the C math library are compared with relative 1e-5 (issue 13)
    const x = Float32Array.from({ length: 50 }, (_, i) => f32((i - 20) / 7));
    const ops: Record<string, (v: number) => number> = {
      EXP: Math.exp,
      LOG: Math.log,
      SIN: Math.sin,
      COS: Math.cos,
      ELU: (v) => (v < 0 ? Math.expm1(v) : v),
    };
    for (const [op, fn] of Object.entries(ops)) {
      const got = run(
        [
          { dtype: 'float32', shape: [50] },
          { dtype: 'float32', shape: [50] },
        ],
        op,
        [0],
        [x],
      );
      got.forEach((g, i) => {
        const w = fn(x[i]);
        if (Number.isNaN(w)) expect(g, `${op}(${x[i]})`).toBeNaN();
        else if (!Number.isFinite(w)) expect(g, `${op}(${x[i]})`).toBe(w);
        else expect(Math.abs(g - w), `${op}(${x[i]})`).toBeLessThanOrEqual(1e-5 * Math.abs(w) + 1e-30);
      });
    }
  });

  it('LOG_SOFTMAX and L2_NORMALIZATION float32 over the last axis', () => {
    // rule: reference log_softmax (float sum of expf) within 1e-5; l2normalization x / max(norm, 1e-6) exact
    const x = Float32Array.from([1, 2, 3, -4, 0, 0.5, 3, 4, 0, 0, 0, 0]);
    const ls = run(
      [
        { dtype: 'float32', shape: [4, 3] },
        { dtype: 'float32', shape: [4, 3] },
      ],
      'LOG_SOFTMAX',
      [0],
      [x],
    );
    for (let row = 0; row < 4; row++) {
      const v = Array.from(x.subarray(3 * row, 3 * row + 3));
      const mx = Math.max(...v);
      const lse = Math.log(v.reduce((s, e) => s + Math.exp(e - mx), 0));
      v.forEach((e, c) =>
        expect(Math.abs(ls[3 * row + c] - (e - mx - lse))).toBeLessThanOrEqual(
          1e-5 * Math.abs(e - mx - lse) + 1e-7,
        ),
      );
    }
    const l2 = run(
      [
        { dtype: 'float32', shape: [4, 3] },
        { dtype: 'float32', shape: [4, 3] },
      ],
      'L2_NORMALIZATION',
      [0],
      [x],
    );
    const want: number[] = [];
    for (let row = 0; row < 4; row++) {
      const v = Array.from(x.subarray(3 * row, 3 * row + 3));
      let sq = 0;
      for (const e of v) sq = f32(sq + f32(e * e));
      const norm = Math.max(f32(Math.sqrt(sq)), f32(1e-6));
      for (const e of v) want.push(f32(e / norm));
    }
    same(l2, want);
  });
});

describe('CAST, comparisons, logical ops and SELECT_V2 on raw values', () => {
  const cases: { from: DType; to: DType; x: TensorData; want: number[] }[] = [
    // float -> int: truncation through int32; NaN and out-of-range give INT32_MIN (x86), then narrowed
    {
      from: 'float32',
      to: 'int32',
      x: Float32Array.of(1.9, -1.9, NaN, 3e9, -0),
      want: [1, -1, -(2 ** 31), -(2 ** 31), 0],
    },
    { from: 'float32', to: 'int8', x: Float32Array.of(300.5, -129, 127.9), want: [44, 127, 127] },
    { from: 'float32', to: 'int16', x: Float32Array.of(40000, -2.5), want: [-25536, -2] },
    // int -> narrower int wraps; int -> float rounds to nearest float32
    { from: 'int32', to: 'int8', x: Int32Array.of(257, -129, 70000), want: [1, 127, 112] },
    { from: 'int32', to: 'float32', x: Int32Array.of(16777217, -3), want: [16777216, -3] },
    { from: 'int16', to: 'int32', x: Int16Array.of(-32768, 5), want: [-32768, 5] },
    { from: 'int8', to: 'float32', x: Int8Array.of(-128, 7), want: [-128, 7] },
    { from: 'bool', to: 'int32', x: Uint8Array.of(0, 1), want: [0, 1] },
  ];
  for (const c of cases) {
    it(`CAST ${c.from} -> ${c.to}`, () => {
      // rule: cast.cc copyCast is static_cast of the raw values (no quantization involved)
      const n = c.want.length;
      const got = run(
        [
          { dtype: c.from, shape: [n] },
          { dtype: c.to, shape: [n] },
        ],
        'CAST',
        [0],
        [c.x],
      );
      expect(got).toEqual(c.want);
    });
  }

  it('CAST to bool and from int64 are refused, naming the type', () => {
    // rule: TFLM's CAST has no bool output and no int64 input (uint32 it takes: the signal front end's): refused at load
    const m = (from: DType, to: DType) =>
      oneOpModel({
        op: 'CAST',
        tensors: [
          { dtype: from, shape: [2] },
          { dtype: to, shape: [2] },
        ],
        inputs: [0],
        outputs: [1],
      });
    expect(() => prepare(m('int32', 'bool'))).toThrow(/CAST output type not supported/);
    expect(() => prepare(m('int64', 'int32'))).toThrow(
      /CAST takes int8, int16, int32, uint32, float32 or bool/,
    );
  });

  it('comparisons on float32 (NaN unordered), int32, int64 and bool (EQUAL only); LESS on bool refused', () => {
    // rule: comparisons.cc NoScaling paths compare raw values; its type switch per op is the refusal list
    const cmp = (op: string, dtype: DType, x: TensorData, y: TensorData) =>
      run(
        [
          { dtype, shape: [x.length] },
          { dtype, shape: [1] },
          { dtype: 'bool', shape: [x.length] },
        ],
        op,
        [0, 1],
        [x, y],
      );
    expect(cmp('LESS', 'float32', Float32Array.of(NaN, 1, -0, 2), Float32Array.of(1))).toEqual([0, 0, 1, 0]);
    expect(cmp('NOT_EQUAL', 'float32', Float32Array.of(NaN, 1, -0), Float32Array.of(NaN))).toEqual([1, 1, 1]);
    expect(cmp('GREATER_EQUAL', 'int32', Int32Array.of(-5, 5, 6), Int32Array.of(5))).toEqual([0, 1, 1]);
    expect(cmp('GREATER', 'int64', BigInt64Array.of(2n ** 40n, -1n), BigInt64Array.of(0n))).toEqual([1, 0]);
    expect(cmp('EQUAL', 'bool', Uint8Array.of(0, 1), Uint8Array.of(1))).toEqual([0, 1]);
    expect(() => cmp('LESS', 'bool', Uint8Array.of(0, 1), Uint8Array.of(1))).toThrow(
      /LESS \/ LESS_EQUAL \/ GREATER \/ GREATER_EQUAL take float32, int32, int64 or int8/,
    );
  });

  it('an int8 comparison with a scale of 1 or more is refused (QuantizeMultiplierSmallerThanOneExp)', () => {
    // rule: TFLM aborts in prepare unless each int8 input scale is below 1: the core refuses the model
    const m = oneOpModel({
      op: 'GREATER',
      tensors: [
        { dtype: 'int8', shape: [2], q: [1.5, 0] },
        { dtype: 'int8', shape: [2], q: [0.5, 0] },
        { dtype: 'bool', shape: [2] },
      ],
      inputs: [0, 1],
      outputs: [2],
    });
    expect(() => prepare(m)).toThrow(/rescale factor outside \(0, 1\)/);
  });

  it('LOGICAL_AND / LOGICAL_OR broadcast, LOGICAL_NOT', () => {
    // rule: logical.cc over bools with BroadcastBinaryFunction4DSlow; elementwise.cc LOGICAL_NOT
    const bin = (op: string) =>
      run(
        [
          { dtype: 'bool', shape: [2, 2] },
          { dtype: 'bool', shape: [2, 1] },
          { dtype: 'bool', shape: [2, 2] },
        ],
        op,
        [0, 1],
        [Uint8Array.of(0, 1, 0, 1), Uint8Array.of(0, 1)],
      );
    expect(bin('LOGICAL_AND')).toEqual([0, 0, 0, 1]);
    expect(bin('LOGICAL_OR')).toEqual([0, 1, 1, 1]);
    const not = run(
      [
        { dtype: 'bool', shape: [3] },
        { dtype: 'bool', shape: [3] },
      ],
      'LOGICAL_NOT',
      [0],
      [Uint8Array.of(0, 1, 0)],
    );
    expect(not).toEqual([1, 0, 1]);
  });

  it('SELECT_V2 broadcasts condition, x and y (int8 copies raw bytes, int16, float32)', () => {
    // rule: select.cc BroadcastSelect5DSlow: condition ? x : y, no requantization
    const sel = (dtype: DType, x: TensorData, y: TensorData) =>
      run(
        [
          { dtype: 'bool', shape: [2, 1] },
          { dtype, shape: [1, 3], q: dtype === 'int8' ? [0.5, 1] : undefined },
          { dtype, shape: [1], q: dtype === 'int8' ? [0.25, -3] : undefined },
          { dtype, shape: [2, 3], q: dtype === 'int8' ? [1, 0] : undefined },
        ],
        'SELECT_V2',
        [0, 1, 2],
        [Uint8Array.of(1, 0), x, y],
      );
    expect(sel('int8', Int8Array.of(1, 2, 3), Int8Array.of(-9))).toEqual([1, 2, 3, -9, -9, -9]);
    expect(sel('int16', Int16Array.of(1000, 2000, 3000), Int16Array.of(-1))).toEqual([
      1000, 2000, 3000, -1, -1, -1,
    ]);
    expect(sel('float32', Float32Array.of(0.5, 1.5, 2.5), Float32Array.of(-0.25))).toEqual([
      0.5, 1.5, 2.5, -0.25, -0.25, -0.25,
    ]);
  });

  it('SELECT (v1) is refused: TFLite Micro registers SELECT_V2 only', () => {
    // rule: ops TFLM does not have stay refused
    const m = oneOpModel({
      op: 'SELECT',
      tensors: [
        { dtype: 'bool', shape: [2] },
        { dtype: 'float32', shape: [2] },
        { dtype: 'float32', shape: [2] },
        { dtype: 'float32', shape: [2] },
      ],
      inputs: [0, 1, 2],
      outputs: [3],
    });
    expect(() => prepare(m)).toThrow(/SELECT/);
  });
});
