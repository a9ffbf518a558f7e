/**
 * Mutated real .h5 files: every one either opens and summarizes or fails with a clear error
 * naming the problem, within 1 s, and the reader stays usable afterwards (HDF5 runs in WASM; a trap
 * inside it must not poison later reads).
 */
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { readKerasH5, summarizeKeras } from '../../../src-main/core/model/keras/index.ts';

const CLEAR =
  /^(Not a Keras \.h5 model|Keras \.h5|HDF5 file has no model_config|Keras (layer|model|Sequential|InputLayer|nested))/;

describe('Keras .h5 reader on mutated files', () => {
  it('200 mutations of image_example1.h5: opens or names the problem, fast', async () => {
    const base = readFixture('float', 'image_example1.h5');
    let s = 7;
    const rand = () => {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      return s;
    };
    // h5wasm is imported on the first read (lazy, so the CLI starts fast): load it before timing reads
    await readKerasH5(base);
    let opened = 0;
    for (let k = 0; k < 200; k++) {
      const b = base.slice();
      // 1–8 byte changes, mostly in the first 8 KiB where the superblock, headers and JSON live.
      for (let j = 1 + (rand() % 8); j > 0; j--)
        b[rand() % Math.min(b.length, 8192 + (rand() % b.length))] = rand() & 255;
      const t = performance.now();
      try {
        summarizeKeras(await readKerasH5(b));
        opened++;
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message, `mutation ${k}`).toMatch(CLEAR);
      }
      expect(performance.now() - t, `mutation ${k} took too long`).toBeLessThan(1000);
    }
    expect(opened).toBeGreaterThan(0);
    const again = summarizeKeras(await readKerasH5(base));
    expect(again.layers).toHaveLength(10);
  });
});
