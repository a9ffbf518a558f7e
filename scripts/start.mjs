#!/usr/bin/env node
/**
 * `npm start`: build the app if `out/` is missing or older than the sources, then open it in
 * Electron when an Electron binary is installed (and a display exists), otherwise serve the same
 * UI on 127.0.0.1 and print its URL. Either way it opens on the bundled example model, or on
 * `npm start -- --open MODEL`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const OUTPUTS = [
  'out/main/index.js',
  'out/main/job-worker.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
];
const SOURCES = ['src-main', 'src-renderer', 'electron.vite.config.ts', 'package.json'];

function newestMtime(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function buildIsStale() {
  const outputs = OUTPUTS.map((p) => join(root, p));
  if (!outputs.every((p) => existsSync(p))) return 'out/ is missing';
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  const changed = Math.max(
    ...SOURCES.map((p) => join(root, p))
      .filter(existsSync)
      .map(newestMtime),
  );
  return changed > built ? 'sources changed since the last build' : null;
}

/** The Electron binary, or null (with the reason) when it cannot be used here. */
function electronBinary() {
  if (process.env.QS_NO_ELECTRON) return { path: null, why: 'QS_NO_ELECTRON is set' };
  let path;
  try {
    path = require('electron'); // the package's main export is the binary's path
  } catch {
    return { path: null, why: 'the Electron binary is not installed' };
  }
  if (typeof path !== 'string' || !existsSync(path))
    return { path: null, why: 'the Electron binary is not installed' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { path: null, why: 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  }
  return { path, why: null };
}

const args = process.argv.slice(2);

const stale = buildIsStale();
if (stale) {
  console.log(`QuantScope: building (${stale})…`);
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    },
  );
  if (r.status !== 0) {
    console.error('QuantScope: the build failed (see above).');
    process.exit(r.status ?? 1);
  }
}

const electron = electronBinary();
const child = electron.path
  ? spawn(electron.path, [root, ...args], { stdio: 'inherit' })
  : (console.log(`QuantScope: ${electron.why}; serving the UI in your browser instead.`),
    spawn(process.execPath, [join(root, 'bin/quantscope.mjs'), 'serve', ...args], { stdio: 'inherit' }));

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
