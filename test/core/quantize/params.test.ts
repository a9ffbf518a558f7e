import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  activationParams,
  fakeQuantize,
  quantizeBias,
  quantizeValue,
  quantizeWeightsSymmetric,
  roundHalfAway,
} from '../../../src-main/core/quantize/index.ts';
import { float32Of, int32Of, int8Of, openFixture, opsOf } from './tensors.ts';

describe('activation parameters (asymmetric int8)', () => {
  it('matches hand-computed vectors', () => {
    // [-1, 1]: scale 2/255; zero from min = -128 + 127.5 = -0.5, rounded away from zero to -1.
    expect(activationParams(-1, 1)).toEqual({ scale: 2 / 255, zeroPoint: -1 });
    expect(activationParams(0, 6)).toEqual({ scale: 6 / 255, zeroPoint: -128 });
    // A range not containing 0 is widened to include it.
    expect(activationParams(2, 5)).toEqual({ scale: 5 / 255, zeroPoint: -128 });
    expect(activationParams(-5, -2)).toEqual({ scale: 5 / 255, zeroPoint: 127 });
    expect(activationParams(0, 0)).toEqual({ scale: 1, zeroPoint: 0 });
    expect(() => activationParams(1, -1)).toThrow(/min <= max/);
    expect(() => activationParams(Number.NaN, 1)).toThrow(/finite/);
  });

  it('rounds halves away from zero like std::round', () => {
    expect([2.5, -2.5, 0.5, -0.5, 1.49].map(roundHalfAway)).toEqual([3, -3, 1, -1, 1]);
  });

  it('represents 0 exactly and keeps in-range values within half a step', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -100, max: 0, noNaN: true }),
        fc.double({ min: 1e-3, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (lo, span, t) => {
          const p = activationParams(lo, lo + span);
          expect(quantizeValue(0, p)).toBe(p.zeroPoint);
          const x = Math.min(lo, 0) + t * (Math.max(lo + span, 0) - Math.min(lo, 0));
          const back = fakeQuantize(Float32Array.of(x), p)[0];
          expect(Math.abs(back - x)).toBeLessThanOrEqual(p.scale * 0.5 + 1e-5 * Math.abs(x) + 1e-6);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('weights and bias against the official int8 conversion of image_example1', () => {
  const float = openFixture('float', 'image_example1.float32.tflite');
  const int8 = openFixture('float', 'image_example1.int8.tflite');

  it('per-channel CONV_2D weights: same scales and the same int8 values', () => {
    const f = opsOf(float, 'CONV_2D');
    const q = opsOf(int8, 'CONV_2D');
    expect(f).toHaveLength(3);
    f.forEach((inputs, k) => {
      const [, w] = inputs;
      const ours = quantizeWeightsSymmetric(float32Of(w), w.shape, 0);
      const theirs = q[k][1];
      expect(theirs.quantization!.axis).toBe(0);
      expect(ours.scales).toEqual(theirs.quantization!.scale);
      expect(Array.from(ours.values)).toEqual(Array.from(int8Of(theirs)));
    });
  });

  it('per-tensor FULLY_CONNECTED weights', () => {
    const [, w] = opsOf(float, 'FULLY_CONNECTED')[0];
    const theirs = opsOf(int8, 'FULLY_CONNECTED')[0][1];
    const ours = quantizeWeightsSymmetric(float32Of(w), w.shape, -1);
    expect(ours.scales).toHaveLength(1);
    expect(ours.scales).toEqual(theirs.quantization!.scale);
    expect(Array.from(ours.values)).toEqual(Array.from(int8Of(theirs)));
  });

  it('int32 bias = round(b / (input scale × weight scale))', () => {
    for (const op of ['CONV_2D', 'FULLY_CONNECTED']) {
      opsOf(float, op).forEach((inputs, k) => {
        const [x, w, b] = opsOf(int8, op)[k];
        const ours = quantizeBias(float32Of(inputs[2]), x.quantization!.scale[0], w.quantization!.scale);
        expect(ours.clamped).toEqual([]);
        // Per-tensor weights → per-tensor bias (TFLite checks the single bias scale).
        expect(ours.scales).toHaveLength(w.quantization!.scale.length);
        expect(Array.from(ours.values)).toEqual(Array.from(int32Of(b)));
      });
    }
  });

  it('rejects mismatched shapes and non-finite weights', () => {
    expect(() => quantizeWeightsSymmetric(new Float32Array(5), [2, 3], 0)).toThrow(
      /5 values for shape \[2,3\]/,
    );
    expect(() => quantizeWeightsSymmetric(Float32Array.of(1, Number.NaN), [2], 0)).toThrow(/non-finite/);
    expect(() => quantizeWeightsSymmetric(new Float32Array(6), [2, 3], 2)).toThrow(/axis 2/);
    expect(() => quantizeBias(new Float32Array(3), 0.1, [1, 2])).toThrow(/3 channels/);
  });

  it('an all-zero channel gets scale 1 and zero weights', () => {
    const q = quantizeWeightsSymmetric(Float32Array.of(0, 0, 0.5, -1), [2, 2], 0);
    expect(q.scales).toEqual([1, Math.fround(1 / 127)]);
    expect(Array.from(q.values)).toEqual([0, 0, 64, -127]);
  });
});
