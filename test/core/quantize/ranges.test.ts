import { beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { loadTf } from '../../../src-main/services/tfjs.ts';
import { readKerasH5 } from '../../../src-main/core/model/keras/index.ts';
import { kerasToTfjs, predictLayerOutputs } from '../../../src-main/core/model/keras/tfjs-model.ts';
import {
  activationParams,
  fakeQuantize,
  MinMaxRange,
  RangeCollector,
  RangeHistogram,
  type Range,
} from '../../../src-main/core/quantize/index.ts';

/** uint8 .npy (format 1.0): data starts after the 10-byte preamble and the header. */
function npyU8(name: string): Uint8Array {
  const b = readFixture('data', name);
  const headerLen = b[8] | (b[9] << 8);
  return b.subarray(10 + headerLen);
}

function quantMse(values: Float32Array, r: Range): number {
  const q = fakeQuantize(values, activationParams(r.min, r.max));
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (q[i] - values[i]) ** 2;
  return s / values.length;
}

/** Real activations: every layer of image_example1 (Keras) on the two person images, flipped too. */
let activations: Map<string, Float32Array>;
beforeAll(async () => {
  const { tf } = await loadTf();
  const model = await kerasToTfjs(tf, await readKerasH5(readFixture('float', 'image_example1.h5')));
  const images = ['tflm_person_gray_u8_96x96.npy', 'tflm_no_person_gray_u8_96x96.npy'].map(npyU8);
  const batch = new Float32Array(4 * 96 * 96);
  images.forEach((img, n) => {
    for (let y = 0; y < 96; y++)
      for (let x = 0; x < 96; x++) {
        batch[n * 9216 + y * 96 + x] = img[y * 96 + x] / 255;
        batch[(n + 2) * 9216 + y * 96 + x] = img[y * 96 + (95 - x)] / 255; // horizontal flip
      }
  });
  activations = predictLayerOutputs(tf, model, [batch]);
  model.dispose();
});

describe('calibration ranges', () => {
  it('min/max sees the extremes across batches and skips NaN', () => {
    const r = new MinMaxRange();
    r.observe(Float32Array.of(1, -2, Number.NaN));
    r.observe([5, 0]);
    expect(r.range()).toEqual({ min: -2, max: 5 });
    expect(() => new MinMaxRange().range()).toThrow(/No calibration values/);
  });

  it('the histogram grows by powers of two without losing counts', () => {
    const h = new RangeHistogram(256);
    const all: number[] = [];
    for (let k = 0; k < 6; k++) {
      const batch = Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.37 + k) * 2 ** k);
      all.push(...batch);
      h.observe(batch);
    }
    expect(h.total).toBe(6000);
    all.sort((a, b) => a - b);
    const width = (h.hi - h.lo) / h.bins;
    for (const q of [0.1, 0.5, 0.9])
      expect(Math.abs(h.quantile(q) - all[Math.floor(q * 6000)])).toBeLessThan(2 * width);
    expect(h.extremes.range()).toEqual({ min: all[0], max: all[all.length - 1] });
  });

  it('percentile clips a uniform distribution where expected', () => {
    const c = new RangeCollector({ method: 'percentile', percentile: 99 });
    const values = Float32Array.from({ length: 100000 }, (_, i) => (i / 99999) * 2 - 1);
    c.observe(values);
    const r = c.range();
    expect(r.min).toBeCloseTo(-0.98, 2);
    expect(r.max).toBeCloseTo(0.98, 2);
  });

  it('MSE range never quantizes real activations worse than min/max, and wins with an outlier', () => {
    expect(activations.size).toBe(10);
    for (const [name, values] of activations) {
      const minmax = new RangeCollector({ method: 'minmax' });
      const mse = new RangeCollector({ method: 'mse' });
      minmax.observe(values);
      mse.observe(values);
      const rm = minmax.range();
      const ro = mse.range();
      expect(ro.min, name).toBeGreaterThanOrEqual(rm.min);
      expect(ro.max, name).toBeLessThanOrEqual(rm.max);
      // Histogram model vs real values: allow 2 % slack for the bin-centre approximation.
      expect(quantMse(values, ro), name).toBeLessThanOrEqual(quantMse(values, rm) * 1.02);
    }
    // One wild value in a real activation: min/max stretches the step for everything; MSE trades
    // clipping it against rounding noise, percentile clips it outright.
    const conv = activations.get('conv2d')!;
    const spiked = Float32Array.from(conv);
    spiked[0] = 50 * conv.reduce((a, b) => Math.max(a, b), 0);
    const rm = new RangeCollector({ method: 'minmax' });
    const ro = new RangeCollector({ method: 'mse' });
    rm.observe(spiked);
    ro.observe(spiked);
    expect(quantMse(spiked, ro.range())).toBeLessThan(quantMse(spiked, rm.range()));
    expect(ro.range().max).toBeLessThan(rm.range().max);
    const rp = new RangeCollector({ method: 'percentile', percentile: 99.99 });
    rp.observe(spiked);
    expect(rp.range().max).toBeLessThanOrEqual(spiked[0] / 50);
  });

  it('the histogram error model predicts the measured int8 error of real activations', () => {
    for (const name of ['conv2d', 'conv2d_2', 'dense']) {
      const values = activations.get(name)!;
      const h = new RangeHistogram();
      h.observe(values);
      const r = h.extremes.range();
      const predicted = h.quantizationError(r.min, r.max);
      const clipped = { min: r.min / 2, max: r.max / 2 };
      expect(predicted / quantMse(values, r), name).toBeGreaterThan(0.8);
      expect(predicted / quantMse(values, r), name).toBeLessThan(1.25);
      expect(h.quantizationError(clipped.min, clipped.max) / quantMse(values, clipped), name).toBeGreaterThan(
        0.8,
      );
      expect(h.quantizationError(clipped.min, clipped.max) / quantMse(values, clipped), name).toBeLessThan(
        1.25,
      );
    }
  });

  it('ReLU outputs keep min 0 under every method', () => {
    const relu = activations.get('conv2d')!; // Conv2D with fused relu
    for (const method of ['minmax', 'percentile', 'mse'] as const) {
      const c = new RangeCollector({ method });
      c.observe(relu);
      expect(c.range().min, method).toBe(0);
    }
  });
});
