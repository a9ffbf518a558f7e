/**
 * QuantizeMultiplier / MultiplyByQuantizedMultiplier against hand-computed vectors and against a
 * BigInt transcription of the gemmlowp definitions (exact 64-bit arithmetic) on random int32s.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  activationRangeQuantized,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  rdbpot,
  roundHalfAway,
  srdhm,
} from '../../../src-main/core/simulate/quant-math.ts';

const MIN = -2147483648;
const MAX = 2147483647;

/** gemmlowp SaturatingRoundingDoublingHighMul with int64 arithmetic, C truncating division. */
function srdhmRef(a: number, b: number): number {
  if (a === MIN && b === MIN) return MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates like C
}

function rdbpotRef(x: number, e: number): number {
  const mask = (1n << BigInt(e)) - 1n;
  const bx = BigInt(x);
  const rem = bx & mask;
  const thr = (mask >> 1n) + (bx < 0n ? 1n : 0n);
  return Number((bx >> BigInt(e)) + (rem > thr ? 1n : 0n));
}

function mbqmRef(x: number, m: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const shifted = Number(BigInt.asIntN(32, BigInt(x) << BigInt(left)));
  return rdbpotRef(srdhmRef(shifted, m), right);
}

describe('SaturatingRoundingDoublingHighMul', () => {
  it('hand vectors', () => {
    expect(srdhm(MIN, MIN)).toBe(MAX); // the single overflow case saturates
    expect(srdhm(1 << 30, 1 << 30)).toBe(1 << 29); // 0.5 * 0.5 = 0.25
    expect(srdhm(-(1 << 30), 1 << 30)).toBe(-(1 << 29));
    expect(srdhm(MAX, MAX)).toBe(2147483646);
    expect(srdhm(MIN, MAX)).toBe(-2147483647);
    expect(srdhm(101, 1 << 30)).toBe(51); // 50.5 rounds up
    expect(srdhm(-101, 1 << 30)).toBe(-50); // -50.5: nudge 1-2^30 rounds toward +inf
    expect(srdhm(0, MIN)).toBe(0);
    expect(srdhm(-1, MIN)).toBe(1);
  });

  it('equals the int64 definition on random int32 pairs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MIN, max: MAX }),
        fc.integer({ min: MIN, max: MAX }),
        (a, b) => srdhm(a, b) === srdhmRef(a, b),
      ),
      { numRuns: 20000 },
    );
  });
});

describe('RoundingDivideByPOT', () => {
  it('hand vectors: ties away from zero', () => {
    expect(rdbpot(5, 1)).toBe(3);
    expect(rdbpot(-5, 1)).toBe(-3);
    expect(rdbpot(-4, 1)).toBe(-2);
    expect(rdbpot(-500, 3)).toBe(-63); // -62.5
    expect(rdbpot(500, 3)).toBe(63);
    expect(rdbpot(MIN, 31)).toBe(-1);
    expect(rdbpot(MAX, 31)).toBe(1);
    expect(rdbpot(7, 0)).toBe(7);
  });

  it('equals the definition for random values and exponents 0..31', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MIN, max: MAX }),
        fc.integer({ min: 0, max: 31 }),
        (x, e) => rdbpot(x, e) === rdbpotRef(x, e),
      ),
      { numRuns: 20000 },
    );
  });
});

describe('MultiplyByQuantizedMultiplier', () => {
  it('hand vectors (per-tensor scales, negative values, left and right shifts)', () => {
    expect(multiplyByQuantizedMultiplier(1000, 1 << 30, -3)).toBe(63); // 1000 * 0.5 / 8 = 62.5
    expect(multiplyByQuantizedMultiplier(-1000, 1 << 30, -3)).toBe(-63);
    expect(multiplyByQuantizedMultiplier(3, 1 << 30, 2)).toBe(6); // 3 * 0.5 * 4
    expect(multiplyByQuantizedMultiplier(MIN, 1 << 30, 0)).toBe(-(1 << 30));
    expect(multiplyByQuantizedMultiplier(123456, 0, 0)).toBe(0);
    // A real per-channel case: acc 24000, effective scale 0.0037 -> 88.8 -> 89.
    const q = quantizeMultiplier(0.0037);
    expect(multiplyByQuantizedMultiplier(24000, q.multiplier, q.shift)).toBe(89);
    expect(multiplyByQuantizedMultiplier(-24000, q.multiplier, q.shift)).toBe(-89);
  });

  it('equals the definition for random accumulators, multipliers and shifts -31..30', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MIN, max: MAX }),
        fc.integer({ min: 1 << 30, max: MAX }),
        fc.integer({ min: -31, max: 30 }),
        (x, m, s) => multiplyByQuantizedMultiplier(x, m, s) === mbqmRef(x, m, s),
      ),
      { numRuns: 20000 },
    );
  });
});

describe('QuantizeMultiplier', () => {
  it('hand vectors', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 1 << 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 1 << 30, shift: 1 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    expect(quantizeMultiplier(3)).toEqual({ multiplier: 1610612736, shift: 2 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(2 ** -40)).toEqual({ multiplier: 0, shift: 0 }); // shift < -31 flushes
    // The significand rounds up to 2^31 and is renormalised.
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 1 << 30, shift: 1 });
  });

  it('reconstructs the real multiplier to 31 bits', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e4, noNaN: true }), (r) => {
        const { multiplier, shift } = quantizeMultiplier(r);
        return Math.abs((multiplier / 2 ** 31) * 2 ** shift - r) <= r * 2 ** -30;
      }),
    );
  });

  it('TfLiteRound rounds halves away from zero', () => {
    expect(roundHalfAway(2.5)).toBe(3);
    expect(roundHalfAway(-2.5)).toBe(-3);
    expect(roundHalfAway(-2.4)).toBe(-2);
  });
});

describe('fused activation ranges', () => {
  it('RELU6 / RELU / NONE on a typical output scale', () => {
    expect(activationRangeQuantized('RELU6', 0.0235294122248888, -128)).toEqual({ min: -128, max: 127 });
    expect(activationRangeQuantized('RELU6', 0.05, -10)).toEqual({ min: -10, max: 110 });
    expect(activationRangeQuantized('RELU', 0.05, -10)).toEqual({ min: -10, max: 127 });
    expect(activationRangeQuantized('NONE', 0.05, -10)).toEqual({ min: -128, max: 127 });
    expect(() => activationRangeQuantized('TANH', 0.05, 0)).toThrow(/TANH/);
  });
});

describe("requantizeRow (the kernels' branch-light requantizer)", () => {
  it('equals MultiplyByQuantizedMultiplier + offset + clamp on random rows', async () => {
    const { makeRequantizer, requantizeRow } = await import(
      '../../../src-main/core/simulate/kernels/requantize.ts'
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: MIN, max: MAX }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.oneof(fc.integer({ min: -31, max: 8 }), fc.integer({ min: -20, max: 0 })),
        fc.integer({ min: -128, max: 127 }),
        (accs, m, s, offset) => {
          const n = accs.length;
          const rq = makeRequantizer(new Int32Array(n).fill(m), new Int32Array(n).fill(s));
          const out = new Int8Array(n);
          requantizeRow(rq, Int32Array.from(accs), 0, null, n, offset, -128, 127, out, 0);
          return accs.every((a, i) => out[i] === Math.max(-128, Math.min(127, mbqmRef(a, m, s) + offset)));
        },
      ),
      { numRuns: 20000 },
    );
  });
});
