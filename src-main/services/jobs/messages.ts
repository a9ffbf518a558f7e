/** Messages between the job runner (main thread) and a job worker (worker_threads). */
import type { ApiError } from '../../shared/api.ts';

export type ToWorker = { type: 'run'; jobId: string; task: string; payload: unknown };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; jobId: string; fraction: number; message: string }
  | { type: 'done'; jobId: string; result: unknown }
  | { type: 'error'; jobId: string; error: ApiError };

/** What a task sees besides its payload. */
export interface TaskContext {
  jobId: string;
  /** Report progress (fraction clamped to 0..1; throttled before crossing threads). */
  progress(fraction: number, message: string): void;
}

export type Task = (payload: any, ctx: TaskContext) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
export type TaskRegistry = Record<string, Task>;
