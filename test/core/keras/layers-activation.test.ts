/**
 * Activations and activation layers: ELU, LeakyReLU, PReLU, swish (LOGISTIC·x), hard_swish
 * (HARD_SWISH), hard_sigmoid (Keras 2: clip(0.2x + 0.5), Keras 3: relu6(x + 3)/6), gelu (tanh form,
 * since TFLite Micro has no GELU kernel). float32 against tfjs-layers or the definition, int8 per op
 * within one step and end to end within the rounding its lowering adds.
 */
import { describe, expect, it } from 'vitest';
import {
  checkLayer,
  expectInt8,
  input,
  ops,
  samples,
  sequentialModel,
  tfjs,
  values,
} from './layer-harness.ts';

const N = 24;
const calib = samples([N], 24, 1, -4, 4);
const test = samples([N], 6, 2, -4, 4);
const activation = (a: string) => ({ class_name: 'Activation', config: { name: 'act', activation: a } });
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const relu6 = (v: number) => Math.min(6, Math.max(0, v));
/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return x < 0 ? -y : y;
}
const map = (f: (v: number) => number) => (xs: Float32Array[][]) => xs.map(([x]) => x.map(f));

describe('Keras activations → TFLite, float32 and int8 in the core', () => {
  // rule: each activation equals tfjs-layers' (float32 within 1e-5) and is one int8 op within one step
  for (const [a, op] of [['elu', 'ELU']] as const) {
    it(`activation ${a}`, async () => {
      const keras = await sequentialModel([input('x', [N]), activation(a)]);
      const r = await checkLayer(keras, calib, test, tfjs(keras));
      expect(ops(r.float)).toEqual([op]);
      expectInt8(r);
    });
  }

  // rule: swish = x·sigmoid(x) is LOGISTIC then MUL, its interior in int16 (int8 at the layer's
  // boundary): within one int8 step end to end (measured 0.50; all-int8 it was up to 2)
  it('activation swish', async () => {
    const keras = await sequentialModel([input('x', [N]), activation('swish')]);
    const r = await checkLayer(keras, calib, test, tfjs(keras));
    expect(ops(r.float)).toEqual(['LOGISTIC', 'MUL']);
    expectInt8(r);
  });

  // rule: hard_swish = x·relu6(x + 3)/6 is one HARD_SWISH (tfjs has none: the definition)
  it('activation hard_swish', async () => {
    const keras = await sequentialModel([input('x', [N]), activation('hard_swish')]);
    const r = await checkLayer(
      keras,
      calib,
      test,
      map((v) => (v * relu6(v + 3)) / 6),
    );
    expect(ops(r.float)).toEqual(['HARD_SWISH']);
    expectInt8(r);
  });

  // rule: hard_sigmoid follows the file's Keras version: 2.x clip(0.2x + 0.5, 0, 1) (as tfjs),
  // 3.x relu6(x + 3)/6; both are [MUL] ADD(+3, RELU6) MUL(1/6), the interior in int16: within one
  // int8 step end to end although the constants are rounded (measured 0.50 and 0.48)
  it('activation hard_sigmoid, Keras 2 and Keras 3', async () => {
    const k2 = await sequentialModel([input('x', [N]), activation('hard_sigmoid')]);
    const r2 = await checkLayer(k2, calib, test, tfjs(k2));
    expect(ops(r2.float)).toEqual(['MUL', 'ADD', 'MUL']);
    expectInt8(r2, 1);
    const k3 = await sequentialModel([input('x', [N]), activation('hard_sigmoid')], {}, '3.3.3');
    const r3 = await checkLayer(
      k3,
      calib,
      test,
      map((v) => relu6(v + 3) / 6),
    );
    expect(ops(r3.float)).toEqual(['ADD', 'MUL']);
    expectInt8(r3, 1);
  });

  // rule: gelu is the tanh form x·sigmoid(2u), within 1e-3 of tfjs' exact erf gelu as float32;
  // (TFLite Micro has no GELU kernel: micro/kernels has no gelu.cc); int8: the six ops run in
  // int16 inside the layer, so end to end within one int8 step (measured 0.51; all-int8 1.09–2.5)
  it('activation gelu', async () => {
    const keras = await sequentialModel([input('x', [N]), activation('gelu')]);
    const exact = map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
    const r = await checkLayer(keras, calib, test, tfjs(keras), 1e-3);
    expect(ops(r.float)).toEqual(['MUL', 'MUL', 'ADD', 'MUL', 'LOGISTIC', 'MUL']);
    const tf = (await tfjs(keras)(test)).flatMap((y) => Array.from(y));
    (await exact(test))
      .flatMap((y) => Array.from(y))
      .forEach((v, i) => expect(Math.abs(v - tf[i])).toBeLessThan(1e-5));
    expectInt8(r, 1);
  });

  // rule: LeakyReLU (alpha) and ReLU(negative_slope) are one LEAKY_RELU, PReLU one PRELU with its
  // learned alpha, ELU one ELU
  it('LeakyReLU, PReLU, ELU layers', async () => {
    const leaky = await sequentialModel([
      input('x', [N]),
      { class_name: 'LeakyReLU', config: { name: 'l', alpha: 0.1 } },
    ]);
    const rl = await checkLayer(leaky, calib, test, tfjs(leaky));
    expect(ops(rl.float)).toEqual(['LEAKY_RELU']);
    expectInt8(rl);
    const alpha = values(12, 9, -0.5, 0.8);
    const prelu = await sequentialModel(
      [input('x', [2, 12]), { class_name: 'PReLU', config: { name: 'p', shared_axes: [1] } }],
      { p: [{ name: 'p/alpha:0', shape: [1, 12], data: alpha }] },
    );
    const rp = await checkLayer(prelu, calib, test, tfjs(prelu));
    expect(ops(rp.float)).toEqual(['PRELU']);
    expectInt8(rp);
    // a ReLU layer with a negative slope is LEAKY_RELU too (tfjs' ReLU has no slope: the definition)
    const slope = await sequentialModel([
      input('x', [N]),
      { class_name: 'ReLU', config: { name: 'r', negative_slope: 0.05, threshold: 0 } },
    ]);
    const rs = await checkLayer(
      slope,
      calib,
      test,
      map((v) => (v > 0 ? v : 0.05 * v)),
    );
    expect(ops(rs.float)).toEqual(['LEAKY_RELU']);
    expectInt8(rs);
    const elu = await sequentialModel([
      input('x', [N]),
      { class_name: 'ELU', config: { name: 'e', alpha: 1 } },
    ]);
    const re = await checkLayer(elu, calib, test, tfjs(elu));
    expect(ops(re.float)).toEqual(['ELU']);
    expectInt8(re);
  });
});
