/**
 * Serves the API contract over Electron IPC: one `ipcMain.handle` per channel, each argument
 * validated by `dispatch`, results and errors returned as `ApiResult` data; job progress pushed
 * to every window.
 */
import { BrowserWindow, ipcMain } from 'electron';
import { CHANNELS, IPC_EVENT_PREFIX, IPC_PREFIX } from '../shared/api.ts';
import { dispatch, type Handlers } from '../services/api/handlers.ts';
import type { JobRunner } from '../services/jobs/job-runner.ts';
import { isTrustedSender } from './security.ts';

export function registerIpc(handlers: Handlers, jobs: JobRunner): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(IPC_PREFIX + channel, (event, ...rest: unknown[]) => {
      if (!isTrustedSender(event.senderFrame)) {
        return { ok: false, error: { code: 'NOT_AVAILABLE', message: 'IPC refused: unknown sender' } };
      }
      if (rest.length > 1) {
        return {
          ok: false,
          error: { code: 'BAD_ARGUMENT', message: `${channel}: takes at most one argument` },
        };
      }
      return dispatch(handlers, channel, rest[0]);
    });
  }
  const off = jobs.onProgress((p) => {
    for (const w of BrowserWindow.getAllWindows()) w.webContents.send(IPC_EVENT_PREFIX + 'job.progress', p);
  });
  return () => {
    off();
    for (const channel of CHANNELS) ipcMain.removeHandler(IPC_PREFIX + channel);
  };
}
