/**
 * Mutated real .keras files: every one either opens and summarizes or fails with a clear error
 * naming the problem, fast, and the reader stays usable afterwards.
 */
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { readKeras3, summarizeKeras } from '../../../src-main/core/model/keras/index.ts';

const CLEAR = /^(Not a Keras \.keras model|Keras \.keras|Keras (layer|model|Sequential|InputLayer|nested))/;

describe('Keras 3 .keras reader on mutated files', () => {
  // Rule: bad input gets a clear error naming the problem, never a crash or a stack trace.
  it('150 mutations of kws_cnn.keras (zip headers, config.json, weights): opens or names the problem', async () => {
    const base = readFixture('keras3', 'kws_cnn.keras');
    let s = 11;
    const rand = () => {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      return s;
    };
    await readKeras3(base); // h5wasm loads on first use: not part of the timing
    // Where the structure lives: local header + metadata + config.json, the weights' first 8 KiB,
    // and the central directory at the end.
    const h5Start =
      30 + 'metadata.json'.length + 63 + 30 + 'config.json'.length + 7663 + 30 + 'model.weights.h5'.length;
    const regions: [number, number][] = [
      [0, h5Start],
      [h5Start, h5Start + 8192],
      [base.length - 300, base.length],
    ];
    let opened = 0;
    const seen = new Set<string>();
    for (let k = 0; k < 150; k++) {
      const b = base.slice();
      const [lo, hi] = regions[k % 3];
      for (let j = 1 + (rand() % 6); j > 0; j--) b[lo + (rand() % (hi - lo))] = rand() & 255;
      const t = performance.now();
      try {
        summarizeKeras(await readKeras3(b));
        opened++;
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).constructor.name, `mutation ${k}: ${(e as Error).message}`).not.toMatch(
          /^(TypeError|RangeError|ReferenceError|SyntaxError)$/,
        );
        expect((e as Error).message, `mutation ${k}`).toMatch(CLEAR);
        expect((e as Error).message, `mutation ${k}: one line`).not.toMatch(/[\n\r]/);
        seen.add((e as Error).message.slice(0, 40));
      }
      expect(performance.now() - t, `mutation ${k} took too long`).toBeLessThan(1000);
    }
    expect(opened).toBeGreaterThan(0);
    expect(seen.size).toBeGreaterThan(1);
    expect(summarizeKeras(await readKeras3(base)).layers).toHaveLength(13);
  });
});
