/**
 * `simulate.run` through the contract: the job runs in a worker, reproduces the TFLite Micro
 * golden outputs bit for bit, reports progress, can be cancelled, and names bad inputs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import type { ApiResult, JobProgress, OpenedModel, SimulateResult } from '../../src-main/shared/api.ts';
import { fixturePath, goldenBytes, readFixture, readGolden } from '../helpers/fixtures.ts';

const services = createServices({ configDir: mkdtempSync(join(tmpdir(), 'qs-config-')) });
const handlers = createHandlers(services, { host: 'web', startupModel: null });
afterAll(() => services.close());

function ok<T>(r: ApiResult<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

async function open(dir: string, file: string): Promise<OpenedModel> {
  return ok<OpenedModel>(await dispatch(handlers, 'model.open', { path: fixturePath(dir, file) }));
}

describe('simulate.run', () => {
  it('reproduces the TFLite Micro golden outputs (seed 1) with progress, stats and estimates', async () => {
    const m = await open('models', 'micro_speech_quantized.tflite');
    const seen: JobProgress[] = [];
    const off = services.jobs.onProgress((p) => seen.push(p));
    const r = ok<SimulateResult>(
      await dispatch(handlers, 'simulate.run', {
        jobId: 'sim-1',
        modelId: m.id,
        input: { seed: 1 },
        cpu: 'cortex-m4@80',
      }),
    );
    off();
    const golden = readGolden('micro_speech_quantized');
    const out = golden.op_outputs.find((g) => g.tensor === r.outputs[0].tensor)!;
    expect(r.outputs[0].values).toEqual(Array.from(new Int8Array(goldenBytes(out).buffer)));
    expect(r.layers.map((l) => l.op)).toEqual(['RESHAPE', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'SOFTMAX']);
    expect(r.layers.every((l) => typeof l.est_cycles === 'number' && l.stats.count > 0)).toBe(true);
    expect(r.estimate?.cycles).toBeGreaterThan(0);
    expect(seen.filter((p) => p.id === 'sim-1').at(-1)?.fraction).toBe(1);
  });

  // TFLite Micro's person_detection example: class 0 = no person, 1 = person; its test images are
  // the int8 input bytes stored as uint8 ('bytes' mode, as `quantscope run --u8-bytes`).
  it('person_detect: the person image is class 1, the no-person image class 0', async () => {
    const m = await open('models', 'person_detect.tflite');
    const top = async (file: string) => {
      const r = ok<SimulateResult>(
        await dispatch(handlers, 'simulate.run', {
          jobId: `pd-${file.slice(5, 12)}`,
          modelId: m.id,
          input: { files: [{ name: file, bytes: readFixture('data', file) }] },
          uint8Mode: 'bytes',
        }),
      );
      return r.outputs[0].top_k[0].index;
    };
    expect(await top('tflm_person_gray_u8_96x96.npy')).toBe(1);
    expect(await top('tflm_no_person_gray_u8_96x96.npy')).toBe(0);
  });

  it('can be cancelled', async () => {
    const m = await open('models', 'person_detect.tflite');
    const run = dispatch(handlers, 'simulate.run', {
      jobId: 'sim-cancel',
      modelId: m.id,
      input: { seed: 3 },
    });
    while (!services.jobs.isRunning('sim-cancel')) await new Promise((r) => setTimeout(r, 5));
    expect(ok<boolean>(await dispatch(handlers, 'jobs.cancel', { id: 'sim-cancel' }))).toBe(true);
    const r = await run;
    expect(r.ok ? null : r.error.code).toBe('CANCELLED');
  });

  it('names bad inputs and unsupported models', async () => {
    const m = await open('models', 'micro_speech_quantized.tflite');
    const wrong = await dispatch(handlers, 'simulate.run', {
      jobId: 'bad-1',
      modelId: m.id,
      input: { files: [{ name: 'x.npy', bytes: readFixture('data', 'tflm_person_gray_u8_96x96.npy') }] },
    });
    expect(wrong.ok ? null : wrong.error.code).toBe('BAD_ARGUMENT');
    expect(wrong.ok ? '' : wrong.error.message).toMatch(/micro_speech_quantized\.tflite: /);
    const h5 = await open('float', 'image_example1.h5');
    const r = await dispatch(handlers, 'simulate.run', {
      jobId: 'bad-2',
      modelId: h5.id,
      input: { seed: 1 },
    });
    expect(r.ok ? null : r.error.code).toBe('UNSUPPORTED');
    const missing = await dispatch(handlers, 'simulate.run', {
      jobId: 'bad-3',
      modelId: 'nope',
      input: { seed: 1 },
    });
    expect(missing.ok ? null : missing.error.code).toBe('NOT_FOUND');
    for (const args of [
      { jobId: 'x', modelId: m.id, input: { seed: 0 } },
      { jobId: 'x', modelId: m.id, input: { seed: 1 }, cpu: 'pentium' },
      { jobId: 'x', modelId: m.id, input: { files: [] } },
      { jobId: 'x y', modelId: m.id, input: { seed: 1 } },
      { jobId: 'x', modelId: m.id, input: { seed: 1, files: [] } },
      { jobId: 'x', modelId: m.id, input: { seed: 1 }, uint8Mode: 'pixels' },
    ]) {
      const e = await dispatch(handlers, 'simulate.run', args);
      expect(e.ok ? null : e.error.code, JSON.stringify(args)).toBe('BAD_ARGUMENT');
    }
  });
});
