/**
 * Write a deterministic corpus of mutated .tflite models (byte flips, 32-bit writes, truncations
 * and structural graph edits of the fixture models) for comparing the interpreter core's verdicts
 * across its builds (WebAssembly host simulator, virtual board):
 *   node --import tsx scripts/gen-mutants.ts OUT_DIR [--count N] [--seed S] [--fixtures DIR] [--max-seed-bytes B]
 * Defaults: 2000 mutants, seed 1, fixtures ../shared/fixtures, seeds up to 512 KiB. Mutant i is the
 * same for every count, so a long campaign starts with the short one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MutantSource } from './mutants/generate.ts';
import { loadSeeds } from './mutants/seeds.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    count: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    fixtures: { type: 'string', default: resolve(import.meta.dirname, '../../shared/fixtures') },
    'max-seed-bytes': { type: 'string', default: String(512 * 1024) },
  },
});
const out = positionals[0];
if (!out) {
  console.error(
    'usage: node --import tsx scripts/gen-mutants.ts OUT_DIR [--count N] [--seed S] [--fixtures DIR]',
  );
  process.exit(2);
}
const seeds = loadSeeds(values.fixtures, Number(values['max-seed-bytes']));
const source = new MutantSource(seeds, Number(values.seed));
const count = Number(values.count);
mkdirSync(out, { recursive: true });
for (let i = 0; i < count; i++) {
  const m = source.mutant(i);
  writeFileSync(join(out, m.file), m.bytes);
}
console.log(`${count} mutants of ${seeds.length} seed models in ${out}`);
