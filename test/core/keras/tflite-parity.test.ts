/**
 * A Keras .h5 run in tfjs-layers computes the same function as the official float32 TFLite
 * conversion of the same network run in real TFLite (WASM): every output within 1e-4.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { loadTfliteWasm, xorshiftInput } from '../../helpers/tflite-wasm.ts';
import { loadTf, type TfRuntime } from '../../../src-main/services/tfjs.ts';
import { readKerasH5 } from '../../../src-main/core/model/keras/index.ts';
import { kerasToTfjs, predictTfjs } from '../../../src-main/core/model/keras/tfjs-model.ts';

let rt: TfRuntime;
beforeAll(async () => {
  rt = await loadTf();
});

/** The grey 96×96 person photos, centre-cropped to `size`, scaled to [0, 1]. */
function photos(size: number): Float32Array[] {
  return ['tflm_person_gray_u8_96x96.npy', 'tflm_no_person_gray_u8_96x96.npy'].map((f) => {
    const b = readFixture('data', f);
    const px = b.subarray(10 + (b[8] | (b[9] << 8)));
    const off = (96 - size) >> 1;
    return Float32Array.from(
      { length: size * size },
      (_, i) => px[(Math.floor(i / size) + off) * 96 + (i % size) + off] / 255,
    );
  });
}

const PAIRS: { name: string; images: boolean }[] = [
  { name: 'image_example1', images: true },
  { name: 'rock_paper_scissors', images: true },
  { name: 'autoencoder_example', images: false },
];

describe('Keras .h5 (tfjs) vs float32 .tflite (TFLite WASM)', () => {
  for (const { name, images } of PAIRS) {
    it(`${name}: outputs agree within 1e-4`, async () => {
      const model = await kerasToTfjs(rt.tf, await readKerasH5(readFixture('float', `${name}.h5`)));
      const ref = await loadTfliteWasm(readFixture('float', `${name}.float32.tflite`));
      try {
        const shape = ref.inputs[0].shape;
        const count = shape.reduce((a, b) => a * b, 1);
        expect(model.inputs[0].shape.slice(1)).toEqual(shape.slice(1));
        const state = { x: 1 };
        const samples = [0, 1, 2].map(() => xorshiftInput('float32', count, state) as Float32Array);
        if (images) samples.push(...photos(shape[1]));
        let worst = 0;
        for (const x of samples) {
          const [ours] = predictTfjs(rt.tf, model, [x]);
          const [theirs] = ref.predict([x]) as Float32Array[];
          expect(ours.length).toBe(theirs.length);
          for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
        }
        expect(worst, `${name}: max |keras - tflite| = ${worst}`).toBeLessThanOrEqual(1e-4);
      } finally {
        ref.dispose();
        model.dispose();
      }
    });
  }
});
