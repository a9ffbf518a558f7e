/**
 * The new layer lowerings on a Keras 3 `.keras` file (config.json + model.weights.h5 in the Keras 3
 * layout, built here): the weights land where the lowerings expect them and the model converts,
 * quantizes and runs like its Keras 2 `.h5` twin, whose tfjs-layers output is the reference.
 */
import { describe, expect, it } from 'vitest';
import { readKeras3 } from '../../../src-main/core/model/keras/keras3.ts';
import { buildKeras3 } from './keras3-builder.ts';
import {
  checkLayer,
  expectInt8,
  input,
  ops,
  samples,
  sequentialModel,
  tfjs,
  values,
  WEIGHTED_STEPS,
} from './layer-harness.ts';

const W = {
  ck: values(72, 1, -0.5, 0.5),
  cb: values(6, 2, -0.1, 0.1),
  g: values(6, 3, 0.5, 1.5),
  b: values(6, 4, -0.3, 0.3),
  dk: values(18, 5),
  db: values(3, 6, -0.1, 0.1),
};
// linear Conv1D: after swish or relu many rows are near-constant, and int8 LayerNormalization
// saturates on them (docs/keras-layers.md, "int8 LayerNormalization")
const CONV = {
  filters: 6,
  kernel_size: [3],
  strides: [1],
  dilation_rate: [1],
  padding: 'same',
  activation: 'linear',
  use_bias: true,
};
const LN = { axis: -1, epsilon: 0.001, center: true, scale: true };
const DENSE = { units: 3, activation: 'softmax', use_bias: true };

function keras3Config() {
  const l = (class_name: string, config: Record<string, unknown>) => ({
    module: 'keras.layers',
    class_name,
    config: {
      trainable: true,
      dtype: {
        module: 'keras',
        class_name: 'DTypePolicy',
        config: { name: 'float32' },
        registered_name: null,
      },
      ...config,
    },
    registered_name: null,
  });
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: 'k3',
      trainable: true,
      layers: [
        l('InputLayer', { name: 'x', batch_shape: [null, 16, 4] }),
        l('Conv1D', { name: 'conv', ...CONV }),
        l('LayerNormalization', { name: 'ln', ...LN }),
        l('GlobalAveragePooling1D', { name: 'gap', keepdims: false }),
        l('Dense', { name: 'head', ...DENSE }),
      ],
    },
  };
}

describe('new layer lowerings on a Keras 3 .keras model', () => {
  // rule: a Keras 3 file's Conv1D / LayerNormalization / GlobalAveragePooling1D weights and
  // configs convert to the same graph as the Keras 2 twin: float32 equal to tfjs on the twin,
  // int8 per op within a step and end to end within WEIGHTED_STEPS: four layers, each int8 at its
  // boundary, LayerNorm's and the Dense+softmax's interiors in int16 (1/σ refined by a Newton step),
  // the Conv1D and Dense weights rounded (measured 1.01, 0.76 in TFLite; 1.42 without the Newton
  // step; all-int8 up to 3)
  it('Conv1D → LayerNormalization → GlobalAveragePooling1D → Dense', async () => {
    const v = (shape: number[], data: Float32Array) => ({ shape, data });
    const bytes = await buildKeras3({
      config: keras3Config(),
      groups: [
        { path: 'layers/conv1d', vars: [v([3, 4, 6], W.ck), v([6], W.cb)] },
        { path: 'layers/layer_normalization', vars: [v([6], W.g), v([6], W.b)] },
        { path: 'layers/global_average_pooling1d', vars: [] },
        { path: 'layers/dense', vars: [v([6, 3], W.dk), v([3], W.db)] },
      ],
    });
    const k3 = await readKeras3(bytes);
    const twin = await sequentialModel(
      [
        input('x', [16, 4]),
        { class_name: 'Conv1D', config: { name: 'conv', ...CONV } },
        { class_name: 'LayerNormalization', config: { name: 'ln', ...LN } },
        { class_name: 'GlobalAveragePooling1D', config: { name: 'gap' } },
        { class_name: 'Dense', config: { name: 'head', ...DENSE } },
      ],
      {
        conv: [
          { name: 'conv/kernel:0', shape: [3, 4, 6], data: W.ck },
          { name: 'conv/bias:0', shape: [6], data: W.cb },
        ],
        ln: [
          { name: 'ln/gamma:0', shape: [6], data: W.g },
          { name: 'ln/beta:0', shape: [6], data: W.b },
        ],
        head: [
          { name: 'head/kernel:0', shape: [6, 3], data: W.dk },
          { name: 'head/bias:0', shape: [3], data: W.db },
        ],
      },
    );
    const r = await checkLayer(k3, samples([64], 24, 1), samples([64], 6, 2), tfjs(twin));
    expect(ops(r.float)).toEqual([
      'RESHAPE',
      'CONV_2D',
      'RESHAPE',
      'MEAN',
      'SQUARED_DIFFERENCE',
      'MEAN',
      'ADD',
      'RSQRT',
      'SUB',
      'MUL',
      'MUL',
      'ADD',
      'MEAN',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ]);
    expectInt8(r, WEIGHTED_STEPS);
  });
});
