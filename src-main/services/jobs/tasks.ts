/**
 * Every task a job worker can run, by name. Add a row to offer new background work
 * (simulate, quantize, report); the function runs inside the worker, never on the main thread.
 */
import { hostSideTask } from '../board/host-side-task.ts';
import { readModelTask } from '../model/read-model-task.ts';
import { simulateTask } from '../simulate/simulate-task.ts';
import { quantizeTask, reportTask } from '../quantize/quantize-task.ts';
import type { TaskRegistry } from './messages.ts';

export const TASKS = {
  'model.read': readModelTask,
  'simulate.run': simulateTask,
  'quantize.run': quantizeTask,
  'quantize.report': reportTask,
  'compare.host': hostSideTask,
} satisfies TaskRegistry;

export type TaskName = keyof typeof TASKS;
