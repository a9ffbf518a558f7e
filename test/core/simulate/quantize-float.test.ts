/**
 * QUANTIZE float32 -> int8 (the fast loop) equals the textbook TFLite Micro form
 * clamp(TfLiteRound(x / scale) + zero_point) with float32 division, on random and edge values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantizeFloatToInt8 } from '../../../src-main/core/simulate/kernels/unary-int8.ts';
import { roundHalfAway } from '../../../src-main/core/simulate/quant-math.ts';

function textbook(scale: number, zp: number, x: number): number {
  const v = roundHalfAway(Math.fround(Math.fround(x) / Math.fround(scale))) + zp;
  return Number.isNaN(v) ? 0 : Math.max(-128, Math.min(127, v));
}

describe('quantizeFloatToInt8', () => {
  it('matches the textbook form on random floats, halves and extremes', () => {
    fc.assert(
      fc.property(
        fc.float({ min: Math.fround(1e-6), max: 10, noNaN: true }),
        fc.integer({ min: -128, max: 127 }),
        fc.array(fc.float(), { minLength: 1, maxLength: 64 }),
        (scale, zp, xs) => {
          const s = Math.fround(scale);
          // Exact halves k/2 * scale land on ties in float32 when representable.
          const edge = [0, -0, 0.5 * s, -0.5 * s, 1.5 * s, -2.5 * s, 1e30, -1e30, Infinity, -Infinity, NaN];
          const input = Float32Array.from([...xs, ...edge]);
          const got = new Int8Array(input.length);
          quantizeFloatToInt8(scale, zp, input, got);
          input.forEach((x, i) =>
            expect(got[i], `x=${x} scale=${scale} zp=${zp}`).toBe(textbook(scale, zp, x)),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
