/**
 * Runs heavy work (model parsing, simulation, quantization, reports) in `worker_threads` so the
 * main process and the UI never block. Each job gets a worker to itself; one idle worker is kept
 * warm so short jobs do not pay the start-up cost. `cancel(id)` terminates the job's worker, which
 * stops even a task that never yields. Progress for every job is broadcast to `onProgress`.
 *
 * Worker entry: under tsx/vitest the TypeScript entry is loaded with `--import <tsx loader>`;
 * the electron-vite build passes its bundled `job-worker.js` via `workerUrl`.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JobProgress } from '../../shared/api.ts';
import { ServiceError } from '../errors.ts';
import { appRoot } from '../paths.ts';
import type { FromWorker, ToWorker } from './messages.ts';

export interface JobRunnerOptions {
  /** Worker entry module; default: `worker.ts` beside this file (run through tsx). */
  workerUrl?: URL;
  /** execArgv for the worker (tsx's loader is added when the entry is a `.ts` file). */
  execArgv?: string[];
  /** Heap limit per worker (MB): a runaway job dies alone instead of taking the app down. */
  maxHeapMb?: number;
}

export interface RunOptions {
  /** Caller-chosen id; generated when absent. */
  jobId?: string;
  /** Terminate and reject after this long. */
  timeoutMs?: number;
}

interface Running {
  /** null for in-process jobs (runLocal) */
  worker: Worker | null;
  reject: (e: Error) => void;
}

/*
 * Running a TypeScript worker entry on Node 20: the worker needs tsx's loader in its execArgv AND
 * tsx's register() called inside the worker before the .ts entry is imported dynamically (a .ts
 * worker entry given directly is not routed through the hooks). This small CommonJS bootstrap
 * does exactly that; the bundled build uses plain .js entries and never needs it.
 */
const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((m) => { m.register(); return import(workerData.entry); });
`;

function tsxUrls(): { loader: string; api: string } {
  const require = createRequire(import.meta.url);
  const loader = pathToFileURL(require.resolve('tsx')).href;
  // tsx's package exports map 'tsx/esm/api' per condition; resolve the ESM build explicitly.
  const api = new URL('./esm/api/index.mjs', loader).href;
  return { loader, api };
}

/**
 * `worker.ts` beside this file when running from the sources (tsx, vitest); the CLI's built worker
 * (out/cli/job-worker.mjs, scripts/build-cli.mjs) when this code runs from the CLI bundle.
 */
function defaultWorkerUrl(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('./worker.ts', import.meta.url);
  return pathToFileURL(join(appRoot(), 'out', 'cli', 'job-worker.mjs'));
}

export class JobRunner {
  private readonly workerUrl: URL;
  private readonly execArgv: string[] | undefined;
  private readonly viaTsx: boolean;
  private readonly maxHeapMb: number;
  private idle: Worker | null = null;
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Set<(p: JobProgress) => void>();
  private seq = 0;
  private closed = false;

  constructor(opts: JobRunnerOptions = {}) {
    this.workerUrl = opts.workerUrl ?? defaultWorkerUrl();
    this.viaTsx = this.workerUrl.pathname.endsWith('.ts');
    this.execArgv = opts.execArgv;
    this.maxHeapMb = opts.maxHeapMb ?? 4096;
  }

  onProgress(listener: (p: JobProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  /** Run `task` with `payload` in a worker; resolves with the task's result. */
  run<T>(task: string, payload: unknown, opts: RunOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new ServiceError('NOT_AVAILABLE', 'The job runner is shut down'));
    // ":" is outside the API's job id alphabet, so generated ids never collide with client-chosen ones.
    const jobId = opts.jobId ?? `internal:${++this.seq}`;
    if (this.running.has(jobId)) {
      return Promise.reject(new ServiceError('BAD_ARGUMENT', `A job with id "${jobId}" is already running`));
    }
    const worker = this.takeWorker();
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (release: boolean) => {
        if (timer) clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        this.running.delete(jobId);
        if (release) this.release(worker);
        else void worker.terminate();
      };
      const onMessage = (m: FromWorker) => {
        if (m.type === 'progress' && m.jobId === jobId) {
          for (const l of this.listeners) l({ id: jobId, fraction: m.fraction, message: m.message });
        } else if (m.type === 'done' && m.jobId === jobId) {
          finish(true);
          resolve(m.result as T);
        } else if (m.type === 'error' && m.jobId === jobId) {
          finish(true);
          reject(new ServiceError(m.error.code, m.error.message, m.error.detail));
        }
      };
      const onError = (e: Error) => {
        finish(false);
        reject(new ServiceError('INTERNAL', `Job ${jobId} (${task}) crashed: ${e.message}`));
      };
      const onExit = (code: number) => {
        finish(false);
        reject(new ServiceError('INTERNAL', `Job ${jobId} (${task}) worker exited with code ${code}`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      this.running.set(jobId, {
        worker,
        reject: (e) => {
          finish(false);
          reject(e);
        },
      });
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.running.get(jobId)?.reject(
            new ServiceError('INTERNAL', `Job ${jobId} (${task}) took longer than ${opts.timeoutMs} ms`, {
              timeout: true,
            }),
          );
        }, opts.timeoutMs);
      }
      const msg: ToWorker = { type: 'run', jobId, task, payload };
      worker.postMessage(msg);
    });
  }

  /**
   * An in-process job for I/O-bound work that must stay on this thread (a board session owns a
   * serial port): same job ids, progress events and `cancel` as worker jobs; cancel aborts
   * `signal` and rejects at once with CANCELLED (fn must honour the signal to stop its I/O).
   */
  runLocal<T>(
    fn: (ctx: { signal: AbortSignal; progress: (fraction: number, message: string) => void }) => Promise<T>,
    opts: { jobId?: string } = {},
  ): Promise<T> {
    if (this.closed) return Promise.reject(new ServiceError('NOT_AVAILABLE', 'The job runner is shut down'));
    const jobId = opts.jobId ?? `internal:${++this.seq}`;
    if (this.running.has(jobId)) {
      return Promise.reject(new ServiceError('BAD_ARGUMENT', `A job with id "${jobId}" is already running`));
    }
    const abort = new AbortController();
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = () => {
        done = true;
        this.running.delete(jobId);
      };
      this.running.set(jobId, {
        worker: null,
        reject: (e) => {
          if (done) return;
          finish();
          abort.abort();
          reject(e);
        },
      });
      const progress = (fraction: number, message: string) => {
        if (done) return;
        const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
        for (const l of this.listeners) l({ id: jobId, fraction: f, message });
      };
      fn({ signal: abort.signal, progress }).then(
        (v) => {
          if (done) return;
          finish();
          resolve(v);
        },
        (e: unknown) => {
          if (done) return;
          finish();
          reject(e);
        },
      );
    });
  }

  /** Stop a running job; its promise rejects with CANCELLED. False when no such job runs. */
  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    if (!job) return false;
    job.reject(new ServiceError('CANCELLED', `Job ${jobId} was cancelled`));
    return true;
  }

  /** Terminate every worker; running jobs reject with CANCELLED. */
  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.running.keys()]) this.cancel(id);
    const idle = this.idle;
    this.idle = null;
    if (idle) await idle.terminate();
  }

  private spawn(): Worker {
    const resourceLimits = { maxOldGenerationSizeMb: this.maxHeapMb };
    let w: Worker;
    if (this.viaTsx) {
      const tsx = tsxUrls();
      w = new Worker(TS_BOOTSTRAP, {
        eval: true,
        execArgv: [...(this.execArgv ?? []), '--import', tsx.loader],
        workerData: { tsxApi: tsx.api, entry: this.workerUrl.href },
        resourceLimits,
      });
    } else {
      w = new Worker(this.workerUrl, { execArgv: this.execArgv, resourceLimits });
    }
    w.unref(); // an idle worker must not keep the process alive
    w.on('error', () => undefined); // errors while idle are handled by dropping the worker
    w.once('exit', () => {
      if (this.idle === w) this.idle = null;
    });
    return w;
  }

  private takeWorker(): Worker {
    const w = this.idle ?? this.spawn();
    this.idle = null;
    w.ref();
    return w;
  }

  private release(w: Worker): void {
    if (this.closed || this.idle) {
      void w.terminate();
      return;
    }
    w.unref();
    this.idle = w;
  }

  /** Start the warm worker now (e.g. at app start) so the first job is fast. */
  prewarm(): void {
    if (!this.idle && !this.closed) this.idle = this.spawn();
  }
}
