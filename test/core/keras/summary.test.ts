import { describe, expect, it } from 'vitest';
import h5wasm from 'h5wasm';
import { readFixture } from '../../helpers/fixtures.ts';
import { readKerasH5, summarizeKeras } from '../../../src-main/core/model/keras/index.ts';
import type { LayerSummary } from '../../../src-main/shared/summary.ts';

const NAMES = ['image_example1', 'rock_paper_scissors', 'autoencoder_example'];

/** Every weight dataset under model_weights, read straight through h5wasm (independent of the reader). */
async function datasetSizes(bytes: Uint8Array): Promise<Map<string, number>> {
  const module = await h5wasm.ready;
  module.FS.writeFile('/independent.h5', bytes);
  const f = new h5wasm.File('/independent.h5', 'r');
  const sizes = new Map<string, number>();
  const walk = (g: InstanceType<typeof h5wasm.Group>, path: string) => {
    for (const k of g.keys()) {
      const e = g.get(k);
      if (e instanceof h5wasm.Group) walk(e, `${path}/${k}`);
      else if (e instanceof h5wasm.Dataset)
        sizes.set(
          `${path}/${k}`,
          (e.shape ?? []).reduce((a, b) => a * b, 1),
        );
    }
  };
  walk(f.get('model_weights') as InstanceType<typeof h5wasm.Group>, '');
  f.close();
  module.FS.unlink('/independent.h5');
  return sizes;
}

/** Keras' own parameter formulas from the layer's config and input shape. */
function expectedParams(l: LayerSummary): number {
  const o = l.options as Record<string, unknown>;
  const inC = l.inputs[0].shape[l.inputs[0].shape.length - 1];
  const bias = o.use_bias ? 1 : 0;
  switch (l.op) {
    case 'Conv2D': {
      const [kh, kw] = o.kernel_size as number[];
      return kh * kw * inC * (o.filters as number) + bias * (o.filters as number);
    }
    case 'Dense':
      return inC * (o.units as number) + bias * (o.units as number);
    case 'BatchNormalization':
      return 4 * inC; // gamma, beta, moving mean, moving variance
    default:
      return 0;
  }
}

describe('Keras .h5 summary', () => {
  for (const name of NAMES) {
    it(`${name}: params match Keras formulas and the stored datasets`, async () => {
      const bytes = readFixture('float', `${name}.h5`);
      const s = summarizeKeras(await readKerasH5(bytes));
      for (const l of s.layers) expect(l.params, `${l.op} ${l.outputs[0].name}`).toBe(expectedParams(l));
      const stored = [...(await datasetSizes(bytes)).values()].reduce((a, b) => a + b, 0);
      expect(s.totals.params).toBe(stored);
      expect(s.totals.weights_bytes).toBe(stored * 4);
      expect(s.layers.every((l) => l.supported)).toBe(true);
      expect(s.layers.every((l) => l.outputs[0].shape.every((d) => d > 0))).toBe(true);
      expect(s.totals.ops).toBe(s.layers.length);
      expect(s.totals.macs).toBe(s.layers.reduce((a, l) => a + l.macs, 0));
      for (const t of [...s.inputs, ...s.outputs]) {
        expect(t.dtype).toBe('float32');
        expect(t.quantization).toBeNull();
      }
    });
  }

  it('image_example1: layers, shapes, options and MACs', async () => {
    const s = summarizeKeras(await readKerasH5(readFixture('float', 'image_example1.h5')));
    expect(s.layers.map((l) => l.op)).toEqual([
      'Conv2D',
      'AveragePooling2D',
      'Conv2D',
      'Conv2D',
      'BatchNormalization',
      'Activation',
      'AveragePooling2D',
      'Flatten',
      'Dense',
      'Activation',
    ]);
    expect(s.inputs.map((t) => t.shape)).toEqual([[1, 96, 96, 1]]);
    expect(s.outputs.map((t) => [t.name, t.shape])).toEqual([['activation_1', [1, 3]]]);
    const conv = s.layers[0];
    expect(conv.options).toMatchObject({
      strides: [2, 2],
      padding: 'same',
      activation: 'relu',
      use_bias: true,
    });
    expect(conv.options).not.toHaveProperty('kernel_initializer');
    // SAME padding, stride 2: ceil(96/2) = 48; then VALID 3x3 stride 2 on 24: floor((24-3)/2)+1 = 11.
    expect(conv.outputs[0].shape).toEqual([1, 48, 48, 24]);
    expect(s.layers[2].outputs[0].shape).toEqual([1, 11, 11, 16]);
    expect(s.layers[7].outputs[0].shape).toEqual([1, 384]);
    for (const l of s.layers.filter((x) => x.op === 'Conv2D')) {
      const [, oh, ow, oc] = l.outputs[0].shape;
      const [kh, kw, ic] = l.inputs[1].shape; // kernel HWIO
      expect(l.macs).toBe(oh * ow * oc * kh * kw * ic);
    }
    expect(s.layers[8].macs).toBe(384 * 3);
    expect(s.layers[4].inputs.map((t) => t.name)).toEqual([
      'conv2d_2',
      'batch_normalization/gamma:0',
      'batch_normalization/beta:0',
      'batch_normalization/moving_mean:0',
      'batch_normalization/moving_variance:0',
    ]);
    expect(s.layers[4].inputs.slice(1).every((t) => t.constant)).toBe(true);
  });

  it('rock_paper_scissors: Dropout and MaxPooling2D shapes', async () => {
    const s = summarizeKeras(await readKerasH5(readFixture('float', 'rock_paper_scissors.h5')));
    expect(s.layers).toHaveLength(14);
    expect(s.layers.filter((l) => l.op === 'MaxPooling2D').map((l) => l.outputs[0].shape)).toEqual([
      [1, 41, 41, 16],
      [1, 19, 19, 16],
      [1, 8, 8, 32],
    ]);
    expect(s.layers.find((l) => l.op === 'Dropout')?.outputs[0].shape).toEqual([1, 32]);
    expect(s.outputs[0].shape).toEqual([1, 4]);
    expect(s.outputs[0].name).toBe('dense_1');
  });

  it('autoencoder_example: nested Sequential models inside a Functional model are expanded', async () => {
    const m = await readKerasH5(readFixture('float', 'autoencoder_example.h5'));
    expect(m.className).toBe('Functional');
    expect(m.kerasVersion).toBe('2.8.0');
    const s = summarizeKeras(m);
    expect(s.layers.map((l) => l.outputs[0].name)).toEqual([
      'sequential/dense',
      'sequential/dense_1',
      'sequential/dense_2',
      'sequential_1/dense_3',
      'sequential_1/dense_4',
      'sequential_1/dense_5',
    ]);
    expect(s.layers.map((l) => l.outputs[0].shape[1])).toEqual([32, 16, 8, 16, 32, 140]);
    expect(s.layers[5].options.activation).toBe('sigmoid');
    expect(s.inputs[0].shape).toEqual([1, 140]);
    // Each layer reads the previous one's output tensor.
    for (let i = 1; i < s.layers.length; i++)
      expect(s.layers[i].inputs[0].tensor).toBe(s.layers[i - 1].outputs[0].tensor);
    // Dense MACs = in * out.
    expect(s.layers.map((l) => l.macs)).toEqual([140 * 32, 32 * 16, 16 * 8, 8 * 16, 16 * 32, 32 * 140]);
    // Arena (greedy lifetime plan): the 140-float input and the first 32-float output overlap.
    expect(s.totals.arena_bytes).toBe((140 + 32) * 4);
  });
});
