/**
 * Merge layers in functional models: Concatenate (CONCATENATION; inputs at another scale are
 * requantized to the output's, as TFLite Micro's int8 kernel copies raw values), Multiply (MUL,
 * broadcasting a squeeze-excite gate), Maximum / Minimum (MAXIMUM / MINIMUM, also raw values).
 */
import { describe, expect, it } from 'vitest';
import { call, checkLayer, expectInt8, functionalModel, input, ops, tfjs, values } from './layer-harness.ts';

const inputLayer = (name: string, shape: number[]) => ({ ...input(name, shape), name, inbound_nodes: [] });

/** Samples of two inputs with different ranges (so their int8 scales differ). */
const twoInputs = (n: number, a: number, b: number, seed: number) =>
  Array.from({ length: n }, (_, s) => [
    values(a, seed * 100 + s, -1, 1),
    values(b, seed * 100 + s + 50, -4, 3),
  ]);

describe('Keras merge layers → TFLite, float32 and int8 in the core', () => {
  // rule: Concatenate is one CONCATENATION; int8 inputs at another scale get a QUANTIZE to the
  // output's scale first, and the result is within one step of tfjs
  it('Concatenate of inputs at different scales', async () => {
    const keras = await functionalModel(
      [
        inputLayer('a', [3, 4]),
        inputLayer('b', [3, 2]),
        call('Concatenate', { name: 'cat', axis: -1 }, ['a', 'b']),
      ],
      ['a', 'b'],
      ['cat'],
    );
    const r = await checkLayer(keras, twoInputs(16, 12, 6, 1), twoInputs(4, 12, 6, 2), tfjs(keras));
    expect(ops(r.float)).toEqual(['CONCATENATION']);
    expect(ops(r.int8).filter((o) => o === 'QUANTIZE').length).toBeGreaterThanOrEqual(3);
    expectInt8(r);
  });

  const binary: [string, string, number[], number[]][] = [
    ['Multiply', 'MUL', [4, 4, 3], [1, 1, 3]],
    ['Maximum', 'MAXIMUM', [5, 3], [5, 3]],
    ['Minimum', 'MINIMUM', [5, 3], [5, 3]],
  ];
  for (const [cls, op, sa, sb] of binary) {
    // rule: the layer is one elementwise op (broadcasting like Keras), tfjs-equal as float32 and
    // within one int8 step (MAXIMUM / MINIMUM after their inputs are requantized to the output's scale)
    it(`${cls} [${sa}] · [${sb}]`, async () => {
      const keras = await functionalModel(
        [inputLayer('a', sa), inputLayer('b', sb), call(cls, { name: 'merge' }, ['a', 'b'])],
        ['a', 'b'],
        ['merge'],
      );
      const na = sa.reduce((x, y) => x * y, 1);
      const nb = sb.reduce((x, y) => x * y, 1);
      const r = await checkLayer(keras, twoInputs(16, na, nb, 1), twoInputs(4, na, nb, 2), tfjs(keras));
      expect(ops(r.float)).toEqual([op]);
      expectInt8(r);
    });
  }

  // rule: three inputs are merged pairwise left to right
  it('Multiply of three inputs', async () => {
    const keras = await functionalModel(
      [
        inputLayer('a', [6]),
        inputLayer('b', [6]),
        inputLayer('c', [6]),
        call('Multiply', { name: 'm' }, ['a', 'b', 'c']),
      ],
      ['a', 'b', 'c'],
      ['m'],
    );
    const s = (n: number, seed: number) =>
      Array.from({ length: n }, (_, k) => [0, 1, 2].map((i) => values(6, seed * 100 + k * 3 + i)));
    const r = await checkLayer(keras, s(16, 1), s(4, 2), tfjs(keras));
    expect(ops(r.float)).toEqual(['MUL', 'MUL']);
    // the partial product is int16 inside the layer: within one int8 step end to end (measured
    // 0.49; all-int8 up to 2)
    expectInt8(r, 1);
  });
});
