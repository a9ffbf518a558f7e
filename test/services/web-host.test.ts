import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createHandlers, createServices } from '../../src-main/services/api/handlers.ts';
import { startWebHost, type WebHost } from '../../src-main/services/web/web-host.ts';
import { encodeWire, decodeWire, type JobProgress, type WsMessage } from '../../src-main/shared/api.ts';
import {
  ApiCallError,
  createApi,
  webSocketTransport,
  webSocketUrl,
} from '../../src-renderer/lib/api-client.ts';
import { buildFirmware } from '../../src-main/services/board/firmware.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';

const renderer = mkdtempSync(join(tmpdir(), 'qs-renderer-'));
mkdirSync(join(renderer, 'assets'));
writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>QuantScope</title>');
writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(tmpdir(), 'qs-secret.txt'), 'secret');

const services = createServices({
  configDir: mkdtempSync(join(tmpdir(), 'qs-config-')),
  // As if given on the command line; the start-up model below is granted by the handlers.
  grantRead: [fixturePath('models', 'micro_speech_quantized.tflite')],
  jobs: { workerUrl: new URL('./workers/test-tasks-worker.ts', import.meta.url) },
});
let host: WebHost;

beforeAll(async () => {
  host = await startWebHost({
    handlers: createHandlers(services, {
      host: 'web',
      startupModel: fixturePath('models', 'person_detect.tflite'),
    }),
    jobs: services.jobs,
    rendererDir: renderer,
  });
});
afterAll(async () => {
  await host.close();
  await services.close();
});

/** Try to open a socket; resolves with the HTTP status of a refused upgrade, or 101. */
function handshake(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

describe('web host', () => {
  it('listens on loopback and prints a URL with a long random token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  });

  it('serves the built renderer with a CSP, and nothing outside it', async () => {
    const base = `http://127.0.0.1:${host.port}`;
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>QuantScope</title>');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${base}/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${base}/..%2fqs-secret.txt`)).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${base}/%2e%2e/qs-secret.txt`)).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${base}/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });

  it('requires the token and refuses foreign origins and hosts on the socket', async () => {
    const ws = webSocketUrl(host.url);
    const noToken = ws.replace(/\?token=.*/, '');
    expect(await handshake(ws)).toBe(101);
    expect(await handshake(ws, { Origin: `http://127.0.0.1:${host.port}` })).toBe(101);
    expect(await handshake(noToken)).toBe(401);
    expect(await handshake(ws.replace(/token=[0-9a-f]{4}/, 'token=0000'))).toBe(401);
    expect(await handshake(ws, { Origin: 'http://evil.example' })).toBe(403);
    expect(await handshake(ws, { Origin: `http://127.0.0.1:${host.port + 1}` })).toBe(403);
    expect(await handshake(ws, { Origin: 'null' })).toBe(403);
    expect(await handshake(ws, { Host: `evil.example:${host.port}` })).toBe(421);
    expect(await handshake(ws.replace('/api', '/other'))).toBe(404);
  });

  it('round-trips the contract through the renderer api-client', async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
    const api = createApi(webSocketTransport(webSocketUrl(host.url)));
    const info = await api.app.info();
    expect(info).toMatchObject({ host: 'web', startupModel: fixturePath('models', 'person_detect.tflite') });
    const m = await api.model.open({ path: fixturePath('models', 'micro_speech_quantized.tflite') });
    expect(m.summary.layers.map((l) => l.op)).toEqual([
      'RESHAPE',
      'DEPTHWISE_CONV_2D',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ]);
    // Bytes cross the socket intact (base64 in JSON).
    const dropped = await api.model.open({
      name: 'dropped.tflite',
      bytes: readFixture('models', 'person_detect.tflite'),
    });
    expect(dropped.sizeBytes).toBe(readFixture('models', 'person_detect.tflite').length);
    expect(dropped.summary.layers.length).toBe(31);
    // A path nobody granted is refused whether or not it exists (test/services/path-policy.test.ts).
    const err = await api.model.open({ path: '/no/such/model.tflite' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect((err as ApiCallError).code).toBe('FORBIDDEN_PATH');
    await expect(api.model.openDialog()).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
    expect((await api.model.recent())[0].name).toBe('micro_speech_quantized.tflite');
  });

  it('pushes job progress to connected pages', async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
    const api = createApi(webSocketTransport(webSocketUrl(host.url)));
    const seen: JobProgress[] = [];
    api.on('job.progress', (p) => seen.push(p));
    await api.app.info(); // socket open
    await services.jobs.run('count', { n: 500 }, { jobId: 'web-job' });
    await new Promise((r) => setTimeout(r, 100));
    const mine = seen.filter((p) => p.id === 'web-job');
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.at(-1)?.fraction).toBe(1);
  });

  // rule: a page that goes away (closed tab, a test's page torn down) takes its running jobs with
  // it: its profile is cancelled, keeps no result, and the board is free for the next page at once
  // (a slow profile left running would make every later profile on that board wait behind it)
  it('cancels the jobs of a page that closes; the board profiles for the next page', async () => {
    await buildFirmware('host'); // so the profile is under way (not building) when the page goes
    (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
    const api = createApi(webSocketTransport(webSocketUrl(host.url)));
    const m = await api.model.open({
      name: 'gone.tflite',
      bytes: readFixture('models', 'person_detect.tflite'),
    });
    const profiles = async () =>
      (await api.results.list({ modelId: m.id })).entries.filter((e) => e.forModel && e.kind === 'profile')
        .length;
    const before = await profiles();
    const page = new WebSocket(webSocketUrl(host.url));
    await new Promise((r) => page.once('open', r));
    const progress: JobProgress[] = [];
    api.on('job.progress', (p) => p.id === 'gone-page' && progress.push(p));
    page.send(
      encodeWire({
        kind: 'call',
        seq: 1,
        channel: 'boards.profile',
        args: { jobId: 'gone-page', board: 'virtual', modelId: m.id, input: { seed: 5 } },
      }),
    );
    await expect.poll(() => progress.length, { timeout: 20_000 }).toBeGreaterThan(0); // it started
    page.close();
    await new Promise((r) => setTimeout(r, 3000)); // time enough for the profile to have finished
    expect(await profiles()).toBe(before);
    // the board is free: the next page's profile runs and is kept
    const r = await api.boards.profile({
      jobId: 'next-page',
      board: 'virtual',
      modelId: m.id,
      input: { seed: 5 },
    });
    expect(r.compare.model.ops).toBe(31);
    expect(await profiles()).toBe(before + 1);
  });

  it('answers malformed frames with BAD_ARGUMENT instead of dropping the socket', async () => {
    const ws = new WebSocket(webSocketUrl(host.url));
    await new Promise((r) => ws.once('open', r));
    const replies: WsMessage[] = [];
    ws.on('message', (d) => replies.push(decodeWire(d.toString()) as WsMessage));
    ws.send('not json');
    ws.send(encodeWire({ kind: 'call', seq: 'x', channel: 'app.info' }));
    ws.send(encodeWire({ kind: 'call', seq: 7, channel: 'model.open', args: { path: 5 } }));
    ws.send(encodeWire({ kind: 'call', seq: 8, channel: 'app.info' }));
    await new Promise((r) => setTimeout(r, 300));
    ws.close();
    const results = replies.filter((r) => r.kind === 'result');
    expect(results.length).toBe(4);
    expect(results.slice(0, 3).every((r) => r.kind === 'result' && !r.result.ok)).toBe(true);
    const last = results.find((r) => r.kind === 'result' && r.seq === 8);
    expect(last?.kind === 'result' && last.result.ok).toBe(true);
  });
});
