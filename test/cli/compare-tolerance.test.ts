/**
 * `quantscope compare --tolerance LSB`: person_detect's TFLite Micro golden with ±1 noise in 0.2%
 * of one layer's elements (what an optimized kernel shows) fails a strict compare as rounding and
 * passes with a tolerance of 1; an offset in another layer stays a systematic divergence; the
 * JSON and CSV reports carry each differing layer's class and Δ histogram.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/exit.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';
import { runQuantscope } from '../helpers/cli-process.ts';

const cli = (...args: string[]) => runQuantscope(args, { timeout: 120_000 });

const MODEL = fixturePath('models', 'person_detect.tflite');
const ops = readTflite(readFixture('models', 'person_detect.tflite')).subgraphs[0].operators;

/** The golden with op `op`'s output rewritten by `f` (int8 values), written to a temp file. */
function alteredGolden(dir: string, faults: [number, (v: Int8Array) => void][]): string {
  const golden = JSON.parse(readFileSync(fixturePath('golden', 'person_detect.json'), 'utf8'));
  for (const [op, f] of faults) {
    const t = golden.op_outputs.find((o: { tensor: number }) => o.tensor === ops[op].outputs[0]);
    const v = new Int8Array(Buffer.from(t.data_b64, 'base64'));
    f(v);
    t.data_b64 = Buffer.from(v.buffer).toString('base64');
  }
  const path = join(dir, 'altered.json');
  writeFileSync(path, JSON.stringify(golden));
  return path;
}

/** ±1 on every 500th element (0.2%), away from the rails. */
const noise = (v: Int8Array) => {
  for (let i = 0; i < v.length; i += 500) v[i] += v[i] === 127 ? -1 : 1;
};

describe('quantscope compare --tolerance', () => {
  // rule: scattered ±1 differences fail at tolerance 0 (as rounding) and match within 1 LSB
  it('rounding noise: exit 4 strict, exit 0 with --tolerance 1; reports carry class and histogram', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-tol-'));
    const dump = alteredGolden(dir, [[4, noise]]);
    const strict = await cli('compare', MODEL, dump, '--fail-on', 'mismatch');
    expect(strict.code).toBe(EXIT.MISMATCH);
    expect(strict.stdout).toContain('first divergent layer: 4');
    expect(strict.stdout).toMatch(/verdict: scattered ±1 LSB rounding beyond the tolerance of 0 LSB/);
    const json = join(dir, 'r.json');
    const csv = join(dir, 'r.csv');
    const html = join(dir, 'r.html');
    const ok = await cli(
      'compare',
      MODEL,
      dump,
      '--tolerance',
      '1',
      '--fail-on',
      'mismatch',
      '-o',
      json,
      csv,
      html,
    );
    expect(ok.code).toBe(EXIT.OK);
    expect(ok.stdout).toContain(
      'verdict: matches within 1 LSB: 1 layer(s) differ by scattered ±1 LSB rounding',
    );
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.summary).toMatchObject({
      all_match: true,
      first_divergent: null,
      tolerance_lsb: 1,
      verdict: 'within-tolerance',
    });
    const row = doc.layers.find((l: { index: number }) => l.index === 4);
    expect(row).toMatchObject({ diff_class: 'rounding', within_tolerance: true });
    const plus = row.delta_histogram.find((b: { lo: number; hi: number }) => b.lo === 1 && b.hi === 1);
    expect(plus.count).toBe(row.mismatches);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Matches within 1 LSB');
    expect(page).toMatch(/<tr data-class="rounding"><td>4<\/td>[\s\S]*?<svg class="delta-hist"/);
    const lines = readFileSync(csv, 'utf8').trim().split('\r\n');
    expect(lines[0]).toMatch(/,diff_class,within_tolerance,rmse_lsb,delta_histogram$/);
    expect(lines.find((l) => l.startsWith('4,'))).toMatch(/,rounding,true,[0-9.e-]+,0:\d+ 1:\d+$/);
  });

  // rule: a systematic layer beyond the tolerance is the first divergent one, named with its class
  it('an offset of +5 after rounding noise: layer 8 is the first divergent one at --tolerance 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-tol-'));
    const dump = alteredGolden(dir, [
      [4, noise],
      [8, (v) => v.forEach((x, i) => (v[i] = Math.min(127, x + 5)))],
    ]);
    const r = await cli('compare', MODEL, dump, '--tolerance', '1', '--fail-on', 'mismatch');
    expect(r.code).toBe(EXIT.MISMATCH);
    expect(r.stdout).toContain('first divergent layer: 8');
    expect(r.stdout).toMatch(/verdict: systematic offset at layer 8 CONV_2D/);
  });

  // rule: --model-explorer OUT.json writes OUT.<figure>.json node data keyed by op index in graph "main"
  it('--model-explorer writes one node-data file per figure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-me-'));
    const dump = alteredGolden(dir, [[4, noise]]);
    const out = join(dir, 'person.json');
    const r = await cli('compare', MODEL, dump, '--model-explorer', out);
    expect(r.code).toBe(EXIT.OK);
    const diff = JSON.parse(readFileSync(join(dir, 'person.max_abs_diff_lsb.json'), 'utf8'));
    expect(Object.keys(diff.main.results)).toHaveLength(ops.length);
    expect(diff.main.results['4']).toEqual({ value: 1 });
    expect(diff.main.results['3']).toEqual({ value: 0 });
    const bytes = JSON.parse(readFileSync(join(dir, 'person.tensor_bytes.json'), 'utf8'));
    expect(bytes.main.results['4']).toEqual({ value: 24 * 24 * 32 });
    // a dump has no timings: no measured-time file rather than zeros
    expect(r.stdout).not.toContain('measured_us');
    expect(r.stdout).toContain('person.rmse_lsb.json');
  });

  // rule: a bad tolerance is a clear error, no stack
  it('--tolerance -2 is refused by name', async () => {
    const r = await cli('compare', MODEL, fixturePath('golden', 'person_detect.json'), '--tolerance', '-2');
    expect(r.code).not.toBe(EXIT.OK);
    expect(r.stderr).toContain("--tolerance expects a whole number of LSB (0 or more), got '-2'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
