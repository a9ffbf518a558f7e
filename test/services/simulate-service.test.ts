/**
 * `simulate.run` through the contract: the job runs in a worker, reproduces the TFLite Micro
 * golden outputs bit for bit, reports progress, can be cancelled, and names bad inputs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import type {
  ApiResult,
  JobProgress,
  OpenedModel,
  SimulateLayerTensor,
  SimulateResult,
} from '../../src-main/shared/api.ts';
import { TapStore } from '../../src-main/services/simulate/tap-store.ts';
import { FIXTURES, fixturePath, goldenBytes, readFixture, readGolden } from '../helpers/fixtures.ts';
import { SVDF_FRAMES, svdfStreamBytes, svdfStreamExpected } from '../helpers/stream-models.ts';

// The fixtures stand in for files given on the command line (readable through the API).
const services = createServices({
  configDir: mkdtempSync(join(tmpdir(), 'qs-config-')),
  grantRead: [FIXTURES],
});
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

describe('simulate.layer', () => {
  it('returns every layer of a run bit-exact with the TFLite Micro golden, on demand', async () => {
    const m = await open('models', 'person_detect.tflite');
    const r = ok<SimulateResult>(
      await dispatch(handlers, 'simulate.run', { jobId: 'layer-1', modelId: m.id, input: { seed: 1 } }),
    );
    expect(r.runId).toMatch(/^run-\d+$/);
    const golden = readGolden('person_detect');
    expect(r.layers.length).toBe(golden.op_outputs.length);
    for (const l of r.layers) {
      const t = ok<SimulateLayerTensor>(
        await dispatch(handlers, 'simulate.layer', { runId: r.runId, layer: l.index }),
      );
      const g = golden.op_outputs.find((o) => o.tensor === l.tensor)!;
      expect({ tensor: t.tensor, dtype: t.dtype, shape: t.shape }, `layer ${l.index}`).toEqual({
        tensor: g.tensor,
        dtype: g.dtype,
        shape: g.shape,
      });
      expect(Buffer.from(t.data).equals(Buffer.from(goldenBytes(g))), `layer ${l.index} ${l.op}`).toBe(true);
    }
    // A CONV_2D: a 48×48 feature map with its output quantization.
    const conv = r.layers.find((l) => l.op === 'CONV_2D')!;
    const t = ok<SimulateLayerTensor>(
      await dispatch(handlers, 'simulate.layer', { runId: r.runId, layer: conv.index }),
    );
    expect(t.shape).toEqual(conv.shape);
    expect(t.shape.slice(0, 3)).toEqual([1, 48, 48]);
    expect(t.data.byteLength).toBe(48 * 48 * t.shape[3]);
    expect(t.quant?.scale).toBeGreaterThan(0);
  });

  it('names unknown runs, unknown layers and bad arguments', async () => {
    const m = await open('models', 'hello_world_int8.tflite');
    const r = ok<SimulateResult>(
      await dispatch(handlers, 'simulate.run', { jobId: 'layer-2', modelId: m.id, input: { seed: 2 } }),
    );
    const noRun = await dispatch(handlers, 'simulate.layer', { runId: 'run-99999', layer: 0 });
    expect(noRun.ok ? null : noRun.error.code).toBe('NOT_FOUND');
    expect(noRun.ok ? '' : noRun.error.message).toMatch(/run-99999.*not available/);
    const noLayer = await dispatch(handlers, 'simulate.layer', { runId: r.runId, layer: 500 });
    expect(noLayer.ok ? null : noLayer.error.code).toBe('NOT_FOUND');
    expect(noLayer.ok ? '' : noLayer.error.message).toMatch(/hello_world_int8\.tflite: .*no layer 500/);
    for (const args of [
      undefined,
      { runId: r.runId },
      { runId: r.runId, layer: -1 },
      { runId: r.runId, layer: 1.5 },
      { runId: r.runId, layer: '0' },
      { runId: 'a b', layer: 0 },
      { runId: r.runId, layer: 0, extra: 1 },
    ]) {
      const e = await dispatch(handlers, 'simulate.layer', args);
      expect(e.ok ? null : e.error.code, JSON.stringify(args)).toBe('BAD_ARGUMENT');
    }
  });
});

describe('TapStore', () => {
  const tap = (index: number, bytes: number): SimulateLayerTensor => ({
    index,
    tensor: index + 10,
    dtype: 'int8',
    shape: [1, bytes],
    data: new Uint8Array(bytes),
  });

  it('evicts the least recently used run by count and by bytes, and names an evicted run', () => {
    const store = new TapStore({ maxRuns: 2, maxBytes: 1000 });
    const a = store.add('a.tflite', [tap(0, 100)]);
    const b = store.add('b.tflite', [tap(0, 100)]);
    store.layer(a, 0); // a is now the most recently used
    const c = store.add('c.tflite', [tap(0, 100)]);
    expect([store.has(a), store.has(b), store.has(c)]).toEqual([true, false, true]);
    expect(() => store.layer(b, 0)).toThrow(/evicted/);
    const big = store.add('big.tflite', [tap(0, 600), tap(1, 600)]); // over budget alone: kept, others go
    expect(store.size).toBe(1);
    expect(store.layer(big, 1).tensor).toBe(11);
    expect(store.totalBytes).toBe(1200);
  });

  // rule: a layer is an op: for an op with several outputs (SPLIT) it is the first output, the
  // one a board streams; every output still counts towards the run's bytes
  it('keeps the first output of a multi-output op as its layer', () => {
    const store = new TapStore();
    const id = store.add('split.tflite', [tap(0, 4), { ...tap(0, 6), tensor: 99 }, tap(1, 2)]);
    expect(store.layer(id, 0).tensor).toBe(10);
    expect(store.layer(id, 1).tensor).toBe(11);
    expect(store.totalBytes).toBe(12);
  });
});

describe('simulate.run on a stream of input frames', () => {
  it('a .bin of 10 frames runs 10 invocations, the state kept: outputs as TFLM updates SVDF state', async () => {
    // rule (issue 15): input files holding several frames invoke once per frame without a reset;
    // layers and taps are the last invocation's, every invocation's outputs listed in order
    const m = ok<OpenedModel>(
      await dispatch(handlers, 'model.open', { name: 'svdf_stream.tflite', bytes: svdfStreamBytes() }),
    );
    const bin = Uint8Array.from(Int8Array.from(SVDF_FRAMES.flat()));
    const r = ok<SimulateResult>(
      await dispatch(handlers, 'simulate.run', {
        jobId: 'sim-stream',
        modelId: m.id,
        input: { files: [{ name: 'frames.bin', bytes: bin }] },
      }),
    );
    const want = svdfStreamExpected(SVDF_FRAMES);
    expect(r.stream?.invocations).toBe(10);
    expect(r.stream?.outputs.map((o) => o[0].values[0])).toEqual(want);
    expect(r.outputs[0].values[0]).toBe(want[9]);
  });
});
