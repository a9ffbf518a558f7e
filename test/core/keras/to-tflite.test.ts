import { describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { loadTfliteWasm, xorshiftInput } from '../../helpers/tflite-wasm.ts';
import { readTflite, writeTflite, type Model } from '../../../src-main/core/model/index.ts';
import { readKerasH5 } from '../../../src-main/core/model/keras/index.ts';
import { kerasToTflite } from '../../../src-main/core/model/keras/to-tflite.ts';
import { buildH5, sequential } from './h5-builder.ts';

const NAMES = ['image_example1', 'rock_paper_scissors', 'autoencoder_example'];

/** "OP+ACT" per operator, the activation only when fused. */
const opList = (m: Model) =>
  m.subgraphs[0].operators.map((o) => {
    const act = o.options.fused_activation_function;
    return act && act !== 'NONE' ? `${o.op}+${act}` : o.op;
  });

describe('Keras .h5 → float TFLite IR', () => {
  for (const name of NAMES) {
    it(`${name}: same ops as the official float32 conversion and the same outputs in TFLite`, async () => {
      const converted = writeTflite(kerasToTflite(await readKerasH5(readFixture('float', `${name}.h5`))));
      const officialBytes = readFixture('float', `${name}.float32.tflite`);
      expect(opList(readTflite(converted))).toEqual(opList(readTflite(officialBytes)));
      const [ours, theirs] = await Promise.all([loadTfliteWasm(converted), loadTfliteWasm(officialBytes)]);
      try {
        expect(ours.inputs[0].shape).toEqual(theirs.inputs[0].shape);
        const state = { x: 1 };
        let worst = 0;
        for (let k = 0; k < 3; k++) {
          const x = xorshiftInput(
            'float32',
            ours.inputs[0].shape.reduce((a, b) => a * b, 1),
            state,
          );
          const a = ours.predict([x])[0] as Float32Array;
          const b = theirs.predict([x])[0] as Float32Array;
          for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        expect(worst).toBeLessThanOrEqual(1e-5);
      } finally {
        ours.dispose();
        theirs.dispose();
      }
    });
  }

  const dense = (name: string, units: number, activation = 'linear') => ({
    class_name: 'Dense',
    config: { name, units, activation, use_bias: true },
  });
  const input = { class_name: 'InputLayer', config: { batch_input_shape: [null, 4], name: 'in' } };
  const weightsFor = (name: string, nin: number, nout: number) => [
    { name: `${name}/kernel:0`, shape: [nin, nout] },
    { name: `${name}/bias:0`, shape: [nout] },
  ];

  it('folds BatchNorm after Dense, fuses a following ReLU layer, and drops Dropout', async () => {
    const config = sequential('fold', [
      input,
      dense('d', 3),
      {
        class_name: 'BatchNormalization',
        config: { name: 'bn', axis: [1], epsilon: 0.5, center: true, scale: true },
      },
      { class_name: 'Dropout', config: { name: 'drop', rate: 0.5 } },
      { class_name: 'ReLU', config: { name: 'relu' } },
    ]);
    const bn = [
      { name: 'bn/gamma:0', shape: [3], data: Float32Array.of(1, 2, 3) },
      { name: 'bn/beta:0', shape: [3], data: Float32Array.of(0.1, 0.2, 0.3) },
      { name: 'bn/moving_mean:0', shape: [3], data: Float32Array.of(1, -1, 0) },
      { name: 'bn/moving_variance:0', shape: [3], data: Float32Array.of(0.5, 1.5, 3.5) },
    ];
    const bytes = await buildH5({ model_config: config }, { d: weightsFor('d', 4, 3), bn });
    const keras = await readKerasH5(bytes);
    const m = kerasToTflite(keras);
    expect(opList(m)).toEqual(['FULLY_CONNECTED+RELU']);
    // Check the math: relu(BN(x·W + b)) computed directly vs the converted model in TFLite.
    const [w, b] = keras.weights.get('d')!;
    const x = Float32Array.of(0.5, -1, 2, 0.25);
    const expected = [0, 1, 2].map((o) => {
      let y = b.data[o];
      for (let i = 0; i < 4; i++) y += x[i] * w.data[i * 3 + o];
      const n = (bn[0].data[o] * (y - bn[2].data[o])) / Math.sqrt(bn[3].data[o] + 0.5) + bn[1].data[o];
      return Math.max(0, n);
    });
    const run = await loadTfliteWasm(writeTflite(m));
    const got = run.predict([x])[0] as Float32Array;
    run.dispose();
    expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
  });

  it('names layers it cannot convert', async () => {
    const cases: [unknown[], Record<string, { name: string; shape: number[] }[]>, RegExp][] = [
      [
        [input, { class_name: 'Lambda', config: { name: 'lam' } }],
        {},
        /layer lam \(Lambda\) has no TFLite equivalent/,
      ],
      [
        [
          input,
          dense('d', 3, 'relu'),
          { class_name: 'BatchNormalization', config: { name: 'bn', axis: [1] } },
        ],
        {
          d: weightsFor('d', 4, 3),
          bn: ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((k) => ({
            name: `bn/${k}:0`,
            shape: [3],
          })),
        },
        /layer bn \(BatchNormalization\): BatchNormalization must directly follow/,
      ],
      // rule: an activation with no TFLite Micro lowering (selu) is named with its layer
      [[input, dense('d', 3, 'selu')], { d: weightsFor('d', 4, 3) }, /layer d \(Dense\): activation 'selu'/],
    ];
    for (const [layers, weights, message] of cases) {
      const keras = await readKerasH5(await buildH5({ model_config: sequential('bad', layers) }, weights));
      expect(() => kerasToTflite(keras)).toThrow(message);
    }
  });
});
