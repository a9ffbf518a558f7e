/**
 * LSTM gate taps of the host simulator (invoke with `gates: true`): every time step's forget,
 * input, cell and output gate and the cell state, read from the interpreter core while it runs
 * the TFLite Micro mnist_lstm field models (int8 and float32) on their golden inputs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { gateSaturation } from '../../../src-main/core/simulate/gate-taps.ts';
import { invoke, prepare, type InvokeResult } from '../../../src-main/core/simulate/interpreter.ts';
import { fromBytes } from '../../../src-main/core/simulate/tensor-data.ts';
import { fixturePath, goldenBytes, readFixture, type Golden } from '../../helpers/fixtures.ts';

function run(name: string, gates: boolean) {
  const golden = JSON.parse(readFileSync(fixturePath('field/golden', `${name}.json`), 'utf8')) as Golden;
  const bytes = readFixture('field', golden.model);
  const pm = prepare(readTflite(bytes), 0, { bytes });
  const inputs = golden.inputs.map((g) =>
    fromBytes(
      pm.subgraph.tensors[g.tensor].dtype,
      goldenBytes(g),
      g.shape.reduce((a, b) => a * b, 1),
    ),
  );
  return { pm, result: invoke(pm, inputs, { gates }) };
}

/** The LSTM output row of step t, dequantized. */
function hiddenRow(r: InvokeResult, scale: number, zp: number, t: number, n: number): number[] {
  const data = r.layers[0].data;
  return Array.from({ length: n }, (_, k) => (Number(data[t * n + k]) - zp) * scale);
}

describe('LSTM gate taps (mnist_lstm, 28 steps of 20 units)', () => {
  const INT8 = 'tensorflow__tensorflow_lite_micro_examples_mnist_lstm_trained_lstm_int8';
  const FLOAT = 'tensorflow__tensorflow_lite_micro_examples_mnist_lstm_trained_lstm';

  it('int8: one record per step, gates in range, h = o * tanh(c) and c = f c + i g within rounding', () => {
    const { pm, result } = run(INT8, true);
    // rule: one entry per LSTM op, one step record per time step (batch 1), in time order
    expect(result.gates?.length).toBe(1);
    const taps = result.gates![0];
    expect(taps.opIndex).toBe(0);
    expect(taps.units).toBe(20);
    expect(taps.steps.map((s) => s.step)).toEqual([...Array(28).keys()]);
    const out = pm.subgraph.tensors[pm.subgraph.operators[0].outputs[0]];
    const hs = out.quantization!.scale[0];
    const hz = Number(out.quantization!.zeroPoint[0]);
    const cs = pm.subgraph.tensors[pm.subgraph.operators[0].inputs[19]].quantization!.scale[0];
    let prev: Float32Array = new Float32Array(20);
    for (const s of taps.steps) {
      const h = hiddenRow(result, hs, hz, s.step, 20);
      for (let k = 0; k < 20; k++) {
        // rule: sigmoid gates lie in [0, 1], the tanh cell gate in [-1, 1]
        for (const g of [s.forget[k], s.input[k], s.output[k]]) expect(g >= 0 && g <= 1).toBe(true);
        expect(Math.abs(s.cell[k])).toBeLessThanOrEqual(1);
        // rule: the hidden output is o * tanh(c), requantized (half a step) with the int16 tanh's error
        expect(Math.abs(h[k] - s.output[k] * Math.tanh(s.cellState[k]))).toBeLessThanOrEqual(hs / 2 + 2e-3);
        // rule: c = f * c_prev + i * g, each product rounded to the cell scale, saturated to the
        // int16 range of that scale and clipped to cell_clip 10
        const lim = Math.min(10, 32767 * cs);
        const want = Math.max(-lim, Math.min(lim, s.forget[k] * prev[k] + s.input[k] * s.cell[k]));
        expect(Math.abs(s.cellState[k] - want)).toBeLessThanOrEqual(cs + 1e-9);
      }
      prev = s.cellState;
    }
  });

  it('float32: c = f c + i g and h = o tanh(c) to float32 rounding', () => {
    const { result } = run(FLOAT, true);
    const taps = result.gates![0];
    expect(taps.steps.length).toBe(28);
    let prev: Float32Array = new Float32Array(20);
    for (const s of taps.steps) {
      const h = hiddenRow(result, 1, 0, s.step, 20);
      for (let k = 0; k < 20; k++) {
        // rule: TFLM's float cell update and hidden state, computed here in double
        const c = Math.max(-10, Math.min(10, s.forget[k] * prev[k] + s.input[k] * s.cell[k]));
        expect(Math.abs(s.cellState[k] - c)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(c)));
        expect(Math.abs(h[k] - s.output[k] * Math.tanh(s.cellState[k]))).toBeLessThanOrEqual(1e-6);
      }
      prev = s.cellState;
    }
  });

  it('the taps only read: outputs equal a run without them; no gates unless asked', () => {
    const a = run(INT8, true).result;
    const b = run(INT8, false).result;
    // rule: recording the gates does not change any op output
    expect(b.layers.map((l) => Array.from(l.data as Int8Array))).toEqual(
      a.layers.map((l) => Array.from(l.data as Int8Array)),
    );
    expect(b.gates).toBeUndefined();
  });

  it('saturation per gate is a fraction of all activations', () => {
    const taps = run(INT8, true).result.gates![0];
    const sat = gateSaturation(taps);
    // rule: each fraction is the count of saturated activations over steps x units
    let forget = 0;
    for (const s of taps.steps) for (const v of s.forget) if (v < 0.01 || v > 0.99) forget++;
    expect(sat.forget).toBeCloseTo(forget / (28 * 20), 12);
    for (const v of Object.values(sat)) expect(v >= 0 && v <= 1).toBe(true);
  });
});
