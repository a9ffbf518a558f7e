/**
 * Float models run in the simulator and agree with real TFLite (tfjs-tflite WASM) within 1e-5
 * relative on every output element.
 */
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { listFixtures, readFixture } from '../../helpers/fixtures.ts';
import { loadTfliteWasm, xorshiftInput } from '../../helpers/tflite-wasm.ts';

const floatModels = listFixtures('float', '.tflite').filter((f) => f.includes('float'));

/** Largest |ours - tflite| / |tflite| over all output elements (denominator floored at 1e-6). */
function maxRelativeError(ours: Float32Array, theirs: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const rel = Math.abs(ours[i] - theirs[i]) / Math.max(Math.abs(theirs[i]), 1e-6);
    if (rel > worst) worst = rel;
  }
  return worst;
}

describe('float32 models agree with TFLite WASM', () => {
  it('finds the float fixtures', () => {
    expect(floatModels).toEqual(
      expect.arrayContaining(['hello_world_float.tflite', 'rock_paper_scissors.float32.tflite']),
    );
  });

  for (const file of floatModels) {
    it(`${file}: every output within 1e-5 relative`, async () => {
      const bytes = readFixture('float', file);
      const pm = prepare(readTflite(bytes));
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
        const ours = invoke(pm, inputs, { taps: false }).outputs;
        const theirs = ref.predict(inputs);
        expect(ours.length).toBe(theirs.length);
        ours.forEach((o, k) => {
          expect(o.data.length).toBe(theirs[k].length);
          const err = maxRelativeError(o.data as Float32Array, theirs[k] as Float32Array);
          expect(err, `${file} output ${k} '${o.name}' max relative error ${err}`).toBeLessThanOrEqual(1e-5);
        });
      } finally {
        ref.dispose();
      }
    });
  }
});
