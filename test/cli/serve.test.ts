/**
 * `quantscope serve` as a user runs it: the bin prints a loopback URL with a token, the page and
 * the API answer there, `--open` chooses the start-up model, and SIGTERM stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApi, webSocketTransport, webSocketUrl } from '../../src-renderer/lib/api-client.ts';
import { REPO, fixturePath } from '../helpers/fixtures.ts';

const BIN = join(REPO, 'bin', 'quantscope.mjs');
const started: ChildProcess[] = [];

afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function serve(...args: string[]): {
  child: ChildProcess;
  url: Promise<string>;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // keep recent files out of the user's real settings
    env: { ...process.env, QS_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'qs-serve-config-')) },
  });
  started.push(child);
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`serve exited before printing a URL: ${out}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, exit };
}

describe('quantscope serve', () => {
  it('prints a tokenized loopback URL, serves the API there, and stops on SIGTERM', async () => {
    const model = fixturePath('models', 'micro_speech_quantized.tflite');
    const s = serve('--open', model);
    const url = await s.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    const page = await fetch(url);
    // 200 with the built UI, or 503 naming the missing build; either way the host answers.
    expect([200, 503]).toContain(page.status);
    (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
    const api = createApi(webSocketTransport(webSocketUrl(url)));
    const info = await api.app.info();
    expect(info).toMatchObject({ host: 'web', startupModel: model });
    const opened = await api.model.open({ path: info.startupModel! });
    expect(opened.summary.totals.ops).toBe(4);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
  });

  it('defaults to the bundled example model', async () => {
    const s = serve();
    const url = await s.url;
    (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
    const info = await createApi(webSocketTransport(webSocketUrl(url))).app.info();
    expect(info.startupModel).toBe(join(REPO, 'examples', 'person_detect.tflite'));
    s.child.kill('SIGTERM');
    await s.exit;
  });

  it('refuses a missing --open model with exit code 1', async () => {
    const s = serve('--open', '/no/such/model.tflite');
    let err = '';
    s.child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    s.url.catch(() => undefined);
    expect(await s.exit).toBe(1);
    expect(err).toMatch(/No such file: \/no\/such\/model\.tflite/);
  });

  it('rejects a bad port with exit code 1', async () => {
    const s = serve('--port', 'abc');
    let err = '';
    s.child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    s.url.catch(() => undefined);
    expect(await s.exit).toBe(1);
    expect(err).toMatch(/Invalid port: abc/);
  });
});
