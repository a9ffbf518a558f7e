/**
 * Where things live: the app root (found from this file, works under tsx and in the
 * electron-vite bundle), the bundled examples, the built renderer and the user config folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | null = null;

/** The folder holding QuantScope's package.json (the checkout or the installed package). */
export function appRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'quantscope') {
          return (cachedRoot = dir);
        }
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('Cannot locate the QuantScope package root (package.json)');
    dir = up;
  }
}

export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function examplesDir(): string {
  return join(appRoot(), 'examples');
}

/** The model the app opens on when none is given. */
export function defaultExampleModel(): string {
  return join(examplesDir(), 'person_detect.tflite');
}

/** The built renderer (`electron-vite build` output). */
export function rendererDir(): string {
  return join(appRoot(), 'out', 'renderer');
}

/** Per-user settings folder: $QS_CONFIG_DIR, else $XDG_CONFIG_HOME/quantscope, else ~/.config/quantscope. */
export function configDir(): string {
  if (process.env.QS_CONFIG_DIR) return resolve(process.env.QS_CONFIG_DIR);
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'quantscope');
}
