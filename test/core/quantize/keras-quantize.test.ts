/**
 * Keras .h5 in, int8 .tflite out: convert image_example1.h5 to the float IR, quantize it with
 * calibration data normalized as the model expects (MLTK samplewise mean/std), and compare it in
 * TFLite against the Keras float model (tfjs) and the official int8 conversion on held-out data.
 */
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { loadTfliteWasm } from '../../helpers/tflite-wasm.ts';
import { writeTflite } from '../../../src-main/core/model/index.ts';
import {
  kerasToTflite,
  kerasToTfjs,
  predictTfjs,
  readKerasH5,
} from '../../../src-main/core/model/keras/index.ts';
import { normalizeSample } from '../../../src-main/core/simulate/inputs/normalize.ts';
import { autoQuantize } from '../../../src-main/core/quantize/index.ts';
import { loadTf } from '../../../src-main/services/tfjs.ts';
import { augmentedPhotos } from './calibration-data.ts';

describe('quantizing a Keras .h5', () => {
  it('image_example1.h5 → int8: closer to the Keras float outputs than the official int8 model', async () => {
    const keras = await readKerasH5(readFixture('float', 'image_example1.h5'));
    const norm = { rescale: 0, meanAndStd: true };
    const calibration = augmentedPhotos(96, 100, 1).map((x) => [normalizeSample(x, norm)]);
    const heldOut = augmentedPhotos(96, 40, 777).map((x) => normalizeSample(x, norm));
    const { model: int8 } = autoQuantize(kerasToTflite(keras), calibration, { io: 'float32' });

    const { tf } = await loadTf();
    const float = await kerasToTfjs(tf, keras);
    const [ours, official] = await Promise.all([
      loadTfliteWasm(writeTflite(int8)),
      loadTfliteWasm(readFixture('float', 'image_example1.int8.tflite')),
    ]);
    let seOurs = 0;
    let seOfficial = 0;
    for (const x of heldOut) {
      const [f] = predictTfjs(tf, float, [x]);
      const a = ours.predict([x])[0] as Float32Array;
      const b = official.predict([x])[0] as Float32Array;
      f.forEach((v, i) => {
        seOurs += (v - a[i]) ** 2;
        seOfficial += (v - b[i]) ** 2;
      });
    }
    ours.dispose();
    official.dispose();
    float.dispose();
    expect(seOurs).toBeLessThanOrEqual(seOfficial);
  });
});
