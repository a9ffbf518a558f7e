/**
 * `quantize.run`, `quantize.report` and `quantize.export` through the contract: the work runs in
 * a job worker with progress, can be cancelled, takes uploaded bytes (browser) or paths, saves the
 * int8 model and exports the report atomically; bad arguments are named.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/index.ts';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import type {
  ApiResult,
  JobProgress,
  OpenedModel,
  QuantizeReportResult,
  QuantizeRunResult,
  ReportExportResult,
} from '../../src-main/shared/api.ts';
import { FIXTURES, fixturePath, readFixture } from '../helpers/fixtures.ts';
import { augmentedPhotos } from '../core/quantize/calibration-data.ts';

// The fixtures stand in for files given on the command line (readable through the API).
const services = createServices({
  configDir: mkdtempSync(join(tmpdir(), 'qs-config-')),
  grantRead: [FIXTURES],
});
const handlers = createHandlers(services, { host: 'web', startupModel: null });
afterAll(() => services.close());
const out = mkdtempSync(join(tmpdir(), 'qs-quantize-svc-'));

function ok<T>(r: ApiResult<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** Raw pixels of 96×96 grey photos as one-sample float32 .npy files (what a browser uploads). */
function npyFiles(n: number): { name: string; bytes: Uint8Array }[] {
  return augmentedPhotos(96, n, 9).map((p, i) => {
    let h = "{'descr': '<f4', 'fortran_order': False, 'shape': (96, 96, 1), }";
    h += ' '.repeat((64 - ((11 + h.length) % 64)) % 64) + '\n';
    const b = new Uint8Array(10 + h.length + p.byteLength);
    b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]);
    b.set(new TextEncoder().encode(h), 10);
    b.set(new Uint8Array(p.buffer), 10 + h.length);
    return { name: `s${i}.npy`, bytes: b };
  });
}

describe('quantize.run', () => {
  it('quantizes an opened float model from uploaded samples in a worker, with progress; saves and exports', async () => {
    const m = ok<OpenedModel>(
      await dispatch(handlers, 'model.open', { path: fixturePath('float', 'image_example1.float32.tflite') }),
    );
    const seen: JobProgress[] = [];
    const off = services.jobs.onProgress((p) => seen.push(p));
    const savePath = join(out, 'q.tflite');
    services.paths.grantWrite(savePath, { overwrite: false }); // as the save dialog does
    const r = ok<QuantizeRunResult>(
      await dispatch(handlers, 'quantize.run', {
        jobId: 'q-1',
        model: { modelId: m.id },
        data: { files: npyFiles(8) },
        method: 'minmax',
        thresholds: { rmseOverScale: 0.5 },
        savePath,
      }),
    );
    off();
    expect(r.name).toBe('image_example1.int8.tflite');
    expect(r.savedPath).toBe(savePath);
    expect(new Uint8Array(readFileSync(savePath))).toEqual(r.bytes);
    expect(readTflite(r.bytes).parameters['samplewise_norm.mean_and_std']).toBe(true); // the model's own
    expect(r.report.samples).toBe(8);
    expect(r.report.thresholds).toEqual({ rmseOverScale: 0.5, range: 255 });
    expect(r.report.histograms).toHaveLength(r.report.layers.length);
    const h = r.report.histograms[0];
    expect(h.float.reduce((a, b) => a + b, 0)).toBe(4 * r.report.layers[0].num_elements);
    const mine = seen.filter((p) => p.id === 'q-1');
    expect(mine.some((p) => /Calibrating/.test(p.message))).toBe(true);
    expect(mine.at(-1)?.fraction).toBe(1);

    for (const format of ['csv', 'html', 'json'] as const) {
      services.paths.grantWrite(join(out, `r.${format}`), { overwrite: false });
      const e = ok<ReportExportResult>(
        await dispatch(handlers, 'quantize.export', {
          reportId: r.reportId,
          format,
          path: join(out, `r.${format}`),
        }),
      );
      expect(e.bytes).toBeGreaterThan(100);
      expect(readFileSync(e.path!).length).toBe(e.bytes);
    }
    const csv = ok<ReportExportResult>(
      await dispatch(handlers, 'quantize.export', { reportId: r.reportId, format: 'csv' }),
    );
    expect(csv.fileName).toBe('image_example1.int8-quantization.csv');
    expect(new TextDecoder().decode(csv.data).split('\n')[0]).toBe(
      'op_name,tensor_idx,num_elements,stddev,mean_error,max_abs_error,mean_squared_error,scale,zero_point,tensor_name,range,rmse/scale',
    );
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('can be cancelled', async () => {
    const p = dispatch(handlers, 'quantize.run', {
      jobId: 'q-cancel',
      model: { name: 'image_example1.h5', bytes: readFixture('float', 'image_example1.h5') },
      data: { files: npyFiles(24) },
    });
    await new Promise<void>((resolve) => {
      const off = services.jobs.onProgress((e) => {
        if (e.id === 'q-cancel' && /Calibrating/.test(e.message)) (off(), resolve());
      });
    });
    expect(ok<boolean>(await dispatch(handlers, 'jobs.cancel', { id: 'q-cancel' }))).toBe(true);
    const r = await p;
    expect(r.ok ? null : r.error.code).toBe('CANCELLED');
  }, 120_000);

  it('names bad arguments and bad data', async () => {
    const a = await dispatch(handlers, 'quantize.run', {
      jobId: 'x',
      model: { path: 'rel.tflite' },
      data: { path: '/tmp' },
    });
    expect(a.ok ? null : a.error).toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringMatching(/"model.path" must be an absolute path/),
    });
    const b = await dispatch(handlers, 'quantize.run', {
      jobId: 'x',
      model: { path: '/a.tflite' },
      data: { path: '/tmp' },
      io: 'int16',
    });
    expect(b.ok ? null : b.error.message).toMatch(/"io" must be "int8" or "float32"/);
    const fc = await dispatch(handlers, 'quantize.run', {
      jobId: 'x',
      model: { path: '/a.tflite' },
      data: { path: '/tmp' },
      fcPerTensor: 'yes',
    });
    expect(fc.ok ? null : fc.error.message).toMatch(/"fcPerTensor" must be true or false/);
    const c = await dispatch(handlers, 'quantize.run', {
      jobId: 'bad-data',
      model: { path: fixturePath('float', 'image_example1.float32.tflite') },
      data: { files: [{ name: 'notes.txt', bytes: new TextEncoder().encode('hello') }] },
    });
    expect(c.ok ? null : c.error).toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringMatching(/notes\.txt: not a PNG\/JPEG\/BMP image, \.npy, \.npz or \.csv/),
    });
    const d = await dispatch(handlers, 'quantize.export', { reportId: 'nope', format: 'csv' });
    expect(d.ok ? null : d.error.code).toBe('NOT_FOUND');
  });
});

describe('quantize.report', () => {
  it('reports an int8 model made elsewhere against its float model', async () => {
    const r = ok<QuantizeReportResult>(
      await dispatch(handlers, 'quantize.report', {
        jobId: 'rep-1',
        int8: { path: fixturePath('float', 'image_example1.int8.tflite') },
        float: { path: fixturePath('float', 'image_example1.float32.tflite') },
        data: { files: npyFiles(6) },
      }),
    );
    expect(r.report.model).toBe('image_example1.int8.tflite');
    expect(r.report.layers.map((l) => l.op_name)).toEqual([
      'CONV_2D',
      'AVERAGE_POOL_2D',
      'CONV_2D',
      'CONV_2D',
      'AVERAGE_POOL_2D',
      'RESHAPE',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ]);
    expect(r.report.normalization).toEqual({ rescale: 0, meanAndStd: true });
    expect(r.report.outputs.cosine_similarity).toBeGreaterThan(0.99);
  }, 120_000);
});
