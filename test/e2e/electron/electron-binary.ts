/**
 * Where the Electron binary is, when this machine has one and can show a window. The Electron
 * e2e project is only configured then (CI images without Electron skip the download on purpose).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ELECTRON_PKG = resolve(import.meta.dirname, '../../../node_modules/electron');

export function electronBinary(): string | null {
  const pathFile = join(ELECTRON_PKG, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(ELECTRON_PKG, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return null;
  // On Linux a window needs a display (a desktop session or xvfb-run).
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return null;
  return binary;
}
