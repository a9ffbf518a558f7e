/**
 * quantize.run through the contract with the selective-quantization options (keepFloat, int16):
 * the job quantizes in its worker and the report lists the layers not in int8 with the
 * model-level metrics; bad values are BAD_ARGUMENT naming the field or the valid layer names.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/index.ts';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import type { ApiResult, QuantizeRunResult } from '../../src-main/shared/api.ts';
import { augmentedPhotos } from '../core/quantize/calibration-data.ts';
import { FIXTURES, fixturePath } from '../helpers/fixtures.ts';

const services = createServices({
  configDir: mkdtempSync(join(tmpdir(), 'qs-config-')),
  grantRead: [FIXTURES],
});
const handlers = createHandlers(services, { host: 'web', startupModel: null });
afterAll(() => services.close());
const MODEL = { path: fixturePath('float', 'image_example1.float32.tflite') };

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

const errorOf = (r: ApiResult<unknown>) => (r.ok ? null : r.error);

describe('quantize.run keepFloat / int16', () => {
  it('keeps a layer in float32 and the rest in int16x8; the report lists them with SNR and NSE', async () => {
    const r = await dispatch(handlers, 'quantize.run', {
      jobId: 'sel-1',
      model: MODEL,
      data: { files: npyFiles(8) },
      method: 'minmax',
      keepFloat: ['image_example1/dense/MatMul'],
      int16: 'all',
    });
    if (!r.ok) throw new Error(r.error.message);
    const v = r.value as QuantizeRunResult;
    // rule: the report names every layer not in int8 (float op index, op, name, precision)
    expect(v.report.precision!.map((p) => [p.layer, p.precision])).toEqual([
      [0, 'int16'],
      [1, 'int16'],
      [2, 'int16'],
      [3, 'int16'],
      [4, 'int16'],
      [5, 'int16'],
      [6, 'float32'],
      [7, 'int16'],
    ]);
    expect(v.report.biasAdjustments).toEqual([]);
    expect(v.report.outputs.task).toBe('classification');
    expect(v.report.outputs.snr_db).toBeGreaterThan(20);
    const sg = readTflite(v.bytes).subgraphs[0];
    const fc = sg.operators.find((o) => o.op === 'FULLY_CONNECTED')!;
    expect(sg.tensors[fc.inputs[1]].dtype).toBe('float32');
  }, 120_000);

  it('names bad keepFloat / int16 values and unknown layers', async () => {
    const base = { jobId: 'sel-bad', model: MODEL, data: { files: npyFiles(2) } };
    // rule: the contract validates the shape of the options before any work
    expect(errorOf(await dispatch(handlers, 'quantize.run', { ...base, keepFloat: [] }))).toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringMatching(/"keepFloat" must be a list of 1–1000 layer names/),
    });
    expect(errorOf(await dispatch(handlers, 'quantize.run', { ...base, int16: 'some' }))!.message).toMatch(
      /"int16" must be a list of 1–1000 layer names or "all"/,
    );
    expect(errorOf(await dispatch(handlers, 'quantize.run', { ...base, keepFloat: [3] }))!.message).toMatch(
      /"keepFloat\[0\]" must be a non-empty string/,
    );
    // rule: loweringInterior is int16 or int8 (quantize/lowering-interior.ts)
    expect(
      errorOf(await dispatch(handlers, 'quantize.run', { ...base, loweringInterior: 'int4' })),
    ).toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringMatching(/"loweringInterior" must be "int16" or "int8"/),
    });
    // rule: an unknown layer name lists the valid ones
    expect(errorOf(await dispatch(handlers, 'quantize.run', { ...base, int16: ['dense_9'] }))).toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringMatching(/--int16 'dense_9': no layer has that name\. Layers: 0 CONV_2D/),
    });
  }, 60_000);
});
