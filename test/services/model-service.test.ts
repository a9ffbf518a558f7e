import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import { examplesDir } from '../../src-main/services/paths.ts';
import type { ApiResult, OpenedModel } from '../../src-main/shared/api.ts';
import { FIXTURES, fixturePath, listFixtures, readFixture } from '../helpers/fixtures.ts';

const config = mkdtempSync(join(tmpdir(), 'qs-config-'));
// The fixtures stand in for files given on the command line (readable through the API).
const services = createServices({ configDir: config, grantRead: [FIXTURES] });
const handlers = createHandlers(services, { host: 'web', startupModel: null });
afterAll(() => services.close());

function expectOk<T>(r: ApiResult<unknown>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}
function expectErr(r: ApiResult<unknown>) {
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('model service through dispatch', () => {
  it('opens every fixture model by path with a summary, and lists it in recent files', async () => {
    for (const f of listFixtures('models', '.tflite')) {
      const m = expectOk<OpenedModel>(
        await dispatch(handlers, 'model.open', { path: fixturePath('models', f) }),
      );
      expect(m.name).toBe(f);
      expect(m.format).toBe('tflite');
      expect(m.sizeBytes).toBe(readFixture('models', f).length);
      expect(m.summary.layers.length).toBe(m.summary.totals.ops);
      expect(m.summary.layers.length).toBeGreaterThan(0);
      expect(m.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const recent = expectOk<{ name: string }[]>(await dispatch(handlers, 'model.recent', undefined));
    expect(recent.length).toBe(Math.min(10, listFixtures('models', '.tflite').length));
    expect(recent[0].name).toBe(listFixtures('models', '.tflite').at(-1));
    const onDisk = JSON.parse(readFileSync(join(config, 'recent.json'), 'utf8'));
    expect(onDisk.recent[0].path).toBe(fixturePath('models', listFixtures('models', '.tflite').at(-1)!));
  });

  it('opens dropped bytes (no path, not added to recent files) with its MLTK parameters', async () => {
    const bytes = readFixture('models', 'rock_paper_scissors.tflite');
    const m = expectOk<OpenedModel>(
      await dispatch(handlers, 'model.open', { name: 'rock_paper_scissors.tflite', bytes }),
    );
    expect(m.path).toBeUndefined();
    expect(m.summary.metadata.description).toMatch(/Rock\/Paper\/Scissors/);
    expect(m.summary.metadata.entries).toContain('SL_PARAMSv1');
    expect(m.summary.metadata.parameters['samplewise_norm.mean_and_std']).toBe(true);
    expect(expectOk<boolean>(await dispatch(handlers, 'model.close', { id: m.id }))).toBe(true);
    expect(expectOk<boolean>(await dispatch(handlers, 'model.close', { id: m.id }))).toBe(false);
  });

  it('opens a Keras .h5 model', async () => {
    const m = expectOk<OpenedModel>(
      await dispatch(handlers, 'model.open', { path: fixturePath('float', 'image_example1.h5') }),
    );
    expect(m.format).toBe('keras-h5');
    expect(m.summary.layers.length).toBeGreaterThan(0);
  });

  it('gives clear typed errors for malformed files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-bad-'));
    const png = join(dir, 'image.tflite');
    writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const empty = join(dir, 'empty.tflite');
    writeFileSync(empty, '');
    const truncated = join(dir, 'person_detect.tflite');
    writeFileSync(truncated, readFixture('models', 'person_detect.tflite').subarray(0, 5000));
    services.paths.grantRead(dir); // as a folder given on the command line

    for (const [path, pattern] of [
      [png, /image\.tflite: .+/],
      [empty, /empty\.tflite: .*empty/],
      [truncated, /person_detect\.tflite: .+/],
    ] as const) {
      const t0 = Date.now();
      const e = expectErr(await dispatch(handlers, 'model.open', { path }));
      expect(e.code).toBe('MALFORMED_MODEL');
      expect(e.message).toMatch(pattern);
      expect(Date.now() - t0).toBeLessThan(5000);
    }
    const missing = expectErr(await dispatch(handlers, 'model.open', { path: join(dir, 'nope.tflite') }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('nope.tflite');
    const folder = expectErr(await dispatch(handlers, 'model.open', { path: dir }));
    expect(folder.code).toBe('BAD_ARGUMENT');
  });

  it('lists the bundled examples', async () => {
    const ex = expectOk<{ name: string; path: string }[]>(
      await dispatch(handlers, 'model.examples', undefined),
    );
    expect(ex.map((e) => e.name)).toContain('person_detect.tflite');
    expect(ex.every((e) => e.path.startsWith(examplesDir()))).toBe(true);
  });

  it('validates every argument at the boundary', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['model.open', undefined, /expected an object/],
      ['model.open', { path: 42 }, /"path" must be a non-empty string/],
      ['model.open', { path: '' }, /"path" must be a non-empty string/],
      ['model.open', { path: 'a\0b' }, /NUL/],
      ['model.open', { path: '/x', extra: 1 }, /unexpected field "extra"/],
      ['model.open', { name: 'a.tflite', bytes: [1, 2, 3] }, /"bytes" must be a Uint8Array/],
      ['model.open', { foo: 1 }, /expected \{path\} or \{name, bytes\}/],
      ['model.recent', { x: 1 }, /takes no argument/],
      ['jobs.cancel', { id: '../etc' }, /"id" must be/],
      ['model.close', {}, /"id" must be a non-empty string/],
    ];
    for (const [channel, args, pattern] of cases) {
      const e = expectErr(await dispatch(handlers, channel, args));
      expect(e.code, channel).toBe('BAD_ARGUMENT');
      expect(e.message).toMatch(pattern);
    }
    const unknown = expectErr(await dispatch(handlers, 'fs.readFile', { path: '/etc/passwd' }));
    expect(unknown.code).toBe('UNKNOWN_CHANNEL');
    expect(expectErr(await dispatch(handlers, '__proto__', undefined)).code).toBe('UNKNOWN_CHANNEL');
    expect(expectErr(await dispatch(handlers, 'model.openDialog', undefined)).code).toBe('NOT_AVAILABLE');
    expect(expectOk<boolean>(await dispatch(handlers, 'jobs.cancel', { id: 'not-running' }))).toBe(false);
  });

  it('reports app info', async () => {
    const info = expectOk<{ host: string; version: string }>(await dispatch(handlers, 'app.info', undefined));
    expect(info.host).toBe('web');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
