/**
 * Electron main entry (built to out/main/index.js): services, IPC, security policies, the window.
 * `--open MODEL` (or QS_OPEN) chooses the start-up model; default: the bundled example. The API
 * reads and writes only what the user chose (services/path-policy.ts): the start-up model, files
 * picked in the open dialog, save-dialog targets, the examples and the recent list.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { createHandlers, createServices } from '../services/api/handlers.ts';
import { defaultExampleModel } from '../services/paths.ts';
import { registerIpc } from './ipc.ts';
import { printHtmlToPdf } from './print-pdf.ts';
import { installSecurityPolicies } from './security.ts';
import { createWindow } from './window.ts';

function startupModel(argv: string[]): string | null {
  let path = process.env.QS_OPEN ?? null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--open' && argv[i + 1]) path = argv[i + 1];
    else if (argv[i].startsWith('--open=')) path = argv[i].slice('--open='.length);
  }
  const chosen = path ? resolve(path) : defaultExampleModel();
  return existsSync(chosen) ? chosen : null;
}

app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  void app.whenReady().then(() => {
    installSecurityPolicies();
    const services = createServices({
      jobs: { workerUrl: new URL('./job-worker.js', import.meta.url) },
      printPdf: printHtmlToPdf,
    });
    services.jobs.prewarm();
    const handlers = createHandlers(services, {
      host: 'electron',
      startupModel: startupModel(process.argv),
      chooseModelFile: async () => {
        const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
        const options = {
          title: 'Open a model',
          properties: ['openFile' as const],
          filters: [
            { name: 'Models', extensions: ['tflite', 'h5', 'hdf5', 'keras'] },
            { name: 'All files', extensions: ['*'] },
          ],
        };
        const r = parent
          ? await dialog.showOpenDialog(parent, options)
          : await dialog.showOpenDialog(options);
        return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
      },
      // The chosen path becomes a one-write grant (services/path-policy.ts); the dialog itself
      // confirms replacing an existing file (always on macOS and Windows, by the flag on Linux).
      chooseSaveFile: async (name) => {
        const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
        const ext = extname(name).slice(1);
        const options = {
          title: 'Save as',
          defaultPath: join(app.getPath('documents'), name),
          properties: ['showOverwriteConfirmation' as const, 'createDirectory' as const],
          filters: ext ? [{ name: ext.toUpperCase(), extensions: [ext] }] : [],
        };
        const r = parent
          ? await dialog.showSaveDialog(parent, options)
          : await dialog.showSaveDialog(options);
        return r.canceled || !r.filePath ? null : r.filePath;
      },
    });
    registerIpc(handlers, services.jobs);
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
    app.on('before-quit', () => void services.close());
  });

  app.on('window-all-closed', () => app.quit());
}
