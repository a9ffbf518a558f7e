/**
 * Every task a job worker can run, by name. Add a row to offer new background work
 * (simulate, quantize, report); the function runs inside the worker, never on the main thread.
 */
import { readModelTask } from '../model/read-model-task.ts';
import { simulateTask } from '../simulate/simulate-task.ts';
import type { TaskRegistry } from './messages.ts';

export const TASKS = {
  'model.read': readModelTask,
  'simulate.run': simulateTask,
} satisfies TaskRegistry;

export type TaskName = keyof typeof TASKS;
