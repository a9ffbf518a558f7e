/**
 * How the `quantscope` process ends (docs/cli.md): every exit has a message and a documented code,
 * a closed stdout ends it quietly, a truncated Keras .h5 is one line on stderr (no HDF5-DIAG C
 * trace), and a command left awaiting something that can never happen says so (not Node's silent
 * exit code 13). Run through the package bin, as a user or a script runs it.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/exit.ts';
import { REPO, fixturePath } from '../helpers/fixtures.ts';
import { BIN, runNode } from '../helpers/cli-process.ts';

const run = promisify(execFile);
const MODEL = fixturePath('models', 'person_detect.tflite');

const node = (args: string[]) => runNode(args, { cwd: REPO });
const cli = (...args: string[]) => node([BIN, ...args]);

/** Runs the CLI with its stdout read by nobody: the pipe is closed before the first byte is written. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed pipe on stdout ends the command quietly', () => {
  const out = mkdtempSync(join(tmpdir(), 'qs-pipe-'));
  const csv = join(out, 'x.csv');
  writeFileSync(csv, Array.from({ length: 20 }, (_, i) => String(i * 0.3)).join('\n'));
  const FLOAT = fixturePath('float', 'hello_world_float.tflite');
  const INT8 = fixturePath('models', 'hello_world_int8.tflite');
  it.each([
    ['summary --json', ['summary', '--json', MODEL]],
    ['summary (table)', ['summary', MODEL]],
    ['run --json', ['run', '--json', MODEL]],
    ['run (table)', ['run', MODEL]],
    ['boards --json', ['boards', '--json']],
    ['quantize', ['quantize', FLOAT, '--data', csv, '--out', join(out, 'q.tflite'), '--quiet']],
    ['report', ['report', INT8, '--float', FLOAT, '--data', csv, '--out', join(out, 'r.json'), '--quiet']],
    ['profile on the virtual board', ['profile', INT8, '--board', 'virtual']],
    ['--help', ['--help']],
  ])('%s: exit 0, nothing on stderr (no EPIPE stack)', async (_name, args) => {
    const r = await withClosedStdout(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('`summary --json MODEL | head -1` in a shell with pipefail succeeds and prints the first line', async () => {
    const r = await run('bash', [
      '-c',
      `set -o pipefail; "${process.execPath}" "${BIN}" summary --json "${MODEL}" | head -1`,
    ]);
    expect(r.stdout).toBe('{\n');
    expect(r.stderr).toBe('');
  });
});

describe('exit codes and messages', () => {
  it('docs/cli.md documents every exit code the CLI uses', () => {
    const doc = readFileSync(join(REPO, 'docs', 'cli.md'), 'utf8');
    for (const code of Object.values(EXIT)) expect(doc).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('0: --version and --help', async () => {
    expect((await cli('--version')).code).toBe(0);
    const h = await cli('--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Usage: quantscope');
  });

  it('2: usage errors say what is wrong', async () => {
    const unknown = await cli('bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'bogus'/);
    const missing = await cli('summary');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'model'/);
    const option = await cli('summary', MODEL, '--nope');
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/unknown option '--nope'/);
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: quantscope');
  });

  it('1: a failed command prints one line "quantscope: <why>"', async () => {
    const r = await cli('summary', '/nonexistent/model.tflite');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('quantscope: No such file: /nonexistent/model.tflite\n');
    const bad = await cli('run', MODEL, '--repeat', 'zero');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("quantscope: --repeat expects a positive integer, got 'zero'\n");
  });

  it('3: a command awaiting something that can never happen is reported, not a silent exit 13', async () => {
    const script = [
      `import { guardedRun } from ${JSON.stringify(join(REPO, 'src-main/cli/exit.ts'))};`,
      // a promise nothing will ever settle, and nothing left for the event loop to run
      'await guardedRun(() => new Promise(() => undefined));',
    ].join('\n');
    const r = await node(['--import', 'tsx', '--input-type=module', '-e', script]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'quantscope: internal error: the command stopped waiting on something that can never happen (nothing left to run)\n',
    );
  });

  it('3: an exception nobody caught is one line (the stack only with QUANTSCOPE_DEBUG=1)', async () => {
    const script = [
      `import { guardedRun } from ${JSON.stringify(join(REPO, 'src-main/cli/exit.ts'))};`,
      "await guardedRun(() => new Promise((ok) => setTimeout(() => { throw new RangeError('boom'); }, 1)));",
    ].join('\n');
    const r = await node(['--import', 'tsx', '--input-type=module', '-e', script]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('quantscope: internal error: boom (QUANTSCOPE_DEBUG=1 shows the stack)\n');
  });
});

describe('a truncated or corrupt Keras .h5 is one line on stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qs-h5-'));
  const whole = readFileSync(fixturePath('float', 'image_example1.h5'));

  it.each([
    ['truncated after the superblock', 30_000],
    ['truncated in the weights', 100_000],
  ])('%s', async (_name, length) => {
    const file = join(dir, `cut-${length}.h5`);
    writeFileSync(file, whole.subarray(0, length));
    const r = await cli('summary', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('HDF5-DIAG');
    expect(r.stderr).toBe(
      `quantscope: cut-${length}.h5: Not a Keras .h5 model: truncated or corrupt file, the HDF5 library cannot open it ` +
        `(truncated file: eof = ${length}, sblock->base_addr = 0, stored_eof = ${whole.length})\n`,
    );
  });

  it('quantize on a truncated .h5: the same one line, no C trace', async () => {
    const file = join(dir, 'cut.h5');
    writeFileSync(file, whole.subarray(0, 50_000));
    const r = await cli(
      'quantize',
      file,
      '--quiet',
      '--data',
      fixturePath('data'),
      '--out',
      join(dir, 'm.tflite'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('HDF5-DIAG');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^quantscope: cut\.h5: .*truncated file: eof = 50000/),
    ]);
  });
});
