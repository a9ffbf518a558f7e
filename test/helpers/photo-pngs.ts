/**
 * The augmented grey photos of test/core/quantize/calibration-data.ts as PNG files (name + bytes),
 * for tests that hand a model data files the way a user does (the Quantize view, the CLI's --data
 * folder): image_example1.float32.tflite reads them through its own MLTK normalization.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { augmentedPhotos } from '../core/quantize/calibration-data.ts';

export interface PhotoFile {
  name: string;
  bytes: Uint8Array;
}

/** `count` grey size×size PNGs (seeded augmentations of the two fixture photos). */
export function photoPngs(count: number, seed: number, size = 96): PhotoFile[] {
  return augmentedPhotos(size, count, seed).map((p, k) => {
    const png = new PNG({ width: size, height: size });
    for (let i = 0; i < size * size; i++) {
      const v = Math.round(p[i]);
      png.data.set([v, v, v, 255], i * 4);
    }
    return { name: `sample_${String(k).padStart(2, '0')}.png`, bytes: new Uint8Array(PNG.sync.write(png)) };
  });
}

/** The same files written to `dir` (created); returns their paths. */
export function writePhotoPngs(dir: string, count: number, seed: number, size = 96): string[] {
  mkdirSync(dir, { recursive: true });
  return photoPngs(count, seed, size).map((f) => {
    const path = join(dir, f.name);
    writeFileSync(path, f.bytes);
    return path;
  });
}
