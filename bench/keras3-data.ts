/**
 * The Keras 3 fixtures for the accuracy benches: kws_cnn.keras, its official int8 TFLite and the
 * 8 MFCC samples shipped with it (one per class), the only real inputs it has.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Model } from '../src-main/core/model/ir.ts';
import { kerasToTflite, readKeras3, type KerasModel } from '../src-main/core/model/keras/index.ts';
import { readTflite } from '../src-main/core/model/tflite-reader.ts';
import { parseNpy } from '../src-main/core/simulate/inputs/npy.ts';

const FIXTURES = process.env.QS_FIXTURES ?? resolve(import.meta.dirname, '../../shared/fixtures');
const read = (...p: string[]) => new Uint8Array(readFileSync(resolve(FIXTURES, 'keras3', ...p)));
const KWS = ['_silence_', '_unknown_', 'down', 'left', 'off', 'on', 'right', 'up'];

export interface KwsFixture {
  keras: KerasModel;
  /** Our float conversion of the .keras (equal to the official float32 TFLite on the samples). */
  float: Model;
  official: Model;
  /** One sample per class, [13, 100, 1] float32 MFCC each. */
  samples: Float32Array[][];
}

export async function kwsFixture(): Promise<KwsFixture> {
  const keras = await readKeras3(read('kws_cnn.keras'));
  return {
    keras,
    float: kerasToTflite(keras),
    official: readTflite(read('kws_cnn_int8.tflite')),
    samples: KWS.map((k) => [
      Float32Array.from(parseNpy(read('kws_cnn_samples', `sample_mfcc_${k}.npy`)).data as Float32Array),
    ]),
  };
}
