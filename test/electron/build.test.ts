/**
 * `electron-vite build` works without the Electron binary, and its output is what the shell
 * expects: an ESM main, a standalone CommonJS preload (sandboxed preloads cannot load modules),
 * the renderer, and a job worker that runs in plain Node and reads real models.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../src-main/services/jobs/job-runner.ts';
import type { ReadModelResult } from '../../src-main/services/model/read-model-task.ts';
import { REPO, readFixture } from '../helpers/fixtures.ts';

// Inside the checkout (git-ignored) so the bundles resolve their npm dependencies like out/ does.
const cache = join(REPO, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const out = mkdtempSync(join(cache, 'qs-build-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

beforeAll(async () => {
  await promisify(execFile)(
    process.execPath,
    [join(REPO, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: REPO,
      env: { ...process.env, QS_OUT_DIR: out, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      maxBuffer: 16 << 20,
    },
  );
}, 180_000);

describe('electron-vite build', () => {
  it('emits main, job worker, preload and renderer', () => {
    for (const f of ['main/index.js', 'main/job-worker.js', 'preload/index.cjs', 'renderer/index.html']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
  });

  it('builds a self-contained CommonJS preload that only requires electron', () => {
    const preload = readFileSync(join(out, 'preload/index.cjs'), 'utf8');
    expect(preload).not.toMatch(/^\s*import\s/m);
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).toContain('exposeInMainWorld("quantscope"');
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*\)/);
  });

  // rule: the two windows the app makes — the UI and the hidden window Electron's printToPDF renders
  // reports in — are both created with the locked-down preferences (each constructor call carries them)
  it('creates windows only through the locked-down factories (the UI and the PDF print window)', () => {
    const main = readFileSync(join(out, 'main/index.js'), 'utf8');
    const calls = [...main.matchAll(/new BrowserWindow\(/g)].map((m) => m.index);
    expect(calls).toHaveLength(2);
    for (const at of calls) {
      const prefs = main.slice(at, at + 1200);
      for (const setting of [
        'sandbox: true',
        'contextIsolation: true',
        'nodeIntegration: false',
        'webSecurity: true',
      ])
        expect(prefs).toContain(setting);
    }
    expect(main).toContain('javascript: false'); // the print window runs no script
    expect(main).toContain('setWindowOpenHandler');
    expect(main).toContain('will-navigate');
  });

  it('production main never reads ELECTRON_RENDERER_URL: only the built files are loaded', () => {
    // The source reads it behind import.meta.env.DEV, which a production build makes `false`.
    expect(readFileSync(join(REPO, 'src-main/electron/build-mode.ts'), 'utf8')).toContain(
      'process.env.ELECTRON_RENDERER_URL',
    );
    const bundles = [join(out, 'main/index.js')];
    const chunks = join(out, 'main/chunks');
    if (existsSync(chunks)) bundles.push(...readdirSync(chunks).map((f) => join(chunks, f)));
    for (const f of bundles) {
      const code = readFileSync(f, 'utf8');
      expect(code, f).not.toContain('ELECTRON_RENDERER_URL');
      expect(code, f).not.toContain('QS_PRODUCTION');
    }
    const main = readFileSync(join(out, 'main/index.js'), 'utf8');
    expect(main).toMatch(/function devServerUrl\(\) \{\s*return null;\s*\}/);
    expect(main).toContain('loadFile(RENDERER_INDEX)');
  });

  it('runs the bundled job worker in plain Node', async () => {
    const runner = new JobRunner({ workerUrl: pathToFileURL(join(out, 'main/job-worker.js')) });
    try {
      const r = await runner.run<ReadModelResult>('model.read', {
        name: 'person_detect.tflite',
        bytes: readFixture('models', 'person_detect.tflite'),
      });
      expect(r.format).toBe('tflite');
      expect(r.summary.totals.ops).toBe(31);
    } finally {
      await runner.close();
    }
  });
});
