/**
 * Starts the web host once for the whole e2e run (`node bin/quantscope.mjs serve --port 0`),
 * reads the URL it prints, and hands it to the tests as QS_E2E_URL. Set QS_E2E_URL yourself to
 * run against a host that is already up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/;
const START_TIMEOUT_MS = 60_000;

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      reject(
        new Error(`quantscope serve printed no URL within ${START_TIMEOUT_MS / 1000} s. Output:\n${output}`),
      );
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = URL_PATTERN.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`quantscope serve exited (code ${code}) before printing its URL. Output:\n${output}`));
    });
  });
}

export default async function globalSetup(): Promise<(() => Promise<void>) | void> {
  if (process.env.QS_E2E_URL) return;
  if (!existsSync(join(REPO, 'out/renderer/index.html'))) {
    throw new Error('out/renderer/index.html is missing: run `npx electron-vite build` before the e2e tests');
  }
  // A private settings folder: recent files from the tests never touch the user's.
  const configDir = mkdtempSync(join(tmpdir(), 'qs-e2e-config-'));
  const child = spawn(process.execPath, [join(REPO, 'bin/quantscope.mjs'), 'serve', '--port', '0'], {
    cwd: REPO,
    env: { ...process.env, QS_CONFIG_DIR: configDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    process.env.QS_E2E_URL = await waitForUrl(child);
  } catch (e) {
    child.kill();
    throw e;
  }
  return async () => {
    child.kill();
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    rmSync(configDir, { recursive: true, force: true });
  };
}
