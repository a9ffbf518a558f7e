/**
 * The `quantscope` bin runs the CLI built into JavaScript (scripts/build-cli.mjs → out/cli): it
 * prints what the TypeScript sources print, loads heavy libraries only in the commands that use
 * them, and rebuilds itself when a source is newer than the build.
 */
import { mkdtempSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO, fixturePath } from '../helpers/fixtures.ts';
import { BIN, runNode } from '../helpers/cli-process.ts';

const BUILT = join(REPO, 'out', 'cli', 'quantscope.mjs');
const MODEL = fixturePath('models', 'person_detect.tflite');
const H5 = fixturePath('float', 'autoencoder_example.h5');

const cli = (args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []) =>
  runNode([...nodeArgs, BIN, ...args], { cwd: REPO, env: { ...process.env, ...env } });

/** The packages (node_modules/<name>) a CLI call resolved, recorded by record-imports-hooks.mjs. */
async function packagesLoaded(args: string[]): Promise<{ code: number; packages: Set<string> }> {
  const log = join(mkdtempSync(join(tmpdir(), 'qs-imports-')), 'imports.txt');
  const hooks = pathToFileURL(join(REPO, 'test/cli/record-imports-hooks.mjs')).href;
  const register = `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(hooks)})`;
  const r = await cli(args, { QS_IMPORT_LOG: log }, ['--import', register]);
  const urls = readFileSync(log, 'utf8').split('\n');
  const packages = new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
  // the hooks saw the built bundle, not the sources through tsx
  expect(urls).toContain(pathToFileURL(BUILT).href);
  return { code: r.code, packages };
}

const HEAVY = ['h5wasm', 'serialport', 'ws', '@tensorflow/tfjs', 'tsx', 'playwright-core'];

describe('the built CLI loads heavy libraries only where they are used', () => {
  // rule: --version and summary of a .tflite start fast: no HDF5, serial, WebSocket, tfjs or tsx
  it.each([
    ['--version', ['--version']],
    ['summary of a .tflite', ['summary', MODEL]],
  ])('%s loads none of h5wasm, serialport, ws, tfjs, tsx', async (_name, args) => {
    const { code, packages } = await packagesLoaded(args);
    expect(code).toBe(0);
    for (const heavy of HEAVY) expect(packages.has(heavy), heavy).toBe(false);
    expect(packages.has('commander')).toBe(true);
  });

  // rule: the lazy import still happens in the command that needs it (a Keras file needs h5wasm)
  it('summary of a Keras .h5 loads h5wasm', async () => {
    const { code, packages } = await packagesLoaded(['summary', H5]);
    expect(code).toBe(0);
    expect(packages.has('h5wasm')).toBe(true);
  });
});

describe('the built CLI and the TypeScript sources agree', () => {
  // rule: the bundle is the sources: same stdout, stderr and exit code for the same command line
  it.each([
    ['--help', ['--help']],
    ['profile --help', ['profile', '--help']],
    ['summary --json', ['summary', '--json', MODEL]],
    ['summary of a Keras .h5', ['summary', H5]],
    ['run --json --seed 3', ['run', '--json', '--seed', '3', MODEL]],
    ['a missing file', ['summary', join(REPO, 'no-such-model.tflite')]],
    ['an unknown option', ['summary', '--nope', MODEL]],
  ])('%s', async (_name, args) => {
    const [built, sources] = await Promise.all([cli(args), cli(args, { QS_CLI_TSX: '1' })]);
    expect(built.code).toBe(sources.code);
    expect(built.stdout).toBe(sources.stdout);
    expect(built.stderr).toBe(sources.stderr);
  });
});

describe('a stale build is rebuilt before it runs', () => {
  // rule: a source edited after the build (newer mtime) makes the bin rebuild out/cli first
  it('touching a source makes the next call rebuild', async () => {
    expect((await cli(['--version'])).code).toBe(0);
    const source = join(REPO, 'src-main/cli/exit.ts');
    const now = new Date();
    utimesSync(source, now, now); // content unchanged: what an editor's save looks like to the bin
    const { inputs } = JSON.parse(readFileSync(join(REPO, 'out/cli/inputs.json'), 'utf8')) as {
      inputs: string[];
    };
    expect(inputs).toContain(source);
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(statSync(BUILT).mtimeMs).toBeGreaterThanOrEqual(statSync(source).mtimeMs);
  });
});
