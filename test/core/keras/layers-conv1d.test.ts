/**
 * Conv1D, the 1-D pools and the global pools: lowered as the TFLite converter does (RESHAPE to a
 * unit height around CONV_2D / MAX_POOL_2D / AVERAGE_POOL_2D, PAD for causal padding, MEAN /
 * REDUCE_MAX for global pools), checked against tfjs-layers as float32 and as int8 in the core.
 */
import { describe, expect, it } from 'vitest';
import {
  checkLayer,
  input,
  ops,
  samples,
  sequentialModel,
  tfjs,
  values,
  expectInt8,
  WEIGHTED_STEPS,
} from './layer-harness.ts';

const conv1d = (name: string, extra: Record<string, unknown>) => ({
  class_name: 'Conv1D',
  config: {
    name,
    filters: 6,
    kernel_size: [3],
    strides: [1],
    dilation_rate: [1],
    padding: 'valid',
    activation: 'linear',
    use_bias: true,
    ...extra,
  },
});
const convWeights = (name: string, k: number, ci: number, co: number, seed: number) => [
  { name: `${name}/kernel:0`, shape: [k, ci, co], data: values(k * ci * co, seed, -0.6, 0.6) },
  { name: `${name}/bias:0`, shape: [co], data: values(co, seed + 1, -0.2, 0.2) },
];

/** Conv1D by its definition (float64): zero padding `left` before the sequence, then VALID. */
function conv1dRef(
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  k: number,
  ci: number,
  co: number,
  dilation: number,
  left: number,
  act: (v: number) => number,
): Float32Array {
  const width = x.length / ci;
  const out = new Float32Array(width * co);
  for (let t = 0; t < width; t++)
    for (let o = 0; o < co; o++) {
      let s = b[o];
      for (let j = 0; j < k; j++) {
        const at = t + j * dilation - left;
        if (at >= 0 && at < width)
          for (let i = 0; i < ci; i++) s += x[at * ci + i] * w[(j * ci + i) * co + o];
      }
      out[t * co + o] = act(s);
    }
  return out;
}

describe('Keras 1-D layers → TFLite, float32 and int8 in the core', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['valid, relu', { activation: 'relu' }, ['RESHAPE', 'CONV_2D', 'RESHAPE']],
    ['same, stride 2', { padding: 'same', strides: [2] }, ['RESHAPE', 'CONV_2D', 'RESHAPE']],
  ];
  for (const [label, extra, expected] of cases) {
    // rule: Conv1D is CONV_2D on a unit-height view: tfjs' Conv1D as float32, int8 within a step
    it(`Conv1D (${label})`, async () => {
      const keras = await sequentialModel([input('x', [16, 4]), conv1d('c', extra)], {
        c: convWeights('c', 3, 4, 6, 3),
      });
      const r = await checkLayer(keras, samples([64], 24, 1), samples([64], 6, 2), tfjs(keras));
      expect(ops(r.float)).toEqual(expected);
      expectInt8(r);
    });
  }

  // rule: causal padding is (k - 1)·dilation zeros on the left (PAD), then VALID; tfjs has no
  // causal Conv1D, so the reference is the definition computed here
  it('Conv1D (causal, dilation 2, tanh)', async () => {
    const w = convWeights('c', 3, 4, 6, 7);
    const keras = await sequentialModel(
      [input('x', [16, 4]), conv1d('c', { padding: 'causal', dilation_rate: [2], activation: 'tanh' })],
      { c: w },
    );
    const ref = (xs: Float32Array[][]) =>
      xs.map(([x]) => conv1dRef(x, w[0].data, w[1].data, 3, 4, 6, 2, 4, Math.tanh));
    const r = await checkLayer(keras, samples([64], 24, 1), samples([64], 6, 2), ref);
    expect(ops(r.float)).toEqual(['PAD', 'RESHAPE', 'CONV_2D', 'RESHAPE', 'TANH']);
    // end to end: CONV_2D and TANH run in int16 inside the layer (int8 at its boundary), so the only
    // int8 rounding is the output's; the weights' int8 rounding is what the reference does not
    // have: the WEIGHTED_STEPS rule (measured 1.05; all-int8 up to 2.5)
    expectInt8(r, WEIGHTED_STEPS);
  });

  // rule: a BatchNormalization after Conv1D folds into the CONV_2D and the ReLU after it fuses
  it('Conv1D → BatchNormalization → ReLU folds to one CONV_2D+RELU', async () => {
    const bn = [
      { name: 'bn/gamma:0', shape: [6], data: values(6, 11, 0.5, 1.5) },
      { name: 'bn/beta:0', shape: [6], data: values(6, 12, -0.2, 0.2) },
      { name: 'bn/moving_mean:0', shape: [6], data: values(6, 13, -0.3, 0.3) },
      { name: 'bn/moving_variance:0', shape: [6], data: values(6, 14, 0.5, 2) },
    ];
    const keras = await sequentialModel(
      [
        input('x', [16, 4]),
        conv1d('c', { padding: 'same' }),
        { class_name: 'BatchNormalization', config: { name: 'bn', axis: [2], epsilon: 0.001 } },
        { class_name: 'ReLU', config: { name: 'relu' } },
      ],
      { c: convWeights('c', 3, 4, 6, 5), bn },
    );
    const test = samples([64], 6, 2);
    const r = await checkLayer(keras, samples([64], 24, 1), test, tfjs(keras));
    expect(
      r.float.subgraphs[0].operators.map((o) => `${o.op}:${o.options.fused_activation_function ?? ''}`),
    ).toEqual(['RESHAPE:', 'CONV_2D:RELU', 'RESHAPE:']);
    expectInt8(r);
  });

  const pools: [string, Record<string, unknown>, number[], string[]][] = [
    [
      'MaxPooling1D',
      { pool_size: [2], strides: [2], padding: 'valid' },
      [16, 4],
      ['RESHAPE', 'MAX_POOL_2D', 'RESHAPE'],
    ],
    [
      'AveragePooling1D',
      { pool_size: [3], strides: [2], padding: 'same' },
      [16, 4],
      ['RESHAPE', 'AVERAGE_POOL_2D', 'RESHAPE'],
    ],
    ['GlobalAveragePooling1D', {}, [16, 4], ['MEAN']],
    ['GlobalMaxPooling1D', {}, [16, 4], ['REDUCE_MAX']],
    ['GlobalMaxPooling2D', {}, [5, 6, 3], ['REDUCE_MAX']],
  ];
  for (const [cls, cfg, shape, expected] of pools) {
    // rule: each pool matches tfjs' layer as float32 and within one int8 step
    it(cls, async () => {
      const keras = await sequentialModel([
        input('x', shape),
        { class_name: cls, config: { name: 'p', ...cfg } },
      ]);
      const n = shape.reduce((a, b) => a * b, 1);
      const test = samples([n], 6, 2);
      const r = await checkLayer(keras, samples([n], 24, 1), test, tfjs(keras));
      expect(ops(r.float)).toEqual(expected);
      expectInt8(r);
    });
  }
});
