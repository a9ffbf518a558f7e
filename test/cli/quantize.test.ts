/**
 * `quantscope quantize` and `quantscope report` on the fixtures: image_example1 (float .tflite and
 * Keras .h5, and the official int8 model) with a deterministic augmented dataset written to a temp
 * folder as .npy and as PNG images. The report CSV is checked column by column and, on two layers,
 * against an independent computation written here (average pool and fully connected in float64).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/index.ts';
import { dequantize, int8Inputs } from '../../src-main/core/quantize/io-convert.ts';
import { normalizeSample } from '../../src-main/core/simulate/inputs/normalize.ts';
import { invoke, prepare, tensorValue } from '../../src-main/core/simulate/interpreter.ts';
import type { TensorData } from '../../src-main/core/simulate/tensor-data.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';
import { augmentedPhotos } from '../core/quantize/calibration-data.ts';
import { cli as runCli } from '../helpers/cli.ts';

const FLOAT = fixturePath('float', 'image_example1.float32.tflite');
const H5 = fixturePath('float', 'image_example1.h5');
const INT8 = fixturePath('float', 'image_example1.int8.tflite');
const N = 12;
let dir: string;
let photos: Float32Array[];

function npy(samples: Float32Array[], shape: number[]): Buffer {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${[samples.length, ...shape].join(', ')}), }`;
  const total = 10 + header.length + 1;
  const h = header + ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]);
  return Buffer.concat([
    pre,
    Buffer.from(h, 'latin1'),
    ...samples.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength)),
  ]);
}

const cli = (args: string[]) => runCli(...args);

function parseCsv(text: string): { header: string[]; rows: Record<string, string>[] } {
  const lines = text.trim().split('\n');
  const header = lines[0].split(',');
  // tensor names here hold ';' but never ',' or quotes
  const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((c, i) => [header[i], c])));
  return { header, rows };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qs-quantize-cli-'));
  photos = augmentedPhotos(96, N, 5);
  writeFileSync(join(dir, 'data.npy'), npy(photos, [96, 96, 1]));
  const pngDir = join(dir, 'images');
  mkdirSync(pngDir);
  photos.slice(0, 6).forEach((p, k) => {
    const png = new PNG({ width: 96, height: 96 });
    for (let i = 0; i < 96 * 96; i++) {
      const v = Math.round(p[i]);
      png.data.set([v, v, v, 255], i * 4);
    }
    writeFileSync(join(pngDir, `img${k}.png`), PNG.sync.write(png));
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantscope quantize', () => {
  it('quantizes the float .tflite with --norm meanstd and writes the model and an HTML report', async () => {
    const out = join(dir, 'q.tflite');
    const html = join(dir, 'q.html');
    const r = await cli([
      'quantize',
      FLOAT,
      '--data',
      join(dir, 'data.npy'),
      '--norm',
      'meanstd',
      '--method',
      'minmax',
      '--out',
      out,
      '--report',
      html,
    ]);
    expect(r.err).not.toMatch(/quantscope:/);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/Calibrating/);
    expect(r.err).toMatch(/\[100%\] Done/);
    const m = readTflite(new Uint8Array(readFileSync(out)));
    const sg = m.subgraphs[0];
    expect(sg.tensors[sg.inputs[0]].dtype).toBe('int8');
    expect(m.parameters['samplewise_norm.mean_and_std']).toBe(true);
    expect(r.out).toMatch(/top-1 agreement/);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('rmse/scale per layer');
    // rule (issue 19 #8): the report's title names the model written with --out
    expect(page).toContain('<title>Quantization report — q.tflite</title>');
    expect(page).not.toMatch(/<script|src="http/);
    expect((page.match(/<svg /g) ?? []).length).toBe(2);
  }, 120_000);

  it('quantizes the Keras .h5 from a folder of PNG images with float32 I/O, per-tensor Dense, JSON report', async () => {
    const out = join(dir, 'h5.tflite');
    const json = join(dir, 'h5.json');
    const r = await cli([
      'quantize',
      H5,
      '--data',
      join(dir, 'images'),
      '--io',
      'float32',
      '--method',
      'percentile',
      '--fc-per-tensor',
      '--out',
      out,
      '--report',
      json,
      '--quiet',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const m = readTflite(new Uint8Array(readFileSync(out)));
    const ops = m.subgraphs[0].operators.map((o) => o.op);
    expect(ops[0]).toBe('QUANTIZE');
    expect(ops.at(-1)).toBe('DEQUANTIZE');
    const sg = m.subgraphs[0];
    const dense = sg.operators.filter((o) => o.op === 'FULLY_CONNECTED');
    expect(dense.length).toBeGreaterThan(0);
    for (const op of dense) expect(sg.tensors[op.inputs[1]].quantization!.scale).toHaveLength(1);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.dense_weights).toBe('per-tensor');
    expect(Object.keys(doc.method_scores)).toEqual(['percentile']);
    expect(doc.schema).toBe('quantscope.quantization/1');
    expect(doc.samples).toBe(6);
    expect(doc.method).toBe('percentile');
    expect(doc.layers[0].local.rmse_over_scale).toBeGreaterThan(0);
    expect(doc.layers[0].accumulated.rmse).toBeGreaterThan(0);
    expect(doc.advice.some((a: { kind: string }) => a.kind === 'no_normalization')).toBe(true);
  }, 120_000);

  it('quantizes hello_world from a CSV of x values over [0, 2π] (header row), output close to sin', async () => {
    const xs = Array.from({ length: 64 }, (_, i) => ((i + 0.5) / 64) * 2 * Math.PI);
    writeFileSync(join(dir, 'x.csv'), ['x', ...xs.map(String)].join('\n'));
    const out = join(dir, 'hw.tflite');
    const json = join(dir, 'hw.json');
    const r = await cli([
      'quantize',
      fixturePath('float', 'hello_world_float.tflite'),
      '--data',
      join(dir, 'x.csv'),
      '--out',
      out,
      '--report',
      json,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.samples).toBe(64);
    expect(doc.layers.map((l: { op_name: string }) => l.op_name)).toEqual([
      'FULLY_CONNECTED',
      'FULLY_CONNECTED',
      'FULLY_CONNECTED',
    ]);
    expect(doc.outputs.rmse).toBeLessThan(0.05);
  }, 60_000);

  it('fails with a clear message and exit 1 on a dataset of the wrong shape', async () => {
    writeFileSync(join(dir, 'wrong.npy'), npy([new Float32Array(50 * 50)], [50, 50, 1]));
    const r = await cli([
      'quantize',
      FLOAT,
      '--data',
      join(dir, 'wrong.npy'),
      '--out',
      join(dir, 'x.tflite'),
      '--quiet',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/wrong\.npy: shape \[1,50,50,1\] does not split into samples of shape \[96,96,1\]/);
  });

  it('fails with exit 1 on a bad --norm and a missing data folder', async () => {
    const a = await cli(['quantize', FLOAT, '--data', join(dir, 'data.npy'), '--norm', 'scale', '--quiet']);
    expect(a.code).toBe(1);
    expect(a.err).toMatch(/--norm scale: expected none, rescale/);
    const b = await cli(['quantize', FLOAT, '--data', join(dir, 'nope'), '--quiet']);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/No such data file or folder/);
  });
});

describe('quantscope report', () => {
  it('official int8 + float + data → MLTK CSV, checked on two layers by an independent computation', async () => {
    const csvPath = join(dir, 'r.csv');
    const r = await cli([
      'report',
      INT8,
      '--float',
      FLOAT,
      '--data',
      join(dir, 'data.npy'),
      '--out',
      csvPath,
    ]);
    expect(r.code).toBe(0);
    const { header, rows } = parseCsv(readFileSync(csvPath, 'utf8'));
    expect(header).toEqual([
      'op_name',
      'tensor_idx',
      'num_elements',
      'stddev',
      'mean_error',
      'max_abs_error',
      'mean_squared_error',
      'scale',
      'zero_point',
      'tensor_name',
      'range',
      'rmse/scale',
    ]);
    const int8 = readTflite(readFixture('float', 'image_example1.int8.tflite'));
    const float = readTflite(readFixture('float', 'image_example1.float32.tflite'));
    const qsg = int8.subgraphs[0];
    const compute = qsg.operators.filter((o) => o.op !== 'QUANTIZE' && o.op !== 'DEQUANTIZE');
    expect(rows.map((x) => x.op_name)).toEqual(compute.map((o) => o.op));
    for (const row of rows) {
      const t = qsg.tensors[Number(row.tensor_idx)];
      expect(Number(row.scale)).toBeCloseTo(t.quantization!.scale[0], 9);
      expect(Number(row.zero_point)).toBe(t.quantization!.zeroPoint[0]);
      expect(Number(row.range)).toBeCloseTo(Number(row.scale) * 255, 9);
      expect(Number(row['rmse/scale'])).toBeCloseTo(
        Math.sqrt(Number(row.mean_squared_error)) / Number(row.scale),
        9,
      );
    }

    // Independent: run the int8 model, take each op's int8 inputs, dequantize, apply the float
    // op by hand in float64 and compare with the dequantized int8 output; average over samples.
    const qpm = prepare(int8);
    const fsg = float.subgraphs[0];
    let run = new Map<number, TensorData>();
    const deq = (idx: number) => dequantize(qsg.tensors[idx], tensorValue(run, idx));
    const floatConst = (idx: number) => {
      const d = fsg.tensors[idx].data!;
      return new Float32Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
    };
    const fcF = fsg.operators.find((o) => o.op === 'FULLY_CONNECTED')!;
    const W = floatConst(fcF.inputs[1]);
    const B = floatConst(fcF.inputs[2]);
    const fcQ = compute.find((o) => o.op === 'FULLY_CONNECTED')!;
    const poolQ = compute.find((o) => o.op === 'AVERAGE_POOL_2D')!;
    const acc = { fc: { mse: 0, max: 0 }, pool: { mse: 0, max: 0 } };
    for (const p of photos) {
      run = invoke(qpm, int8Inputs(qpm, [normalizeSample(p, { rescale: 0, meanAndStd: true })]), {
        taps: true,
      }).tensors;
      // fully connected: y = W x + b
      const x = deq(fcQ.inputs[0]);
      const got = deq(fcQ.outputs[0]);
      const [outN, inN] = fsg.tensors[fcF.inputs[1]].shape;
      let se = 0;
      let mx = 0;
      for (let o = 0; o < outN; o++) {
        let y = B[o];
        for (let i = 0; i < inN; i++) y += W[o * inN + i] * x[i];
        const d = got[o] - y;
        se += d * d;
        mx = Math.max(mx, Math.abs(d));
      }
      acc.fc.mse += se / outN;
      acc.fc.max += mx;
      // 2×2 stride-2 average pool over [48, 48, 24] → [24, 24, 24]
      const pin = deq(poolQ.inputs[0]);
      const pout = deq(poolQ.outputs[0]);
      const [, hIn, wIn, c] = qsg.tensors[poolQ.inputs[0]].shape;
      const [, hOut, wOut] = qsg.tensors[poolQ.outputs[0]].shape;
      se = 0;
      mx = 0;
      for (let yy = 0; yy < hOut; yy++)
        for (let xx = 0; xx < wOut; xx++)
          for (let ch = 0; ch < c; ch++) {
            let s = 0;
            for (const [dy, dx] of [
              [0, 0],
              [0, 1],
              [1, 0],
              [1, 1],
            ])
              s += pin[((2 * yy + dy) * wIn + 2 * xx + dx) * c + ch];
            const d = pout[(yy * wOut + xx) * c + ch] - s / 4;
            se += d * d;
            mx = Math.max(mx, Math.abs(d));
          }
      expect(hIn).toBe(2 * hOut);
      acc.pool.mse += se / (hOut * wOut * c);
      acc.pool.max += mx;
    }
    const fcRow = rows.find((x) => x.op_name === 'FULLY_CONNECTED')!;
    const poolRow = rows.find((x) => x.op_name === 'AVERAGE_POOL_2D')!;
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-12, Math.abs(b));
    expect(rel(Number(fcRow.mean_squared_error), acc.fc.mse / N)).toBeLessThan(1e-4);
    expect(rel(Number(fcRow.max_abs_error), acc.fc.max / N)).toBeLessThan(1e-4);
    expect(rel(Number(poolRow.mean_squared_error), acc.pool.mse / N)).toBeLessThan(1e-4);
    expect(rel(Number(poolRow.max_abs_error), acc.pool.max / N)).toBeLessThan(1e-4);
    // the official model's output layer is the one the report flags
    expect(r.out).toMatch(/advice \[\d+\] FULLY_CONNECTED .* rmse\/scale = [\d.]+ > 0\.7/);
  }, 120_000);

  it('rejects an unknown report extension before any work', async () => {
    const r = await cli([
      'report',
      INT8,
      '--float',
      FLOAT,
      '--data',
      join(dir, 'data.npy'),
      '--out',
      join(dir, 'r.txt'),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot tell the report format of .*r\.txt.*use \.csv, \.html or \.json/);
  });
});
