import { afterAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../src-main/services/jobs/job-runner.ts';
import { ServiceError } from '../../src-main/services/errors.ts';
import type { JobProgress } from '../../src-main/shared/api.ts';
import { readFixture } from '../helpers/fixtures.ts';

const runner = new JobRunner({ workerUrl: new URL('./workers/test-tasks-worker.ts', import.meta.url) });
afterAll(() => runner.close());

async function rejection(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (e) {
    return e as ServiceError;
  }
  throw new Error('expected a rejection');
}

describe('JobRunner (worker_threads)', () => {
  it('runs a task off the main thread and reports progress', async () => {
    const seen: JobProgress[] = [];
    const off = runner.onProgress((p) => seen.push(p));
    const { threadId } = await import('node:worker_threads');
    const r = await runner.run<{ sum: number; threadId: number }>('count', { n: 1000 }, { jobId: 'c1' });
    off();
    expect(r.sum).toBe((999 * 1000) / 2);
    expect(r.threadId).not.toBe(threadId);
    const mine = seen.filter((p) => p.id === 'c1');
    expect(mine.length).toBeGreaterThanOrEqual(3);
    expect(mine.at(-1)).toEqual({ id: 'c1', fraction: 1, message: 'done' });
    for (let i = 1; i < mine.length; i++)
      expect(mine[i].fraction).toBeGreaterThanOrEqual(mine[i - 1].fraction);
  });

  it('cancels a task that never yields, and keeps working afterwards', async () => {
    const started = new Promise<void>((resolve) => {
      const off = runner.onProgress((p) => {
        if (p.id === 'spin') {
          off();
          resolve();
        }
      });
    });
    const job = runner.run('spinForever', {}, { jobId: 'spin' });
    await started;
    expect(runner.isRunning('spin')).toBe(true);
    const t0 = Date.now();
    expect(runner.cancel('spin')).toBe(true);
    const err = await rejection(job);
    expect(err.code).toBe('CANCELLED');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(runner.cancel('spin')).toBe(false);
    const r = await runner.run<{ sum: number }>('count', { n: 10 });
    expect(r.sum).toBe(45);
  });

  it('times out a runaway task', async () => {
    const err = await rejection(runner.run('spinForever', {}, { timeoutMs: 300 }));
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toMatch(/longer than 300 ms/);
  });

  it('carries typed errors and survives a crashing worker', async () => {
    const err = await rejection(runner.run('fail', { message: 'no such op' }));
    expect(err).toBeInstanceOf(ServiceError);
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toBe('no such op');
    expect(err.detail).toEqual({ why: 'test' });
    const crash = await rejection(runner.run('crash', {}));
    expect(crash.message).toMatch(/exited with code 3/);
    expect((await runner.run<{ sum: number }>('count', { n: 4 })).sum).toBe(6);
  });

  it('rejects unknown tasks and duplicate job ids', async () => {
    expect((await rejection(runner.run('nope', {}))).message).toMatch(/Unknown job task "nope"/);
    const a = runner.run('count', { n: 100 }, { jobId: 'dup' });
    expect((await rejection(runner.run('count', { n: 1 }, { jobId: 'dup' }))).code).toBe('BAD_ARGUMENT');
    await a;
  });

  it('runs jobs in parallel workers and moves real model bytes', async () => {
    const bytes = readFixture('models', 'person_detect.tflite');
    const [a, b] = await Promise.all([
      runner.run<{ length: number; first: number; copy: Uint8Array }>('echoBytes', { bytes }),
      runner.run<{ sum: number; threadId: number }>('count', { n: 50 }),
    ]);
    expect(a.length).toBe(bytes.length);
    expect(a.copy).toEqual(bytes);
    expect(b.sum).toBe(1225);
  });
});

describe('JobRunner with the production worker', () => {
  it('reads a real model in the default tsx worker', async () => {
    const prod = new JobRunner();
    try {
      const bytes = readFixture('models', 'hello_world_int8.tflite');
      const r = await prod.run<{ format: string; summary: { layers: { op: string }[] } }>('model.read', {
        name: 'hello_world_int8.tflite',
        bytes,
      });
      expect(r.format).toBe('tflite');
      expect(r.summary.layers.map((l) => l.op)).toEqual([
        'FULLY_CONNECTED',
        'FULLY_CONNECTED',
        'FULLY_CONNECTED',
      ]);
    } finally {
      await prod.close();
    }
  });
});
