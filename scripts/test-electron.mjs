#!/usr/bin/env node
/**
 * `npm run test:electron`: the Electron e2e (test/electron/*.spec.ts, Playwright `_electron`).
 * It needs the Electron binary, which cannot be downloaded on every machine. Without it this
 * prints "NOT RUN" with the reason and exits 0 — or exits 1 when QS_REQUIRE_ELECTRON=1 (use that
 * on machines that do have Electron, so a missing binary cannot pass silently).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

let binary = null;
try {
  binary = require('electron');
} catch {
  binary = null;
}
if (typeof binary !== 'string' || !existsSync(binary)) {
  const msg =
    'Electron e2e NOT RUN (not applicable here): the Electron binary is not installed (node_modules/electron/dist).';
  if (process.env.QS_REQUIRE_ELECTRON === '1') {
    console.error(`${msg} QS_REQUIRE_ELECTRON=1, failing.`);
    process.exit(1);
  }
  console.log(msg);
  process.exit(0);
}

const run = (cmd, args, env = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
// Electron needs a display; use a virtual one when none is set and xvfb-run exists.
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const pw = [
  join(root, 'node_modules/@playwright/test/cli.js'),
  'test',
  '-c',
  'test/electron/playwright.config.ts',
];
if (headless && existsSync('/usr/bin/xvfb-run')) run('/usr/bin/xvfb-run', ['-a', process.execPath, ...pw]);
else run(process.execPath, pw);
