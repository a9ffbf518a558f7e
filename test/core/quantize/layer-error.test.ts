/**
 * The quantization report on image_example1 (float32 + the official int8 + photo data): the MLTK
 * CSV layout, and two layers' numbers recomputed independently here from the int8 model's own
 * tensors (AVERAGE_POOL_2D by hand-averaging, FULLY_CONNECTED by a float64 dot product with the
 * float model's weights).
 */
import { describe, expect, it } from 'vitest';
import { readTflite, type Model, type Tensor } from '../../../src-main/core/model/index.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { normalizationOf, normalizeSample } from '../../../src-main/core/simulate/inputs/normalize.ts';
import { layerErrors, layerErrorsCsv, MLTK_COLUMNS } from '../../../src-main/core/quantize/index.ts';
import { readFixture } from '../../helpers/fixtures.ts';
import { augmentedPhotos } from './calibration-data.ts';
import { float32Of, opsOf } from './tensors.ts';

const deq = (t: Tensor, v: ArrayLike<number>) =>
  Array.from(v, (x) => (x - t.quantization!.zeroPoint[0]) * t.quantization!.scale[0]);

/** The five per-sample metrics of diff = got − want, in float64. */
function metrics(got: number[], want: number[]) {
  const d = got.map((g, i) => g - want[i]);
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const mse = d.reduce((a, b) => a + b * b, 0) / d.length;
  const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
  return { std, mean, maxAbs: Math.max(...d.map(Math.abs)), mse };
}

function average(list: ReturnType<typeof metrics>[]) {
  const n = list.length;
  return {
    stddev: list.reduce((a, m) => a + m.std, 0) / n,
    mean_error: list.reduce((a, m) => a + m.mean, 0) / n,
    max_abs_error: list.reduce((a, m) => a + m.maxAbs, 0) / n,
    mean_squared_error: list.reduce((a, m) => a + m.mse, 0) / n,
  };
}

describe('quantization report (QuantizationDebugger-style local errors)', () => {
  const float = readTflite(readFixture('float', 'image_example1.float32.tflite'));
  const int8: Model = readTflite(readFixture('float', 'image_example1.int8.tflite'));
  const norm = normalizationOf(float.parameters)!;
  const samples = augmentedPhotos(96, 6, 3).map((x) => [normalizeSample(x, norm)]);
  const rows = layerErrors(int8, float, samples);
  const sg = int8.subgraphs[0];

  it('writes the 12 MLTK columns in order, one row per int8 compute op', () => {
    const csv = layerErrorsCsv(rows).trim().split('\n');
    expect(csv[0]).toBe(
      'op_name,tensor_idx,num_elements,stddev,mean_error,max_abs_error,mean_squared_error,scale,zero_point,tensor_name,range,rmse/scale',
    );
    expect(MLTK_COLUMNS).toHaveLength(12);
    expect(csv).toHaveLength(1 + 8);
    expect(rows.map((r) => r.op_name)).toEqual([
      'CONV_2D',
      'AVERAGE_POOL_2D',
      'CONV_2D',
      'CONV_2D',
      'AVERAGE_POOL_2D',
      'RESHAPE',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ]);
    for (const r of rows) {
      expect(r.range).toBeCloseTo(r.scale * 255, 10);
      expect(r.rmse_over_scale).toBeCloseTo(Math.sqrt(r.mean_squared_error) / r.scale, 10);
      expect(csv.some((line) => line.startsWith(`${r.op_name},${r.tensor_idx},${r.num_elements},`))).toBe(
        true,
      );
    }
    // RESHAPE only moves bytes: no local error.
    expect(rows[5].mean_squared_error).toBe(0);
  });

  it('AVERAGE_POOL_2D and FULLY_CONNECTED rows match an independent computation', () => {
    const pm = prepare(int8);
    const poolOp = sg.operators.find((o) => o.op === 'AVERAGE_POOL_2D')!;
    const fcOp = sg.operators.find((o) => o.op === 'FULLY_CONNECTED')!;
    const [, wFloat, bFloat] = opsOf(float, 'FULLY_CONNECTED')[0];
    const w = float32Of(wFloat);
    const b = float32Of(bFloat);
    const pool: ReturnType<typeof metrics>[] = [];
    const fc: ReturnType<typeof metrics>[] = [];
    for (const [x] of samples) {
      const taps = invoke(pm, [x], { taps: true }).layers;
      const value = (t: number) => {
        const tap = taps.find((l) => l.tensor === t);
        if (!tap) throw new Error(`no tap for tensor ${t}`);
        return tap.data as Int8Array;
      };
      // Pool: 2×2 stride 2 over [1,48,48,24] → [1,24,24,24], averaged in float64.
      const inT = sg.tensors[poolOp.inputs[0]];
      const outT = sg.tensors[poolOp.outputs[0]];
      const xin = deq(inT, value(inT.index));
      const want: number[] = [];
      for (let y = 0; y < 24; y++)
        for (let xx = 0; xx < 24; xx++)
          for (let c = 0; c < 24; c++) {
            let s = 0;
            for (const [dy, dx] of [
              [0, 0],
              [0, 1],
              [1, 0],
              [1, 1],
            ])
              s += xin[((2 * y + dy) * 48 + 2 * xx + dx) * 24 + c];
            want.push(s / 4);
          }
      pool.push(metrics(deq(outT, value(outT.index)), want));
      // FC: dequantized int8 input · float weights [3, 384] + float bias.
      const fin = deq(sg.tensors[fcOp.inputs[0]], value(fcOp.inputs[0]));
      const fout = sg.tensors[fcOp.outputs[0]];
      const logits = [0, 1, 2].map((o) => fin.reduce((a, v, i) => a + v * w[o * 384 + i], b[o]));
      fc.push(metrics(deq(fout, value(fout.index)), logits));
    }
    for (const [row, expected] of [
      [rows[1], average(pool)],
      [rows[6], average(fc)],
    ] as const) {
      for (const [key, v] of Object.entries(expected)) {
        const got = row[key as keyof typeof expected];
        expect(Math.abs(got - v), `${row.op_name} ${key}: ${got} vs ${v}`).toBeLessThanOrEqual(
          1e-6 + 1e-4 * Math.abs(v),
        );
      }
    }
  });

  it('names the mismatch when the int8 model is not the float model’s network', () => {
    const other = readTflite(readFixture('float', 'autoencoder_example.float32.tflite'));
    expect(() => layerErrors(int8, other, samples)).toThrow(/compute ops|does not match/);
  });
});
