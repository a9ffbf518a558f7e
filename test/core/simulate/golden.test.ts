/**
 * Bit-exactness against TensorFlow Lite Micro: for every golden in the shared fixtures, feed the
 * recorded inputs and compare every op output, element by element.
 */
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { fromBytes, toBytes } from '../../../src-main/core/simulate/tensor-data.ts';
import { goldenBytes, listFixtures, readFixture, readGolden } from '../../helpers/fixtures.ts';

const goldens = listFixtures('golden', '.json').map((f) => f.replace(/\.json$/, ''));

describe('host simulator is bit-exact with TFLite Micro goldens', () => {
  it('finds all 8 goldens', () => {
    expect(goldens.length).toBe(8);
  });

  for (const name of goldens) {
    it(`${name}: every op output equals the golden`, () => {
      const golden = readGolden(name);
      const model = readTflite(readFixture(golden.model));
      const pm = prepare(model);
      const inputs = golden.inputs.map((g) => {
        const t = pm.subgraph.tensors[g.tensor];
        return fromBytes(
          t.dtype,
          goldenBytes(g),
          g.shape.reduce((a, b) => a * b, 1),
        );
      });
      const { layers } = invoke(pm, inputs, { taps: true });
      // The golden lists each op output once (not necessarily in execution order): match by tensor.
      const byTensor = new Map(golden.op_outputs.map((g) => [g.tensor, g]));
      expect(layers.length).toBe(golden.op_outputs.length);
      layers.forEach((got) => {
        const g = byTensor.get(got.tensor);
        const where = `layer ${got.opIndex} (${got.op}) tensor ${got.tensor} '${got.name}'`;
        if (!g) throw new Error(`${name}: ${where} has no golden output`);
        expect(got.shape, where).toEqual(g.shape);
        const want = goldenBytes(g);
        const have = toBytes(got.data);
        expect(have.length, where).toBe(want.length);
        const wantEl = fromBytes(got.dtype as never, want, got.data.length);
        for (let i = 0; i < got.data.length; i++) {
          if (got.data[i] !== wantEl[i]) {
            throw new Error(
              `${name}: first difference at ${where}, element ${i}: expected ${wantEl[i]}, got ${got.data[i]}`,
            );
          }
        }
      });
    });
  }
});
