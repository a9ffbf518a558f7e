/**
 * A job worker with tasks that exercise the runner itself (progress, cancel of a task that never
 * yields, errors, crashes). Loaded through tsx exactly like the production worker.
 */
import { ServiceError } from '../../../src-main/services/errors.ts';
import { serveTasks } from '../../../src-main/services/jobs/worker-loop.ts';
import { TASKS } from '../../../src-main/services/jobs/tasks.ts';

serveTasks({
  ...TASKS,
  /** Sum 0..n-1 with progress every 1/10; returns the sum and the worker's thread id. */
  async count(p: { n: number }, ctx) {
    let sum = 0;
    for (let i = 0; i < p.n; i++) {
      sum += i;
      if (i % Math.ceil(p.n / 10) === 0) {
        ctx.progress(i / p.n, `step ${i}`);
        await new Promise((r) => setTimeout(r, 60));
      }
    }
    ctx.progress(1, 'done');
    const { threadId } = await import('node:worker_threads');
    return { sum, threadId };
  },
  /** Never yields: only terminating the worker can stop it. */
  spinForever(_p: unknown, ctx) {
    ctx.progress(0.5, 'spinning');
    for (;;) {
      // busy
    }
  },
  fail(p: { message: string }) {
    throw new ServiceError('UNSUPPORTED', p.message, { why: 'test' });
  },
  crash() {
    process.exit(3);
  },
  echoBytes(p: { bytes: Uint8Array }) {
    return { length: p.bytes.length, first: p.bytes[0], copy: p.bytes };
  },
});
