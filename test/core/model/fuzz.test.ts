/**
 * Fuzz: 12,000 seeded mutations of the real fixture models. Every case either parses (and then
 * summarize() works) or throws ModelFormatError; nothing else escapes, nothing takes a second.
 * Reproduce a failure from its printed seed and case number.
 */
import { describe, expect, it } from 'vitest';
import {
  ModelFormatError,
  readTflite,
  summarize,
  writeTflite,
  type Model,
} from '../../../src-main/core/model/index.ts';
import { listFixtures, readFixture } from '../../helpers/fixtures.ts';
import { MUTATION_KINDS, mutate, prng } from './mutate.ts';

const CASES = 12_000;
const SEED = 0x5eed2026;

interface Base {
  name: string;
  work: Uint8Array;
  /** Picks an offset, 90% of the time outside constant buffer data. */
  hot: (rnd: () => number) => number;
}

function base(dir: string, f: string): Base {
  const work = readFixture(dir, f).slice();
  const model = readTflite(work);
  // Byte ranges of constant tensor contents (views into `work`): mutating them only changes
  // weights. Metadata buffers (SL_PARAMSv1 is itself a flatbuffer) stay in the hot set.
  const meta = new Set(model.metadata.map((e) => e.buffer));
  const data = model.buffers
    .filter((b, i) => b.length > 64 && !meta.has(i))
    .map((b) => [b.byteOffset - work.byteOffset, b.length] as const);
  const structure: number[] = [];
  let pos = 0;
  for (const [start, len] of [...data].sort((a, b) => a[0] - b[0])) {
    for (let i = pos; i < start; i++) structure.push(i);
    pos = Math.max(pos, start + len);
  }
  for (let i = pos; i < work.length; i++) structure.push(i);
  return {
    name: `${dir}/${f}`,
    work,
    hot: (rnd) =>
      rnd() < 0.9 ? structure[Math.floor(rnd() * structure.length)] : Math.floor(rnd() * work.length),
  };
}

describe('fuzz: mutated real models', () => {
  it(`${CASES} cases parse or fail with ModelFormatError, each under 1 s`, () => {
    const bases = [
      ...listFixtures('models', '.tflite').map((f) => base('models', f)),
      ...listFixtures('float', '.tflite').map((f) => base('float', f)),
    ];
    const rnd = prng(SEED);
    const outcome = { parsed: 0, rejected: 0, unwritable: 0 };
    const perKind = Object.fromEntries(MUTATION_KINDS.map((k) => [k, 0]));
    let slowest = 0;
    const t0 = performance.now();
    for (let i = 0; i < CASES; i++) {
      const b = bases[i % bases.length];
      const m = mutate(b.work, rnd, b.hot);
      perKind[m.kind]++;
      const start = performance.now();
      let model: Model | null = null;
      try {
        model = readTflite(m.bytes);
        const s = summarize(model);
        expect(s.totals.ops).toBe(model.subgraphs[0]?.operators.length ?? 0);
        outcome.parsed++;
      } catch (e) {
        if (!(e instanceof ModelFormatError)) {
          throw new Error(`case ${i} (seed ${SEED}, ${b.name}, ${m.describe}): ${(e as Error).stack}`);
        }
        expect(e.message).toMatch(/^(Not a TFLite model|Bad SL_PARAMSv1 metadata): /);
        outcome.rejected++;
      } finally {
        m.restore();
      }
      // Whatever parsed can be written back (or is refused with an Error naming why) and read again.
      if (model && i % 4 === 0) {
        let written: Uint8Array | null = null;
        try {
          written = writeTflite(model);
        } catch (e) {
          if (!/^cannot write /.test((e as Error).message)) {
            throw new Error(
              `case ${i} (seed ${SEED}, ${b.name}, ${m.describe}): writer: ${(e as Error).stack}`,
            );
          }
          outcome.unwritable++;
        }
        if (written) readTflite(written);
      }
      const ms = performance.now() - start;
      slowest = Math.max(slowest, ms);
      if (ms > 250)
        console.log('slow case', i, b.name, m.describe, ms.toFixed(0), model ? 'parsed' : 'rejected');
      expect(ms, `case ${i} (${b.name}, ${m.describe})`).toBeLessThan(1000);
    }
    const total = performance.now() - t0;
    console.log(
      `fuzz: ${CASES} cases in ${total.toFixed(0)} ms, slowest ${slowest.toFixed(1)} ms,`,
      outcome,
      perKind,
    );
    expect(outcome.parsed + outcome.rejected).toBe(CASES);
    // Both outcomes occur a lot: the mutations reach the parser's checks and its happy path.
    expect(outcome.rejected).toBeGreaterThan(CASES / 10);
    expect(outcome.parsed).toBeGreaterThan(CASES / 10);
    // The files were restored after every case.
    for (const b of bases) expect(() => readTflite(b.work)).not.toThrow();
  });
});
