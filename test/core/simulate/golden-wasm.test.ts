/**
 * The WASM kernel path (sim-kernels.wasm: int8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) is
 * bit-exact with every TFLite Micro golden too, and agrees with the pure-TS path on randomized
 * convolutions (strides, dilations, padding, depth multipliers, odd channel counts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { fromBytes, toBytes } from '../../../src-main/core/simulate/tensor-data.ts';
import { compileSimWasmSync } from '../../../src-main/core/simulate/wasm/arena.ts';
import { goldenBytes, listFixtures, readFixture, readGolden } from '../../helpers/fixtures.ts';

const wasm = compileSimWasmSync(
  new Uint8Array(readFileSync(resolve(__dirname, '../../../src-main/core/simulate/wasm/sim-kernels.wasm'))),
);
const goldens = listFixtures('golden', '.json').map((f) => f.replace(/\.json$/, ''));

describe('WASM kernels are bit-exact with TFLite Micro goldens', () => {
  it('finds all 8 goldens', () => {
    expect(goldens.length).toBe(8);
  });

  for (const name of goldens) {
    it(`${name}: every op output equals the golden (WASM path)`, () => {
      const golden = readGolden(name);
      const pm = prepare(readTflite(readFixture(golden.model)), 0, { wasm });
      const inputs = golden.inputs.map((g) =>
        fromBytes(
          pm.subgraph.tensors[g.tensor].dtype,
          goldenBytes(g),
          g.shape.reduce((a, b) => a * b, 1),
        ),
      );
      // Twice: the second run reuses the laid-out scratch memory.
      invoke(pm, inputs, { taps: false });
      const { layers } = invoke(pm, inputs, { taps: true });
      const byTensor = new Map(golden.op_outputs.map((g) => [g.tensor, g]));
      expect(layers.length).toBe(golden.op_outputs.length);
      for (const got of layers) {
        const g = byTensor.get(got.tensor);
        const where = `layer ${got.opIndex} (${got.op}) tensor ${got.tensor} '${got.name}'`;
        if (!g) throw new Error(`${name}: ${where} has no golden output`);
        const want = fromBytes(got.dtype as never, goldenBytes(g), got.data.length);
        expect(toBytes(got.data).length, where).toBe(goldenBytes(g).length);
        for (let i = 0; i < got.data.length; i++) {
          if (got.data[i] !== want[i]) {
            throw new Error(
              `${name}: first difference at ${where}, element ${i}: expected ${want[i]}, got ${got.data[i]}`,
            );
          }
        }
      }
    });
  }
});
