/**
 * The short fuzz campaign (the long one is `npm run fuzz`, scripts/fuzz.ts): 400 mutants spread
 * over the long campaign's 20,000 go through what the app does with a model (scripts/mutants/
 * judge.ts). The reader + summary show each one or refuse it with a named error, never a built-in
 * error; a model the core accepts runs through prepare + invoke or is refused with a SimulateError;
 * every mutant the generator knows is invalid is refused by the core naming an op or tensor.
 */
import { describe, expect, it } from 'vitest';
import { MutantSource } from '../../../scripts/mutants/generate.ts';
import { judgeMutant, namesRule, type Judged } from '../../../scripts/mutants/judge.ts';
import { loadSeeds } from '../../../scripts/mutants/seeds.ts';
import { FIXTURES } from '../../helpers/fixtures.ts';

const STRIDE = 50;
const COUNT = 400;

describe(`short fuzz campaign (${COUNT} of the 20,000 mutants of npm run fuzz)`, () => {
  const judged: Judged[] = [];

  it('judges every mutant without a crash of the reader, summary, prepare or invoke', () => {
    const source = new MutantSource(loadSeeds(FIXTURES, 512 * 1024), 1);
    for (let i = 0; i < COUNT; i++) judged.push(judgeMutant(source.mutant(i * STRIDE)));
    const crashes = judged
      .filter((j) => j.reader === 'crash' || j.run === 'crash')
      .map((j) => `${j.file}: ${j.readerMessage ?? j.runMessage}`);
    expect(crashes.slice(0, 5).join('\n'), `${crashes.length} crashes`).toBe('');
    // the corpus exercises every path: shown and refused models, models that ran
    expect(judged.filter((j) => j.reader === 'ok').length).toBeGreaterThan(COUNT / 4);
    expect(judged.filter((j) => j.reader === 'refused').length).toBeGreaterThan(COUNT / 10);
    expect(judged.filter((j) => j.run === 'ran').length).toBeGreaterThan(COUNT / 10);
  }, 60_000);

  it('refuses every invalid-by-construction mutant with a rule naming an op or tensor', () => {
    const invalid = judged.filter((j) => j.breaks);
    expect(invalid.length).toBeGreaterThan(COUNT / 20);
    const slipped = invalid
      .filter((j) => !namesRule(j.core))
      .map((j) => `${j.file} (${j.breaks}): core says ${j.core.status} ${j.core.message}`);
    expect(slipped.slice(0, 5).join('\n'), `${slipped.length} slipped`).toBe('');
  });
});
