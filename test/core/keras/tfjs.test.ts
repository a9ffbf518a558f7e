import { beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { loadTf, type TfRuntime } from '../../../src-main/services/tfjs.ts';
import { readKerasH5, type KerasModel } from '../../../src-main/core/model/keras/index.ts';
import { kerasToTfjs, predictTfjs } from '../../../src-main/core/model/keras/tfjs-model.ts';
import { buildH5, sequential } from './h5-builder.ts';

let rt: TfRuntime;
beforeAll(async () => {
  rt = await loadTf();
});

/** Plain float64 forward pass of a stack of Dense layers: y = act(x·W + b). */
function denseStack(model: KerasModel, paths: string[], acts: string[], x: Float64Array): Float64Array {
  let v = x;
  paths.forEach((p, li) => {
    const [w, b] = model.weights.get(p)!;
    const [nin, nout] = w.shape;
    const y = new Float64Array(nout);
    for (let o = 0; o < nout; o++) {
      let s = b.data[o];
      for (let i = 0; i < nin; i++) s += v[i] * w.data[i * nout + o];
      y[o] = acts[li] === 'relu' ? Math.max(0, s) : acts[li] === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : s;
    }
    v = y;
  });
  return v;
}

describe('Keras .h5 in tfjs-layers', () => {
  it('uses the wasm backend when tfjs-node is absent, never cpu', () => {
    expect(['tensorflow', 'wasm']).toContain(rt.backend);
  });

  it('autoencoder_example (nested Sequential) matches an independent float64 forward pass within 1e-5', async () => {
    const m = await readKerasH5(readFixture('float', 'autoencoder_example.h5'));
    const model = await kerasToTfjs(rt.tf, m);
    const paths = ['dense', 'dense_1', 'dense_2'].map((n) => `sequential/${n}`);
    paths.push(...['dense_3', 'dense_4', 'dense_5'].map((n) => `sequential_1/${n}`));
    const acts = ['relu', 'relu', 'relu', 'relu', 'relu', 'sigmoid'];
    // Four samples of an ECG-like wave in the model's [0, 1] input range.
    const batch = 4;
    const x = Float32Array.from(
      { length: batch * 140 },
      (_, i) => 0.5 + 0.4 * Math.sin(i / 7 + Math.floor(i / 140)),
    );
    const [y] = predictTfjs(rt.tf, model, [x]);
    expect(y.length).toBe(batch * 140);
    for (let s = 0; s < batch; s++) {
      const ref = denseStack(m, paths, acts, Float64Array.from(x.subarray(s * 140, (s + 1) * 140)));
      for (let i = 0; i < 140; i++) expect(Math.abs(y[s * 140 + i] - ref[i])).toBeLessThan(1e-5);
    }
    model.dispose();
  });

  it('loads the conv fixtures with every weight in place', async () => {
    for (const name of ['image_example1', 'rock_paper_scissors']) {
      const m = await readKerasH5(readFixture('float', `${name}.h5`));
      const model = await kerasToTfjs(rt.tf, m);
      const bn = model.layers.find((l) => l.getClassName() === 'BatchNormalization');
      if (bn) {
        const stored = m.weights.get(bn.name)!;
        const loaded = bn.getWeights().map((t) => t.dataSync());
        stored.forEach((w, i) => expect(Array.from(loaded[i])).toEqual(Array.from(w.data)));
      }
      const per = (model.inputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
      const [y] = predictTfjs(rt.tf, model, [
        Float32Array.from({ length: per }, (_, i) => ((i * 37) % 255) / 255),
      ]);
      // Both end in softmax: probabilities summing to 1.
      expect(y.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      model.dispose();
    }
  });

  it('maps the Keras 2.4+ L2 regularizer and mixed-precision dtype policy', async () => {
    const config = sequential('reg', [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], name: 'in' } },
      {
        class_name: 'Dense',
        config: {
          name: 'd',
          units: 2,
          use_bias: true,
          activation: 'linear',
          dtype: { class_name: 'Policy', config: { name: 'float32' } },
          kernel_regularizer: { class_name: 'L2', config: { l2: 0.01 } },
          bias_regularizer: { class_name: 'L1', config: { l1: 0.001 } },
          kernel_initializer: { class_name: 'SomeFutureInit', config: {} },
        },
      },
    ]);
    const kernel = Float32Array.of(1, 2, 3, 4, 5, 6);
    const bytes = await buildH5(
      { model_config: config },
      {
        d: [
          { name: 'd/kernel:0', shape: [3, 2], data: kernel },
          { name: 'd/bias:0', shape: [2], data: Float32Array.of(0.5, -1) },
        ],
      },
    );
    const model = await kerasToTfjs(rt.tf, await readKerasH5(bytes));
    const [y] = predictTfjs(rt.tf, model, [Float32Array.of(1, 1, 1)]);
    expect(Array.from(y)).toEqual([1 + 3 + 5 + 0.5, 2 + 4 + 6 - 1]);
    model.dispose();
  });

  it('names a Lambda or custom layer it cannot load', async () => {
    for (const cls of ['Lambda', 'MyCustomBlock']) {
      const config = sequential('bad', [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], name: 'in' } },
        { class_name: cls, config: { name: 'odd_one' } },
      ]);
      const m = await readKerasH5(await buildH5({ model_config: config }));
      await expect(kerasToTfjs(rt.tf, m)).rejects.toThrow(new RegExp(`layer "odd_one" \\(${cls}\\)`));
    }
  });
});
