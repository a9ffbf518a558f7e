/**
 * The path policy through the web host, as a page holding a VALID token sees it: reads and
 * writes outside what the user chose, overwrites, `..` and symbolic links are all refused with
 * FORBIDDEN_PATH; granted paths (command line, save dialog, the app's own examples) work.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createHandlers, createServices } from '../../src-main/services/api/handlers.ts';
import { startWebHost, type WebHost } from '../../src-main/services/web/web-host.ts';
import type { QuantScopeApi } from '../../src-main/shared/api.ts';
import { createApi, webSocketTransport, webSocketUrl } from '../../src-renderer/lib/api-client.ts';
import { augmentedPhotos } from '../core/quantize/calibration-data.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';

/** A user's disk: a folder given on the command line, and files nobody chose beside it. */
const home = mkdtempSync(join(tmpdir(), 'qs-policy-'));
const granted = join(home, 'granted');
const outside = join(home, 'outside');
const saves = join(home, 'saves');
for (const d of [granted, outside, saves]) mkdirSync(d);
const floatModel = readFixture('float', 'image_example1.float32.tflite');
writeFileSync(join(granted, 'float.tflite'), floatModel);
writeFileSync(join(outside, 'secret.tflite'), floatModel);
writeFileSync(join(outside, 'notes.txt'), 'keep me');
mkdirSync(join(outside, 'data'));
symlinkSync(join(outside, 'secret.tflite'), join(granted, 'link-out.tflite'));
symlinkSync(join(outside, 'notes.txt'), join(saves, 'link.csv'));
symlinkSync(outside, join(granted, 'folder-link'));

/** One float32 .npy sample (96×96×1), as a browser would upload it. */
function npy(p: Float32Array): Uint8Array {
  let h = "{'descr': '<f4', 'fortran_order': False, 'shape': (96, 96, 1), }";
  h += ' '.repeat((64 - ((11 + h.length) % 64)) % 64) + '\n';
  const b = new Uint8Array(10 + h.length + p.byteLength);
  b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]);
  b.set(new TextEncoder().encode(h), 10);
  b.set(new Uint8Array(p.buffer), 10 + h.length);
  return b;
}
const samples = augmentedPhotos(96, 4, 3).map((p, i) => ({ name: `s${i}.npy`, bytes: npy(p) }));
writeFileSync(join(outside, 'data', 's0.npy'), samples[0].bytes);

const services = createServices({
  configDir: mkdtempSync(join(tmpdir(), 'qs-config-')),
  grantRead: [granted],
});
let host: WebHost;
let api: QuantScopeApi;
let reportId: string;

beforeAll(async () => {
  host = await startWebHost({
    handlers: createHandlers(services, {
      host: 'web',
      startupModel: fixturePath('models', 'micro_speech_quantized.tflite'),
    }),
    jobs: services.jobs,
    rendererDir: mkdtempSync(join(tmpdir(), 'qs-renderer-')),
  });
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  api = createApi(webSocketTransport(webSocketUrl(host.url))); // the real token
  const m = await api.model.open({ path: join(granted, 'float.tflite') });
  const r = await api.quantize.run({ jobId: 'policy', model: { modelId: m.id }, data: { files: samples } });
  reportId = r.reportId;
}, 60_000);
afterAll(async () => {
  await host.close();
  await services.close();
});

/** The error of a call that must fail. */
async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; detail?: unknown }> {
  const e = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(e, 'the call should have been refused').not.toBeNull();
  return e as { code: string; message: string; detail?: unknown };
}

function reason(detail: unknown): string | undefined {
  return (detail as { reason?: string } | undefined)?.reason;
}

describe('path policy through the web host (valid token)', () => {
  it('reads what was granted: the start-up model, a command-line folder, the examples, the recent list', async () => {
    const info = await api.app.info();
    expect((await api.model.open({ path: info.startupModel! })).summary.totals.ops).toBe(4);
    expect((await api.model.open({ path: join(granted, 'float.tflite') })).format).toBe('tflite');
    const [example] = await api.model.examples();
    expect((await api.model.open({ path: example.path })).name).toBe(example.name);
    const recent = await api.model.recent();
    expect(recent.map((r) => r.path)).toContain(join(granted, 'float.tflite'));
  });

  it('refuses reading outside, whether or not the file exists', async () => {
    for (const path of [
      join(outside, 'secret.tflite'),
      join(outside, 'missing.tflite'),
      '/etc/passwd',
      fixturePath('models', 'person_detect.tflite'), // a real model, but nobody chose it
    ]) {
      const e = await refusal(api.model.open({ path }));
      expect(e.code, path).toBe('FORBIDDEN_PATH');
      expect(e.message).toContain(path);
    }
    const relative = await refusal(api.model.open({ path: 'outside/secret.tflite' }));
    expect(relative.code).toBe('FORBIDDEN_PATH');
    const model = await refusal(
      api.quantize.run({
        jobId: 'q-out',
        model: { path: join(outside, 'secret.tflite') },
        data: { files: samples },
      }),
    );
    expect(model.code).toBe('FORBIDDEN_PATH');
    const data = await refusal(
      api.quantize.run({
        jobId: 'q-data',
        model: { path: join(granted, 'float.tflite') },
        data: { path: join(outside, 'data') },
      }),
    );
    expect(data.code).toBe('FORBIDDEN_PATH');
    const report = await refusal(
      api.quantize.report({
        jobId: 'q-rep',
        int8: { path: '/etc/hostname' },
        float: { path: join(granted, 'float.tflite') },
        data: { files: samples },
      }),
    );
    expect(report.code).toBe('FORBIDDEN_PATH');
  });

  it('refuses writing anywhere no save dialog granted, and creates nothing', async () => {
    for (const path of [
      join(outside, 'report.csv'),
      join(granted, 'report.csv'),
      join(outside, 'notes.txt'),
    ]) {
      const e = await refusal(api.quantize.export({ reportId, format: 'csv', path }));
      expect(e.code, path).toBe('FORBIDDEN_PATH');
      expect(reason(e.detail)).toBe('not-granted');
    }
    const save = await refusal(
      api.quantize.run({
        jobId: 'q-save',
        model: { path: join(granted, 'float.tflite') },
        data: { files: samples },
        savePath: join(outside, 'model.int8.tflite'),
      }),
    );
    expect(save.code).toBe('FORBIDDEN_PATH');
    const board = await refusal(api.report.export({ reportId: 'r1', format: 'html', path: '/tmp/x.html' }));
    expect(board.code).toBe('FORBIDDEN_PATH');
    expect(readdirSync(outside).sort()).toEqual(['data', 'notes.txt', 'secret.tflite']);
    expect(readFileSync(join(outside, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('writes a save-dialog target once, atomically, and refuses a second write with the same grant', async () => {
    const path = join(saves, 'report.csv');
    services.paths.grantWrite(path, { overwrite: false }); // what Electron's save dialog records
    const r = await api.quantize.export({ reportId, format: 'csv', path });
    expect(r.path).toBe(path);
    expect(readFileSync(path, 'utf8')).toMatch(/^op_name,tensor_idx/);
    const again = await refusal(api.quantize.export({ reportId, format: 'csv', path }));
    expect(again.code).toBe('FORBIDDEN_PATH');
    const model = join(saves, 'model.int8.tflite');
    services.paths.grantWrite(model, { overwrite: false });
    const q = await api.quantize.run({
      jobId: 'q-saved',
      model: { path: join(granted, 'float.tflite') },
      data: { files: samples },
      savePath: model,
    });
    expect(new Uint8Array(readFileSync(model))).toEqual(q.bytes);
    expect(readdirSync(saves).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('never overwrites silently: only when the dialog confirmed replacing the file', async () => {
    const path = join(saves, 'existing.json');
    writeFileSync(path, 'old');
    services.paths.grantWrite(path, { overwrite: false });
    const e = await refusal(api.quantize.export({ reportId, format: 'json', path }));
    expect(e.code).toBe('FORBIDDEN_PATH');
    expect(reason(e.detail)).toBe('exists');
    expect(readFileSync(path, 'utf8')).toBe('old');

    // Granted while free, taken by someone else before the write: still not replaced.
    const late = join(saves, 'late.json');
    services.paths.grantWrite(late, { overwrite: false });
    writeFileSync(late, 'theirs');
    expect((await refusal(api.quantize.export({ reportId, format: 'json', path: late }))).code).toBe(
      'FORBIDDEN_PATH',
    );
    expect(readFileSync(late, 'utf8')).toBe('theirs');

    services.paths.grantWrite(path, { overwrite: true }); // "Replace?" answered yes
    await api.quantize.export({ reportId, format: 'json', path });
    expect(readFileSync(path, 'utf8')).toMatch(/^\{/);
  });

  it('refuses ".." in any path, even one that lands on a granted file', async () => {
    const read = await refusal(api.model.open({ path: `${granted}/../outside/secret.tflite` }));
    expect(read.code).toBe('FORBIDDEN_PATH');
    expect(reason(read.detail)).toBe('traversal');
    const sneaky = `${granted}/../granted/float.tflite`;
    expect(reason((await refusal(api.model.open({ path: sneaky }))).detail)).toBe('traversal');
    services.paths.grantWrite(join(saves, 'r.csv'), { overwrite: false });
    const write = await refusal(
      api.quantize.export({ reportId, format: 'csv', path: `${saves}/../saves/r.csv` }),
    );
    expect(reason(write.detail)).toBe('traversal');
    expect(existsSync(join(saves, 'r.csv'))).toBe(false);
  });

  it('follows symbolic links before deciding: a link out of a granted folder is refused', async () => {
    const link = await refusal(api.model.open({ path: join(granted, 'link-out.tflite') }));
    expect(link.code).toBe('FORBIDDEN_PATH');
    expect(reason(link.detail)).toBe('symlink');
    const viaFolder = await refusal(api.model.open({ path: join(granted, 'folder-link', 'secret.tflite') }));
    expect(viaFolder.code).toBe('FORBIDDEN_PATH');
    const data = await refusal(
      api.quantize.run({
        jobId: 'q-link',
        model: { path: join(granted, 'float.tflite') },
        data: { path: join(granted, 'folder-link', 'data') },
      }),
    );
    expect(data.code).toBe('FORBIDDEN_PATH');

    // A save target that is a link is never written through, even when granted.
    services.paths.grantWrite(join(saves, 'link.csv'), { overwrite: true });
    const write = await refusal(
      api.quantize.export({ reportId, format: 'csv', path: join(saves, 'link.csv') }),
    );
    expect(reason(write.detail)).toBe('symlink');
    expect(readFileSync(join(outside, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('never creates a folder', async () => {
    const path = join(saves, 'new-folder', 'r.csv');
    services.paths.grantWrite(path, { overwrite: false });
    const e = await refusal(api.quantize.export({ reportId, format: 'csv', path }));
    expect(reason(e.detail)).toBe('no-folder');
    expect(existsSync(join(saves, 'new-folder'))).toBe(false);
  });

  it('probes only serial ports: a file, /dev/null or a folder is refused; a missing /dev path is not opened', async () => {
    for (const path of [join(outside, 'notes.txt'), '/dev/null', outside, '/etc/passwd']) {
      const e = await refusal(api.boards.list({ paths: [path] }));
      expect(e.code, path).toBe('FORBIDDEN_PATH');
      expect(reason(e.detail)).toBe('not-a-port');
    }
    const profile = await refusal(
      api.boards.profile({
        jobId: 'b-1',
        board: join(outside, 'notes.txt'),
        modelId: 'x',
        input: { seed: 1 },
      }),
    );
    expect(profile.code).toBe('FORBIDDEN_PATH');
    const boards = await api.boards.list({ paths: ['/dev/quantscope-no-such-port'] });
    expect(boards.some((b) => b.id === '/dev/quantscope-no-such-port')).toBe(false);
    expect(readFileSync(join(outside, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('has no save dialog on the web host: exports come back as bytes', async () => {
    expect((await refusal(api.files.saveDialog({ name: 'r.csv' }))).code).toBe('NOT_AVAILABLE');
    const r = await api.quantize.export({ reportId, format: 'csv' });
    expect(r.data!.byteLength).toBe(r.bytes);
  });
});
