/**
 * int16x8 LSTM (issue 16): `--int16` on har_lstm.keras lowers each UNIDIRECTIONAL_SEQUENCE_LSTM the
 * way the converter's 16x8 mode does (int16 activations and hidden state, int8 weights with one
 * scale per tensor, int64 biases at input × weight scale, int16 cell state at a power-of-two scale,
 * op version 5); the model runs in the core and is closer to the float model than the int8 one on
 * held-out windows; an LSTM alone in int16 between int8 layers runs too (conversions at the seams).
 * Host vs virtual board bit-exactness: test/cli/lstm-int16.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import type { Model } from '../../../src-main/core/model/ir.ts';
import { kerasToTflite, readKeras3 } from '../../../src-main/core/model/keras/index.ts';
import { dequantizedOutputs } from '../../../src-main/core/quantize/io-convert.ts';
import { outputMetrics } from '../../../src-main/core/quantize/output-metrics.ts';
import { quantizeWorkflow, type QuantizeRequest } from '../../../src-main/core/quantize/pipeline.ts';
import { prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { harWindows } from './har-data.ts';

const keras = await readKeras3(readFixture('keras3', 'har_lstm.keras'));
const float = kerasToTflite(keras);
const calib = harWindows(24, 3);
const held = harWindows(24, 4);
const reference = dequantizedOutputs(prepare(float), held);
const quantize = (extra: Partial<QuantizeRequest> = {}) =>
  quantizeWorkflow({ float, keras, samples: calib, io: 'float32', method: 'minmax', ...extra });
const heldOut = (m: Model) => outputMetrics(reference, dequantizedOutputs(prepare(m), held));
const ops = (m: Model) => m.subgraphs[0].operators.map((o) => o.op);

describe('int16x8 LSTM (har_lstm.keras)', () => {
  const int8 = quantize();
  const int16 = quantize({ layers: { int16: 'all' } });

  it('--int16 all: every LSTM in the converter 16x8 layout, op version 5', () => {
    // rule: the whole network is int16x8, so only the float I/O edges convert
    expect(ops(int16.model)).toEqual([
      'QUANTIZE', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'STRIDED_SLICE',
      'FULLY_CONNECTED', 'SOFTMAX', 'DEQUANTIZE',
    ]); // prettier-ignore
    const sg = int16.model.subgraphs[0];
    const lstms = sg.operators.filter((o) => o.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM');
    expect(lstms).toHaveLength(2);
    for (const op of lstms) {
      const t = (i: number) => sg.tensors[op.inputs[i]];
      const out = sg.tensors[op.outputs[0]];
      // rule: op_version.cc writes 5 for int16 input/output with int8 weights
      expect(int16.model.operatorCodes[op.opcodeIndex].version).toBe(5);
      // rule: activations int16 symmetric; weights int8, one scale per tensor; biases int64; cell int16
      expect(t(0).dtype).toBe('int16');
      expect(t(0).quantization!.zeroPoint).toEqual([0]);
      expect(out.dtype).toBe('int16');
      expect(out.quantization!.zeroPoint).toEqual([0]);
      for (const w of [1, 2, 3, 4, 5, 6, 7, 8]) {
        expect(t(w).dtype).toBe('int8');
        expect(t(w).quantization!.scale).toHaveLength(1);
      }
      for (let g = 0; g < 4; g++) {
        const b = t(12 + g);
        expect(b.dtype).toBe('int64');
        // rule: bias scale = input scale × that gate's input-weight scale
        expect(b.quantization!.scale[0]).toBe(
          Math.fround(t(0).quantization!.scale[0] * t(1 + g).quantization!.scale[0]),
        );
      }
      // rule: the hidden state takes the output's parameters (the kernel copies h into the output)
      expect(t(18).dtype).toBe('int16');
      expect(t(18).quantization).toEqual(out.quantization);
      const cell = t(19);
      expect(cell.dtype).toBe('int16');
      expect(Number.isInteger(Math.log2(cell.quantization!.scale[0]))).toBe(true);
    }
    // rule: the report names the precision of every layer
    expect(int16.precision.filter((p) => p.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM')).toHaveLength(2);
    expect(int16.precision.every((p) => p.precision === 'int16')).toBe(true);
  });

  it('--int16 all is closer to the float model than int8 on held-out windows', () => {
    const a = heldOut(int8.model);
    const b = heldOut(int16.model);
    console.log(
      `har_lstm held-out (24 synthetic windows) output RMSE: int8 ${a.rmse.toPrecision(4)} (SNR ${a.snr_db.toFixed(2)} dB), ` +
        `int16x8 ${b.rmse.toPrecision(4)} (SNR ${b.snr_db.toFixed(2)} dB)`,
    );
    // rule: 16-bit activations lower the model-level error of the LSTM network
    expect(b.rmse).toBeLessThan(a.rmse);
    expect(b.snr_db).toBeGreaterThan(a.snr_db);
    // and per layer: each LSTM's accumulated error (float model vs quantized, at its output) is lower
    for (const name of ['lstm_1', 'lstm_2/sequence']) {
      const acc = (r: typeof int8) =>
        r.report.layers.find((l) => l.tensor_name.replace(/_int16$/, '') === name)!.accumulated_rmse;
      expect(acc(int16), name).toBeLessThan(acc(int8));
    }
  });

  it('one LSTM in int16 between int8 layers: QUANTIZE int8↔int16 at its edges, runs in the core', () => {
    const one = quantize({ layers: { int16: ['lstm_2/sequence'] } });
    const sg = one.model.subgraphs[0];
    const k = sg.operators.findIndex(
      (o) => o.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM' && sg.tensors[o.inputs[0]].dtype === 'int16',
    );
    // rule: the int16 LSTM is fed by a QUANTIZE int8→int16 and followed by one int16→int8
    expect(k).toBeGreaterThan(0);
    expect(sg.operators[k - 1].op).toBe('QUANTIZE');
    expect(sg.tensors[sg.operators[k - 1].inputs[0]].dtype).toBe('int8');
    expect(sg.operators[k + 1].op).toBe('QUANTIZE');
    expect(sg.tensors[sg.operators[k + 1].outputs[0]].dtype).toBe('int8');
    expect(ops(one.model).filter((o) => o === 'UNIDIRECTIONAL_SEQUENCE_LSTM')).toHaveLength(2);
    // rule: it runs in the core and stays close to the float model
    const m = heldOut(one.model);
    expect(m.rmse).toBeLessThan(0.02);
  });
});
