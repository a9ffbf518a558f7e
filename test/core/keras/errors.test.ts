import { describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { readKerasH5, summarizeKeras } from '../../../src-main/core/model/keras/index.ts';
import { buildH5, sequential } from './h5-builder.ts';

const input = (shape: (number | null)[], name = 'in') => ({
  class_name: 'InputLayer',
  config: { batch_input_shape: shape, name },
});

describe('Keras .h5 errors and edge cases', () => {
  it('rejects an empty file, a .tflite and a PNG with a clear message', async () => {
    await expect(readKerasH5(new Uint8Array())).rejects.toThrow(/empty/);
    await expect(readKerasH5(readFixture('models', 'image_example1.tflite'))).rejects.toThrow(
      /no HDF5 signature/,
    );
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    await expect(readKerasH5(png)).rejects.toThrow(/Not a Keras \.h5 model/);
  });

  it('rejects a truncated .h5', async () => {
    const bytes = readFixture('float', 'image_example1.h5');
    for (const n of [64, 4096, bytes.length >> 1]) {
      await expect(readKerasH5(bytes.slice(0, n))).rejects.toThrow(/truncated or corrupt/);
    }
  });

  it('rejects an HDF5 file without model_config', async () => {
    const bytes = await buildH5({ backend: 'tensorflow' });
    await expect(readKerasH5(bytes)).rejects.toThrow(/no model_config attribute/);
  });

  it('rejects a model_config that is not JSON', async () => {
    const bytes = await buildH5({ model_config: '{"class_name": "Seq' });
    await expect(readKerasH5(bytes)).rejects.toThrow(/model_config is not valid JSON/);
  });

  it('shows an unknown layer by name with unknown shapes, never crashing', async () => {
    const config = sequential('lam', [
      input([null, 4]),
      { class_name: 'Lambda', config: { name: 'my_lambda', function: 'x*2' } },
      { class_name: 'Dense', config: { name: 'd', units: 2, use_bias: true } },
    ]);
    const bytes = await buildH5(
      { model_config: config },
      {
        d: [
          { name: 'd/kernel:0', shape: [4, 2] },
          { name: 'd/bias:0', shape: [2] },
        ],
      },
    );
    const s = summarizeKeras(await readKerasH5(bytes));
    expect(s.layers.map((l) => [l.op, l.supported, l.outputs[0].name])).toEqual([
      ['Lambda', false, 'my_lambda'],
      ['Dense', true, 'd'],
    ]);
    expect(s.layers[0].outputs[0].shape).toEqual([]);
    expect(s.layers[1].outputs[0].shape).toEqual([]);
    expect(s.layers[1].params).toBe(10);
  });

  it('follows a Functional graph with a branch, Add, Concatenate and a shared layer', async () => {
    const node = (...names: string[]) => [names.map((n) => [n, 0, 0, {}])];
    const config = JSON.stringify({
      class_name: 'Functional',
      config: {
        name: 'branchy',
        layers: [
          { ...input([null, 8, 8, 3], 'img'), name: 'img', inbound_nodes: [] },
          {
            class_name: 'Conv2D',
            name: 'a',
            config: {
              name: 'a',
              filters: 4,
              kernel_size: [3, 3],
              strides: [1, 1],
              padding: 'same',
              use_bias: false,
            },
            inbound_nodes: node('img'),
          },
          {
            class_name: 'DepthwiseConv2D',
            name: 'b',
            config: {
              name: 'b',
              kernel_size: [3, 3],
              strides: [2, 2],
              padding: 'same',
              depth_multiplier: 2,
              use_bias: false,
            },
            inbound_nodes: node('img'),
          },
          {
            class_name: 'Conv2D',
            name: 'c',
            config: {
              name: 'c',
              filters: 4,
              kernel_size: [1, 1],
              strides: [2, 2],
              padding: 'valid',
              use_bias: false,
            },
            inbound_nodes: node('a'),
          },
          {
            class_name: 'Concatenate',
            name: 'cat',
            config: { name: 'cat', axis: -1 },
            inbound_nodes: node('b', 'c'),
          },
          {
            class_name: 'GlobalAveragePooling2D',
            name: 'gap',
            config: { name: 'gap' },
            inbound_nodes: node('cat'),
          },
          {
            class_name: 'Dense',
            name: 'fc',
            config: { name: 'fc', units: 10, use_bias: false },
            inbound_nodes: node('gap'),
          },
          { class_name: 'Add', name: 'sum', config: { name: 'sum' }, inbound_nodes: node('gap', 'gap') },
        ],
        input_layers: [['img', 0, 0]],
        output_layers: [
          ['fc', 0, 0],
          ['sum', 0, 0],
        ],
      },
    });
    const bytes = await buildH5(
      { model_config: config },
      {
        a: [{ name: 'a/kernel:0', shape: [3, 3, 3, 4] }],
        b: [{ name: 'b/depthwise_kernel:0', shape: [3, 3, 3, 2] }],
        c: [{ name: 'c/kernel:0', shape: [1, 1, 4, 4] }],
        fc: [{ name: 'fc/kernel:0', shape: [10, 10] }],
      },
    );
    const s = summarizeKeras(await readKerasH5(bytes));
    const byName = Object.fromEntries(s.layers.map((l) => [l.outputs[0].name, l]));
    expect(byName.b.outputs[0].shape).toEqual([1, 4, 4, 6]);
    expect(byName.c.outputs[0].shape).toEqual([1, 4, 4, 4]);
    expect(byName.cat.outputs[0].shape).toEqual([1, 4, 4, 10]);
    expect(byName.gap.outputs[0].shape).toEqual([1, 10]);
    expect(byName.b.macs).toBe(4 * 4 * 6 * 3 * 3);
    expect(byName.a.macs).toBe(8 * 8 * 4 * 3 * 3 * 3);
    expect(s.outputs.map((t) => t.name)).toEqual(['fc', 'sum']);
    expect(byName.sum.inputs.map((t) => t.name)).toEqual(['gap', 'gap']);
  });

  it('names the layer when a Functional graph refers to a missing layer', async () => {
    const config = JSON.stringify({
      class_name: 'Functional',
      config: {
        name: 'bad',
        layers: [
          { ...input([null, 4], 'x'), name: 'x', inbound_nodes: [] },
          {
            class_name: 'Dense',
            name: 'd',
            config: { name: 'd', units: 2 },
            inbound_nodes: [[['ghost', 0, 0, {}]]],
          },
        ],
        input_layers: [['x', 0, 0]],
        output_layers: [['d', 0, 0]],
      },
    });
    const m = await readKerasH5(await buildH5({ model_config: config }));
    expect(() => summarizeKeras(m)).toThrow(/layer d is fed by unknown layer ghost/);
  });
});
