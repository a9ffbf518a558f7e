/**
 * Output paths of the CLI (docs/cli.md, "Output files"): a folder, a missing folder or an existing
 * file is refused before any work with a message naming the flag; nothing is created on the way
 * (no temp file, no folder); `--force` replaces an existing file; writes are atomic (no temp file
 * is left beside the target).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { fixturePath } from '../helpers/fixtures.ts';

const INT8 = fixturePath('models', 'hello_world_int8.tflite');
const FLOAT = fixturePath('float', 'hello_world_float.tflite');

let dir: string;
let data: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qs-out-'));
  data = join(dir, 'x.csv');
  writeFileSync(data, Array.from({ length: 40 }, (_, i) => String(i * 0.15)).join('\n') + '\n');
});

/** Every entry under `dir`, recursively (to prove nothing else was created). */
function tree(d = dir): string[] {
  return readdirSync(d, { recursive: true, encoding: 'utf8' }).sort();
}

describe('a folder as the output is refused before any work, and nothing is created', () => {
  it.each([
    ['run --dump', (out: string) => ['run', INT8, '--dump', out], '--dump'],
    [
      'quantize --out',
      (out: string) => ['quantize', '/nonexistent/m.tflite', '--data', data, '--out', out],
      '--out',
    ],
    [
      'quantize --report',
      (out: string) => [
        'quantize',
        '/nonexistent/m.tflite',
        '--data',
        data,
        '--out',
        join(dir, 'm.tflite'),
        '--report',
        out,
      ],
      '--report',
    ],
    [
      'report --out',
      (out: string) => ['report', '/nonexistent/m.tflite', '--float', FLOAT, '--data', data, '--out', out],
      '--out',
    ],
    [
      'profile --out',
      (out: string) => ['profile', '/nonexistent/m.tflite', '--board', '/nonexistent/tty', '--out', out],
      '--out',
    ],
    [
      'profile --dump',
      (out: string) => ['profile', '/nonexistent/m.tflite', '--board', '/nonexistent/tty', '--dump', out],
      '--dump',
    ],
  ])('%s', async (_name, args, flag) => {
    const folder = join(dir, 'sub');
    mkdirSync(folder);
    // a model path that does not exist: the output check must come first (before any reading)
    const r = await cli(...args(folder));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `quantscope: ${flag} ${folder} is a folder: give the path of a file (in it or elsewhere)\n`,
    );
    expect(tree()).toEqual(['sub', 'x.csv']);
    // a trailing slash names a folder too, even one that does not exist
    const slash = await cli(...args(join(dir, 'new') + '/'));
    expect(slash.code).toBe(1);
    expect(slash.err).toMatch(/is a folder/);
    expect(tree()).toEqual(['sub', 'x.csv']);
  });

  it('--out / and --dump /tmp: refused, no temp file in the parent folder', async () => {
    const r = await cli('run', INT8, '--dump', tmpdir());
    expect(r.err).toMatch(/--dump .* is a folder/);
    const q = await cli('quantize', FLOAT, '--data', data, '--out', '/', '--quiet');
    expect(q.err).toBe('quantscope: --out / is a folder: give the path of a file (in it or elsewhere)\n');
    expect(readdirSync('/').filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('a missing folder is not created', () => {
  it('run --dump, quantize --out, report --out: "folder … does not exist", nothing made', async () => {
    const missing = join(dir, 'a', 'b');
    for (const args of [
      ['run', INT8, '--dump', join(missing, 'd.json')],
      ['quantize', FLOAT, '--data', data, '--out', join(missing, 'm.tflite'), '--quiet'],
      ['report', INT8, '--float', FLOAT, '--data', data, '--out', join(missing, 'r.csv'), '--quiet'],
    ]) {
      const r = await cli(...args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(
        new RegExp(`folder ${join(dir, 'a')}(/b)? does not exist \\(QuantScope does not create folders\\)`),
      );
    }
    expect(existsSync(join(dir, 'a'))).toBe(false);
    expect(tree()).toEqual(['x.csv']);
  });
});

describe('an existing file is kept unless --force', () => {
  it('run --dump: refused without --force (file untouched), replaced with it, no temp file left', async () => {
    const dump = join(dir, 'd.json');
    writeFileSync(dump, 'keep me');
    const r = await cli('run', INT8, '--dump', dump);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`quantscope: --dump ${dump} already exists (give --force to overwrite it)\n`);
    expect(readFileSync(dump, 'utf8')).toBe('keep me');
    const f = await cli('run', INT8, '--dump', dump, '--force');
    expect(f.code).toBe(0);
    expect(JSON.parse(readFileSync(dump, 'utf8')).op_outputs.length).toBeGreaterThan(0);
    expect(tree()).toEqual(['d.json', 'x.csv']);
  });

  it('quantize --out / --report and report --out: refused before the work, replaced with --force', async () => {
    const model = join(dir, 'm.tflite');
    const csv = join(dir, 'r.csv');
    const first = await cli('quantize', FLOAT, '--data', data, '--out', model, '--report', csv, '--quiet');
    expect(first.code).toBe(0);
    const bytes = readFileSync(model);
    writeFileSync(csv, 'keep me');
    const again = await cli('quantize', FLOAT, '--data', data, '--out', model, '--quiet');
    expect(again.err).toBe(`quantscope: --out ${model} already exists (give --force to overwrite it)\n`);
    const rep = await cli(
      'quantize',
      FLOAT,
      '--data',
      data,
      '--out',
      join(dir, 'n.tflite'),
      '--report',
      csv,
      '--quiet',
    );
    expect(rep.err).toBe(`quantscope: --report ${csv} already exists (give --force to overwrite it)\n`);
    expect(existsSync(join(dir, 'n.tflite'))).toBe(false);
    const report = await cli('report', model, '--float', FLOAT, '--data', data, '--out', csv, '--quiet');
    expect(report.err).toBe(`quantscope: --out ${csv} already exists (give --force to overwrite it)\n`);
    expect(readFileSync(csv, 'utf8')).toBe('keep me');
    const forced = await cli(
      'quantize',
      FLOAT,
      '--data',
      data,
      '--out',
      model,
      '--report',
      csv,
      '--quiet',
      '--force',
    );
    expect(forced.code).toBe(0);
    expect(readFileSync(model).equals(bytes)).toBe(true);
    expect(readFileSync(csv, 'utf8')).toMatch(/^op_name,tensor_idx,/);
    const forcedReport = await cli(
      'report',
      model,
      '--float',
      FLOAT,
      '--data',
      data,
      '--out',
      csv,
      '--quiet',
      '--force',
    );
    expect(forcedReport.code).toBe(0);
    expect(tree()).toEqual(['m.tflite', 'r.csv', 'x.csv']);
  });

  it('profile: the same file named twice is refused before any board work', async () => {
    const out = join(dir, 'r.json');
    const r = await cli('profile', INT8, '--board', '/nonexistent/tty', '--out', out, '--dump', out);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`quantscope: --out ${out}: the same file is already the output of --dump\n`);
  });
});
