/**
 * Layer settings TFLite (or TFLite Micro) cannot run are refused at conversion with a message
 * naming the layer, its class and what is not supported.
 */
import { describe, expect, it } from 'vitest';
import { kerasToTflite } from '../../../src-main/core/model/keras/to-tflite.ts';
import { functionalModel, input, sequentialModel, values } from './layer-harness.ts';

const one = (className: string, config: Record<string, unknown>) => ({
  class_name: className,
  config: { name: 'odd', ...config },
});

describe('Keras layers the converter refuses', () => {
  const cases: [
    string,
    number[],
    ReturnType<typeof one>,
    Record<string, { name: string; shape: number[] }[]>,
    RegExp,
  ][] = [
    // rule: TFLite Micro resizes nearest or bilinear only
    [
      'Resizing bicubic',
      [4, 4, 2],
      one('Resizing', { height: 8, width: 8, interpolation: 'bicubic' }),
      {},
      /layer odd \(Resizing\): interpolation 'bicubic' has no TFLite Micro kernel/,
    ],
    // rule: crop/pad to aspect ratio have no single TFLite op here
    [
      'Resizing crop',
      [4, 4, 2],
      one('Resizing', { height: 2, width: 2, crop_to_aspect_ratio: true }),
      {},
      /layer odd \(Resizing\): crop_to_aspect_ratio/,
    ],
    // rule: GRU has no fused op TFLite Micro runs (TFLite lowers it to a WHILE loop): named
    [
      'GRU',
      [4, 3],
      one('GRU', { units: 2 }),
      {},
      /layer odd \(GRU\): TFLite lowers GRU to a WHILE loop, which TFLite Micro cannot run/,
    ],
    // rule: TFLite Micro's LSTM gates are sigmoids only
    [
      'LSTM hard_sigmoid',
      [4, 3],
      one('LSTM', { units: 2, recurrent_activation: 'hard_sigmoid' }),
      {},
      /layer odd \(LSTM\): recurrent_activation 'hard_sigmoid': TFLite Micro's LSTM gates are sigmoids only/,
    ],
    // rule: TFLite's ELU has alpha 1
    [
      'ELU alpha',
      [6],
      one('ELU', { alpha: 0.5 }),
      {},
      /layer odd \(ELU\): alpha 0.5: TFLite's ELU op computes alpha = 1 only/,
    ],
    // rule: TFLite Micro's LEAKY_RELU refuses a negative alpha
    [
      'LeakyReLU negative',
      [6],
      one('LeakyReLU', { alpha: -0.2 }),
      {},
      /layer odd \(LeakyReLU\): negative slope -0.2/,
    ],
    // rule: LayerNormalization is lowered over the last axis only
    [
      'LayerNormalization axis',
      [5, 8],
      one('LayerNormalization', { axis: [1] }),
      {
        odd: [
          { name: 'odd/gamma:0', shape: [5] },
          { name: 'odd/beta:0', shape: [5] },
        ],
      },
      /layer odd \(LayerNormalization\): normalizing axis 1 is not supported/,
    ],
    // rule: grouped Conv1D has no TFLite Micro kernel
    [
      'Conv1D groups',
      [8, 4],
      one('Conv1D', { filters: 4, kernel_size: [3], groups: 2, padding: 'valid' }),
      {
        odd: [
          { name: 'odd/kernel:0', shape: [3, 2, 4] },
          { name: 'odd/bias:0', shape: [4] },
        ],
      },
      /layer odd \(Conv1D\): grouped convolution is not supported/,
    ],
  ];
  for (const [label, shape, layer, weights, message] of cases) {
    it(label, async () => {
      const keras = await sequentialModel([input('x', shape), layer], weights);
      expect(() => kerasToTflite(keras)).toThrow(message);
    });
  }

  const mhaWeights = ['query', 'key', 'value']
    .flatMap((r) => [
      { name: `${r}/kernel:0`, shape: [4, 2, 2], data: values(16, 1) },
      { name: `${r}/bias:0`, shape: [2, 2], data: values(4, 2) },
    ])
    .concat([
      { name: 'attention_output/kernel:0', shape: [2, 2, 4], data: values(16, 3) },
      { name: 'attention_output/bias:0', shape: [4], data: values(4, 4) },
    ]);
  const inputLayer = (name: string, shape: number[]) => ({ ...input(name, shape), name, inbound_nodes: [] });
  const mha = (config: Record<string, unknown>, kwargs: Record<string, unknown>) => ({
    class_name: 'MultiHeadAttention',
    name: 'att',
    config: { name: 'att', num_heads: 2, key_dim: 2, ...config },
    inbound_nodes: [[['q', 0, 0, kwargs]]],
  });
  // rule: attention over other axes and attention masks are refused, naming the layer
  it('MultiHeadAttention with attention_axes or a mask', async () => {
    const axes = await functionalModel(
      [inputLayer('q', [3, 4]), mha({ attention_axes: [2] }, { value: ['q', 0, 0] })],
      ['q'],
      ['att'],
      { att: mhaWeights },
    );
    expect(() => kerasToTflite(axes)).toThrow(
      /layer att \(MultiHeadAttention\): attention_axes \[2\] is not supported/,
    );
    const masked = await functionalModel(
      [
        inputLayer('q', [3, 4]),
        inputLayer('m', [3, 3]),
        mha({}, { value: ['q', 0, 0], attention_mask: ['m', 0, 0] }),
      ],
      ['q', 'm'],
      ['att'],
      { att: mhaWeights },
    );
    expect(() => kerasToTflite(masked)).toThrow(
      /layer att \(MultiHeadAttention\): attention masks are not supported/,
    );
  });
});
