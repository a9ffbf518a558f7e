/**
 * int16 LOGISTIC and TANH (16x8 quantization) through the WebAssembly core, bit for bit against
 * TFLite Micro's arithmetic worked out here: prepare's input rescale (logistic_common.cc,
 * tanh_common.cc: scale * 4096 * 3 doubled while <= 16383.5, truncated; the power-of-two case
 * for scale 2^-12) and reference_integer_ops::Logistic / Tanh for int16 (a 256-entry sigmoid
 * table in 0.16, interpolated on |x|, mirrored for negative x); SOFTMAX int16 as
 * reference_ops::SoftmaxInt16 with softmax_common.cc's tables (LUTPopulate<int16_t>: float32 math).
 */
import { describe, expect, it } from 'vitest';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { oneOpModel } from '../../helpers/compute-op-models.ts';
import { Rng } from '../../helpers/one-op-models.ts';
import { mbqm, quantizeMultiplier } from '../../helpers/tflm-arith.ts';

type Kind = 'LOGISTIC' | 'TANH';

/** TFLM's sigmoid_table_uint16 by the rule that reproduces it: F(x) = 65536 * sigmoid(x / 24),
 * each node raised by half the chord's sag at the interval midpoint, last entry 65535. */
function sigmoidTable(): number[] {
  const f = (x: number) => 65536 / (1 + Math.exp(-x / 24));
  const t: number[] = [];
  for (let i = 0; i < 255; i++) t.push(Math.floor(f(i) + (f(i + 0.5) - (f(i) + f(i + 1)) / 2) / 2 + 0.5));
  t.push(65535);
  return t;
}
const TABLE = sigmoidTable();

/** Prepare's multiplier and left shift for an int16 input scale (float32, as stored). */
function rescale(scale: number): { mult: number; shift: number } {
  const s = Math.fround(scale);
  const l2 = Math.fround(Math.log(s) / Math.log(2));
  const r = Math.floor(l2 + 0.5);
  if (Math.abs(Math.fround(l2 - r)) < 1e-3 && r === -12) return { mult: 3, shift: 0 };
  let m = s * 4096 * 3;
  let shift = 0;
  while (m <= 32767 / 2 && shift <= 30) {
    shift++;
    m *= 2;
  }
  return { mult: Math.trunc(m), shift };
}

/** TFLM's int16 output for input v. */
function reference(kind: Kind, scale: number, xs: Int16Array): number[] {
  const { mult, shift } = rescale(scale);
  const round = shift > 0 ? 2 ** (shift - 1) : 0;
  return Array.from(xs, (v) => {
    const x = Math.floor((v * mult + round) / 2 ** shift);
    const a = Math.abs(x);
    if (kind === 'LOGISTIC') {
      const uh = Math.floor(a / 512);
      let r = uh >= 255 ? 0x7fff * 1024 : TABLE[uh] * 512 + (a % 512) * (TABLE[uh + 1] - TABLE[uh]);
      r = x >= 0 ? r + 512 : 2 ** 25 - r + 511;
      return Math.floor(r / 1024);
    }
    const uh = Math.floor(a / 256);
    let r = uh >= 255 ? 0xffff * 256 : TABLE[uh] * 256 + (a % 256) * (TABLE[uh + 1] - TABLE[uh]);
    r = x >= 0 ? r - 2 ** 23 + 128 : -r + 2 ** 23 + 127;
    return Math.floor(r / 256);
  });
}

function model(kind: Kind, n: number, inQ: [number, number], outQ: [number, number]) {
  return oneOpModel({
    op: kind,
    tensors: [
      { dtype: 'int16', shape: [1, n], q: inQ },
      { dtype: 'int16', shape: [1, n], q: outQ },
    ],
    inputs: [0],
    outputs: [1],
  });
}

const ALL = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

describe('int16 LOGISTIC and TANH in the core', () => {
  it('the generated table is TFLM sigmoid_table_uint16 at spot entries', () => {
    // rule: entries read from TFLM common.h (4 and 8: where plain rounding of 65536*sigmoid(i/24) is 1 low)
    expect([0, 1, 4, 8, 174, 254, 255].map((i) => TABLE[i])).toEqual([
      32768, 33451, 35493, 38180, 65489, 65534, 65535,
    ]);
  });

  for (const kind of ['LOGISTIC', 'TANH'] as const) {
    it(`${kind} int16 is bit-exact over every int16 input at power-of-two and random scales`, () => {
      // rule: TFLM's int16 rescale (incl. the 2^-12 power-of-two case) + table interpolation, all 65536 inputs
      const r = new Rng(kind === 'LOGISTIC' ? 13 : 31);
      const scales = [
        2 ** -12,
        2 ** -11,
        2 ** -15,
        1e-4,
        ...Array.from({ length: 4 }, () => r.logUniform(1e-6, 5)),
      ];
      for (const scale of scales) {
        const pm = prepare(model(kind, ALL.length, [scale, 0], [1 / 32768, 0]));
        const got = Array.from(invoke(pm, [ALL]).outputs[0].data as Int16Array);
        const want = reference(kind, scale, ALL);
        const bad = got.findIndex((g, i) => g !== want[i]);
        expect(bad, `${kind} scale ${scale}: input ${ALL[bad]} gave ${got[bad]}, TFLM ${want[bad]}`).toBe(-1);
      }
    });
  }

  it('refuses an int16 output scale other than 2^-15 and a nonzero zero point, naming the problem', () => {
    // rule: TFLM requires output scale 2^-15 and symmetric int16 tensors; a clear message, no crash
    expect(() => prepare(model('LOGISTIC', 4, [1 / 4096, 0], [1 / 256, 0]))).toThrow(/2\^-15/);
    expect(() => prepare(model('TANH', 4, [1 / 4096, 5], [1 / 32768, 0]))).toThrow(/zero point/);
  });
});

const fr = Math.fround;
/** roundf: half away from zero, on a float32. */
const roundf = (x: number) => fr(Math.sign(x) * Math.floor(Math.abs(x) + 0.5));

/** TFLM's LUTPopulate<int16_t>, every operation in float32 (expf as the correctly rounded exp). */
function lutPopulate16(
  inScale: number,
  inZp: number,
  outScale: number,
  outZp: number,
  fn: (x: number) => number,
): number[] {
  const inMin = fr(fr(inScale) * (-32768 - inZp));
  const inMax = fr(fr(inScale) * (32767 - inZp));
  const outMin = fr(fr(outScale) * (-32768 - outZp));
  const outMax = fr(fr(outScale) * (32767 - outZp));
  const step = fr(fr(inMax - inMin) / 512);
  const half = fr(step / 2);
  const inv = fr(65536 / fr(outMax - outMin));
  const clamp = (v: number) => Math.min(Math.max(v, -32768), 32767);
  const lut: number[] = [];
  for (let i = 0; i < 512; i++) {
    const x = fr(inMin + fr(i * step));
    const val = fn(x);
    const mid = fn(fr(x + half));
    const next = fn(fr(inMin + fr((i + 1) * step)));
    const sample = roundf(fr(val * inv));
    const interp = roundf(fr(fr(fr(next * inv) + roundf(fr(val * inv))) / 2));
    const err = fr(interp - roundf(fr(mid * inv)));
    lut.push(clamp(fr(sample - roundf(fr(err / 2)))));
  }
  lut.push(clamp(roundf(fr(fn(inMax) * inv))));
  return lut;
}
const EXP_LUT = lutPopulate16(fr(10 / 65535), 32767, fr(2 / 65535), 0, (x) => fr(Math.exp(x)));
const ONE_LUT = lutPopulate16(fr(1 / 65535), -32768, fr(2 / 65535), 0, (x) => fr(1 / fr(1 + x)));

/** TFLM's int16 LUT lookup: 9-bit index, 7 interpolated bits, rounded half up. */
function lookup(v: number, lut: number[]): number {
  const idx = 256 + (v >> 7);
  const slope = lut[idx + 1] - lut[idx];
  return lut[idx] + ((slope * (v & 0x7f) + 64) >> 7);
}
const sat16 = (v: number) => Math.min(Math.max(v, -32768), 32767);

function softmax16Reference(scale: number, beta: number, depth: number, xs: Int16Array): number[] {
  const { mult, shift } = quantizeMultiplier((Math.fround(scale) * Math.fround(beta)) / (10 / 65535));
  const out: number[] = [];
  for (let r = 0; r < xs.length; r += depth) {
    const row = Array.from(xs.subarray(r, r + depth));
    const mx = Math.max(...row);
    const e = row.map((v) => lookup(sat16(mbqm(v - mx, mult, shift) + 32767), EXP_LUT));
    const sum = e.reduce((a, b) => a + b, 0);
    const h = Math.clz32(sum);
    const shifted = Number(((BigInt(sum) << BigInt(h - 1)) + 8192n) >> 14n);
    const recip = lookup(sat16(shifted - 98304), ONE_LUT);
    const rs = 31 - h;
    for (const v of e)
      out.push(Math.min(Math.max(Math.floor((v * recip + 2 ** (rs - 1)) / 2 ** rs), 0), 32767));
  }
  return out;
}

describe('int16 SOFTMAX in the core', () => {
  it('is bit-exact with SoftmaxInt16 and its float32 tables over random rows, scales and betas', () => {
    // rule: TFLM SoftmaxInt16 (exp/1+x LUTs from LUTPopulate<int16_t>, input_scale*beta/(10/65535) multiplier)
    const r = new Rng(77);
    for (let k = 0; k < 12; k++) {
      const depth = r.pick([1, 2, 3, 10, 17, 64, 1000]);
      const outer = r.int(1, 4);
      const scale = r.logUniform(1e-5, 1e-2);
      const beta = r.pick([1, 1, 0.5, 2.5]);
      const xs = Int16Array.from({ length: depth * outer }, () =>
        r.chance(0.1) ? r.pick([-32768, 32767]) : r.int(-32768, 32767),
      );
      const pm = prepare(
        oneOpModel({
          op: 'SOFTMAX',
          tensors: [
            { dtype: 'int16', shape: [outer, depth], q: [scale, 0] },
            { dtype: 'int16', shape: [outer, depth], q: [1 / 32768, 0] },
          ],
          inputs: [0],
          outputs: [1],
          options: { beta },
        }),
      );
      const got = Array.from(invoke(pm, [xs]).outputs[0].data as Int16Array);
      const want = softmax16Reference(scale, beta, depth, xs);
      const bad = got.findIndex((g, i) => g !== want[i]);
      expect(
        bad,
        `case ${k} (depth ${depth}, scale ${scale}, beta ${beta}): element ${bad} ${got[bad]} vs ${want[bad]}`,
      ).toBe(-1);
    }
  });
});
