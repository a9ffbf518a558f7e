/**
 * Electron main entry (built to out/main/index.js): services, IPC, security policies, the window.
 * `--open MODEL` (or QS_OPEN) chooses the start-up model; default: the bundled example.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createHandlers, createServices } from '../services/api/handlers.ts';
import { defaultExampleModel } from '../services/paths.ts';
import { registerIpc } from './ipc.ts';
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
            { name: 'Models', extensions: ['tflite', 'h5'] },
            { name: 'All files', extensions: ['*'] },
          ],
        };
        const r = parent
          ? await dialog.showOpenDialog(parent, options)
          : await dialog.showOpenDialog(options);
        return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
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
