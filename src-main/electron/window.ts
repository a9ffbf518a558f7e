/**
 * The one function that builds every QuantScope window, locked down per Electron's security
 * checklist: sandboxed renderer, context isolation, no Node integration, web security on, no
 * webviews, navigation and new windows refused (see also `hardenContents` in security.ts).
 */
import { BrowserWindow } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devServerUrl } from './build-mode.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Built preload (out/preload/index.cjs) beside the built main (out/main). */
export const PRELOAD_PATH = join(here, '..', 'preload', 'index.cjs');
export const RENDERER_INDEX = join(here, '..', 'renderer', 'index.html');

/**
 * A hidden window that only renders a report to print it (electron/print-pdf.ts): no preload and
 * no JavaScript at all (the report has none); otherwise locked down like the main window. The
 * preferences stay spelled out: the security scanner reads them literally.
 */
export function createPrintWindow(): BrowserWindow {
  return new BrowserWindow({
    show: false,
    width: 1123, // A4 landscape at 96 dpi: the layout the PDF will have
    height: 794,
    webPreferences: {
      javascript: false,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

export function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'QuantScope',
    backgroundColor: '#111418',
    webPreferences: {
      // Reviewed: the preload only exposes one contextBridge function per API call (no ipcRenderer).
      preload: PRELOAD_PATH, // eng-disable PRELOAD_JS_CHECK
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click (auxclick) could open links outside the window-open handler.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  // electron-vite's dev server in a dev build only; a production build always loads its own files.
  const devUrl = devServerUrl();
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(RENDERER_INDEX);
  return win;
}
