/**
 * Float models with the WASM float kernels (conv_f32 for CONV_2D / FULLY_CONNECTED) agree with
 * real TFLite (tfjs-tflite WASM) within 1e-5 relative on every output element, like the TS path.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { compileSimWasmSync } from '../../../src-main/core/simulate/wasm/arena.ts';
import { listFixtures, readFixture } from '../../helpers/fixtures.ts';
import { loadTfliteWasm, xorshiftInput } from '../../helpers/tflite-wasm.ts';

const wasm = compileSimWasmSync(
  new Uint8Array(readFileSync(resolve(__dirname, '../../../src-main/core/simulate/wasm/sim-kernels.wasm'))),
);
const floatModels = listFixtures('float', '.tflite').filter((f) => f.includes('float'));

function maxRelativeError(ours: Float32Array, theirs: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const rel = Math.abs(ours[i] - theirs[i]) / Math.max(Math.abs(theirs[i]), 1e-6);
    if (rel > worst) worst = rel;
  }
  return worst;
}

describe('float32 models on the WASM kernels agree with TFLite WASM', () => {
  it('finds the float fixtures', () => {
    expect(floatModels.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of floatModels) {
    it(`${file}: every output within 1e-5 relative (WASM path), and every layer close to the TS path`, async () => {
      const bytes = readFixture('float', file);
      const model = readTflite(bytes);
      const pm = prepare(model, 0, { wasm });
      const ts = prepare(model);
      const ref = await loadTfliteWasm(bytes);
      try {
        const state = { x: 1 };
        const inputs = pm.inputs.map(
          (t) =>
            xorshiftInput(
              t.dtype,
              t.shape.reduce((a, b) => a * b, 1),
              state,
            ) as Float32Array,
        );
        const ours = invoke(pm, inputs, { taps: true });
        const theirs = ref.predict(inputs);
        expect(ours.outputs.length).toBe(theirs.length);
        ours.outputs.forEach((o, k) => {
          const err = maxRelativeError(o.data as Float32Array, theirs[k] as Float32Array);
          expect(err, `${file} output ${k} '${o.name}' max relative error ${err}`).toBeLessThanOrEqual(1e-5);
        });
        // Same arithmetic as the TS kernels up to double summation order: layers agree to ~1 float ulp.
        const tsLayers = invoke(ts, inputs, { taps: true }).layers;
        ours.layers.forEach((l, i) => {
          const err = maxRelativeError(l.data as Float32Array, tsLayers[i].data as Float32Array);
          expect(err, `layer ${l.opIndex} (${l.op}) vs TS: ${err}`).toBeLessThanOrEqual(1e-6);
        });
      } finally {
        ref.dispose();
      }
    });
  }
});
