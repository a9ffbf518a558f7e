import { describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { readKerasH5 } from '../../../src-main/core/model/keras/index.ts';
import { foldBatchNorm } from '../../../src-main/core/quantize/index.ts';
import { float32Of, openFixture, opsOf } from './tensors.ts';

describe('BatchNorm folding', () => {
  it('image_example1: Keras conv2d_2 + batch_normalization folds to the converter’s fused CONV_2D', async () => {
    const keras = await readKerasH5(readFixture('float', 'image_example1.h5'));
    const [kernel, bias] = keras.weights.get('conv2d_2')!;
    const [gamma, beta, mean, variance] = keras.weights.get('batch_normalization')!;
    const folded = foldBatchNorm(
      { kernel: kernel.data, bias: bias.data, outChannels: 24, channelPosition: 'last' },
      { gamma: gamma.data, beta: beta.data, mean: mean.data, variance: variance.data, epsilon: 0.001 },
    );
    // The float TFLite conversion of the same network fused the BN into its third CONV_2D (OHWI).
    const [, w, b] = opsOf(openFixture('float', 'image_example1.float32.tflite'), 'CONV_2D')[2];
    const tw = float32Of(w);
    const tb = float32Of(b);
    const [kh, kw, ci, co] = kernel.shape;
    expect(w.shape).toEqual([co, kh, kw, ci]);
    let worst = 0;
    for (let o = 0; o < co; o++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          for (let i = 0; i < ci; i++) {
            const ours = folded.kernel[((y * kw + x) * ci + i) * co + o];
            const theirs = tw[((o * kh + y) * kw + x) * ci + i];
            worst = Math.max(worst, Math.abs(ours - theirs) / Math.max(1e-3, Math.abs(theirs)));
          }
    expect(worst).toBeLessThan(1e-5);
    for (let o = 0; o < co; o++) expect(folded.bias[o]).toBeCloseTo(tb[o], 5);
  });

  it('folds OHWI / [out, in] layouts and creates a bias when there was none', () => {
    // Two output channels, two inputs; k = gamma / sqrt(var + eps) = [3/2, 6/3].
    const kernel = Float32Array.of(1, 2, 3, 4); // [out=2, in=2]
    const { kernel: k, bias } = foldBatchNorm(
      { kernel, bias: null, outChannels: 2, channelPosition: 'first' },
      {
        gamma: Float32Array.of(3, 6),
        beta: Float32Array.of(1, -1),
        mean: Float32Array.of(0.5, 2),
        variance: Float32Array.of(3, 8),
        epsilon: 1,
      },
    );
    const k0 = 1.5;
    const k1 = 2;
    expect(Array.from(k)).toEqual([1 * k0, 2 * k0, 3 * k1, 4 * k1].map(Math.fround));
    expect(Array.from(bias)).toEqual([(0 - 0.5) * k0 + 1, (0 - 2) * k1 - 1].map(Math.fround));
    // Channel-last: same kernel read as [in=2, out=2].
    const last = foldBatchNorm(
      { kernel, bias: Float32Array.of(1, 1), outChannels: 2, channelPosition: 'last' },
      {
        gamma: Float32Array.of(4, 1),
        beta: null,
        mean: Float32Array.of(0, 0),
        variance: Float32Array.of(3, 0),
        epsilon: 1,
      },
    );
    expect(Array.from(last.kernel)).toEqual([2, 2, 6, 4]);
    expect(Array.from(last.bias)).toEqual([2, 1]);
  });

  it('names mismatched channel counts and non-positive variance', () => {
    const bn = {
      gamma: null,
      beta: null,
      mean: new Float32Array(3),
      variance: new Float32Array(3),
      epsilon: 1e-3,
    };
    expect(() =>
      foldBatchNorm({ kernel: new Float32Array(4), bias: null, outChannels: 2, channelPosition: 'last' }, bn),
    ).toThrow(/mean has 3 channels, the layer has 2/);
    const neg = { ...bn, variance: Float32Array.of(-1, 0, 0), epsilon: 0 };
    expect(() =>
      foldBatchNorm(
        { kernel: new Float32Array(6), bias: null, outChannels: 3, channelPosition: 'last' },
        neg,
      ),
    ).toThrow(/channel 0: variance \+ epsilon = -1/);
  });
});
