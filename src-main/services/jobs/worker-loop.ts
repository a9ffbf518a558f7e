/**
 * The worker side of the job runner: receives `run` messages, calls the named task, posts
 * progress/result/error. One job at a time per worker; cancel is done by the runner terminating
 * the worker, which also stops a task stuck in a tight loop.
 */
import { parentPort } from 'node:worker_threads';
import { toApiError } from '../errors.ts';
import type { FromWorker, TaskRegistry, ToWorker } from './messages.ts';

/** Minimum interval between progress messages (the final 1.0 is always sent). */
const PROGRESS_INTERVAL_MS = 50;

export function serveTasks(tasks: TaskRegistry): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks() must run inside a worker thread');
  const post = (m: FromWorker) => port.postMessage(m);

  port.on('message', async (msg: ToWorker) => {
    if (msg?.type !== 'run') return;
    const { jobId } = msg;
    const task = Object.prototype.hasOwnProperty.call(tasks, msg.task) ? tasks[msg.task] : undefined;
    if (!task) {
      post({ type: 'error', jobId, error: { code: 'INTERNAL', message: `Unknown job task "${msg.task}"` } });
      return;
    }
    let last = 0;
    const ctx = {
      jobId,
      progress(fraction: number, message: string) {
        const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
        const now = Date.now();
        if (f < 1 && now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        post({ type: 'progress', jobId, fraction: f, message: String(message) });
      },
    };
    try {
      const result = await task(msg.payload, ctx);
      post({ type: 'done', jobId, result });
    } catch (e) {
      post({ type: 'error', jobId, error: toApiError(e) });
    }
  });
  post({ type: 'ready' });
}
