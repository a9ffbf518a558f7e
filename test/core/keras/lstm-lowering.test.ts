/**
 * Keras LSTM → UNIDIRECTIONAL_SEQUENCE_LSTM on har_lstm.keras (two LSTM layers of 32, the first
 * returning sequences, then Dense softmax): the float32 conversion against Keras' own LSTM maths
 * and against TensorFlow Lite itself, then full-integer int8 (int16 cell state) through the
 * quantize workflow, run on the WASM core.
 */
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { loadTfliteWasm } from '../../helpers/tflite-wasm.ts';
import type { Model } from '../../../src-main/core/model/ir.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { writeTflite } from '../../../src-main/core/model/tflite-writer.ts';
import { kerasToTflite, readKeras3, type KerasModel } from '../../../src-main/core/model/keras/index.ts';
import { dequantizedOutputs } from '../../../src-main/core/quantize/io-convert.ts';
import { cellStateScale } from '../../../src-main/core/quantize/lstm-quant.ts';
import { quantizeWorkflow } from '../../../src-main/core/quantize/pipeline.ts';
import { prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { harWindows, kerasLstm } from './har-data.ts';

const har = () => readKeras3(readFixture('keras3', 'har_lstm.keras'));
const outputs = (m: Model, samples: Float32Array[][]) => dequantizedOutputs(prepare(m), samples);
const argmax = (a: ArrayLike<number>) => Array.prototype.indexOf.call(a, Math.max(...Array.from(a)));

/** har_lstm in float64 from the Keras weights: LSTM, LSTM (last step), Dense softmax. */
function kerasReference(k: KerasModel, x: Float32Array): Float64Array {
  const w = (layer: string) => k.weights.get(layer)!.map((v) => v.data);
  const [k1, r1, b1] = w('lstm_1');
  const [k2, r2, b2] = w('lstm_2');
  const [kd, bd] = w('output');
  const s1 = kerasLstm(x, 128, 9, k1, r1, b1, 32);
  const s2 = kerasLstm(s1, 128, 32, k2, r2, b2, 32);
  const h = s2.subarray(127 * 32);
  const logits = Array.from({ length: 6 }, (_, j) => h.reduce((a, v, d) => a + v * kd[d * 6 + j], bd[j]));
  const e = logits.map((v) => Math.exp(v - Math.max(...logits)));
  return Float64Array.from(e, (v) => v / e.reduce((a, b) => a + b, 0));
}

describe('Keras LSTM lowered to UNIDIRECTIONAL_SEQUENCE_LSTM (har_lstm.keras)', () => {
  // Rule: an LSTM becomes the fused op TFLite Micro runs (24 inputs in TFLite's layout, state as
  // variable tensors, gate weights [units, depth] in order i, f, c, o); return_sequences false keeps
  // the last step with a STRIDED_SLICE; the float32 model equals Keras' LSTM maths.
  it('float32 conversion: op layout, and outputs equal Keras LSTM maths within 1e-5', async () => {
    const k = await har();
    const m = kerasToTflite(k);
    const sg = m.subgraphs[0];
    expect(sg.operators.map((o) => o.op)).toEqual([
      'UNIDIRECTIONAL_SEQUENCE_LSTM', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'STRIDED_SLICE', 'FULLY_CONNECTED', 'SOFTMAX',
    ]); // prettier-ignore
    const lstm = sg.operators[0];
    expect(lstm.inputs).toHaveLength(24);
    expect([9, 10, 11, 16, 17, 20, 21, 22, 23].map((i) => lstm.inputs[i])).toEqual(Array(9).fill(-1));
    expect([1, 5, 12].map((i) => sg.tensors[lstm.inputs[i]].shape)).toEqual([[32, 9], [32, 32], [32]]);
    expect(
      [18, 19].map((i) => [sg.tensors[lstm.inputs[i]].isVariable, sg.tensors[lstm.inputs[i]].shape]),
    ).toEqual([
      [true, [1, 32]],
      [true, [1, 32]],
    ]);
    expect(lstm.options).toMatchObject({ fused_activation_function: 'TANH', time_major: false });
    const samples = harWindows(6, 1);
    const got = outputs(m, samples);
    let worst = 0;
    samples.forEach(([x], s) => {
      const ref = kerasReference(k, x);
      ref.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - got[s][i]))));
    });
    console.log(
      `har_lstm float32 (core) vs Keras LSTM maths, 6 windows: max |diff| ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-5);
  });

  // Rule: the converted float model is valid TFLite: TensorFlow Lite itself runs it to the same outputs.
  it('float32 conversion runs in TensorFlow Lite to the core outputs (within 2e-4)', async () => {
    const m = kerasToTflite(await har());
    const samples = harWindows(3, 2);
    const core = outputs(m, samples);
    const lite = await loadTfliteWasm(writeTflite(m));
    let worst = 0;
    samples.forEach((s, n) => {
      const o = lite.predict(s)[0] as Float32Array;
      o.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - core[n][i]))));
    });
    lite.dispose();
    // desktop TFLite's float LSTM uses its own vectorized sigmoid/tanh (5.1e-5 seen); the core
    // equals the float64 Keras maths to 1e-7 (test above)
    expect(worst).toBeLessThan(2e-4);
  });

  // Rule: int8 LSTM as TFLite's full-integer quantization: int8 I/O and weights (one scale per
  // gate tensor), int32 biases at input × weight scale, int8 hidden state at the output's
  // parameters, int16 cell state with a power-of-two scale; it runs on the core close to float.
  it('int8: full-integer layout and top-1 agreement with the float model', async () => {
    const keras = await har();
    const float = kerasToTflite(keras);
    const calib = harWindows(24, 3);
    const held = harWindows(24, 4);
    const q = quantizeWorkflow({ float, keras, samples: calib, io: 'int8' });
    const sg = q.model.subgraphs[0];
    const lstms = sg.operators.filter((o) => o.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM');
    expect(lstms).toHaveLength(2);
    for (const op of lstms) {
      const t = (i: number) => sg.tensors[op.inputs[i]];
      expect([0, 1, 5, 12, 18, 19].map((i) => t(i).dtype)).toEqual([
        'int8',
        'int8',
        'int8',
        'int32',
        'int8',
        'int16',
      ]);
      expect(t(1).quantization!.scale).toHaveLength(1);
      expect(t(12).quantization!.scale[0]).toBe(
        Math.fround(t(0).quantization!.scale[0] * t(1).quantization!.scale[0]),
      );
      expect(t(18).quantization).toEqual(sg.tensors[op.outputs[0]].quantization);
      const cell = t(19).quantization!;
      expect(Number.isInteger(Math.log2(cell.scale[0]))).toBe(true);
      expect(cell.zeroPoint[0]).toBe(0);
    }
    const ref = outputs(float, held);
    const got = outputs(q.model, held);
    const top1 = ref.filter((r, s) => argmax(r) === argmax(got[s])).length;
    let sq = 0;
    ref.forEach((r, s) => r.forEach((v, i) => (sq += (v - got[s][i]) ** 2)));
    const rmse = Math.sqrt(sq / (ref.length * 6));
    const classes = new Set(ref.map(argmax)).size;
    const cells = lstms.map((op) => sg.tensors[op.inputs[19]].quantization!.scale[0]);
    console.log(
      `har_lstm int8 vs float, 24 held-out synthetic windows: top-1 kept ${top1}/24 (float predicts ${classes} classes), probability RMSE ${rmse.toFixed(4)}, ` +
        `cell-state scales ${cells.map((c) => `2^${Math.log2(c)}`).join(', ')}, ${q.method}`,
    );
    expect(classes).toBeGreaterThan(1);
    expect(top1).toBeGreaterThanOrEqual(23);
    expect(rmse).toBeLessThan(0.02);
  });

  // Rule: the int8 LSTM layout is the TFLite converter's: quantizing TFLM's float mnist_lstm gives
  // the official int8 file's tensor types and the same eight gate-weight scales exactly (one per
  // tensor), biases at input × weight scale, the hidden state at the output's parameters.
  it("mnist_lstm float → int8 has the official int8 model's LSTM layout", () => {
    const field = (f: string) =>
      readTflite(
        readFixture('field', 'models', `tensorflow__tensorflow_lite_micro_examples_mnist_lstm_${f}.tflite`),
      );
    const float = field('trained_lstm');
    const official = field('trained_lstm_int8');
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    // sparse strokes in [0, 1] with a full-intensity pixel, as MNIST digits scaled by 1/255
    const samples = Array.from({ length: 12 }, () => [
      Float32Array.from({ length: 28 * 28 }, (_, i) => (i === 400 ? 1 : rand() < 0.2 ? rand() : 0)),
    ]);
    const q = quantizeWorkflow({ float, samples, io: 'int8' });
    const lstmOf = (m: Model) => {
      const sg = m.subgraphs[0];
      const op = sg.operators.find((o) => o.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM')!;
      return {
        t: (k: number) => (op.inputs[k] < 0 ? null : sg.tensors[op.inputs[k]]),
        out: sg.tensors[op.outputs[0]],
      };
    };
    const ours = lstmOf(q.model);
    const theirs = lstmOf(official);
    for (let k = 0; k < 24; k++) expect(ours.t(k)?.dtype, `input ${k}`).toBe(theirs.t(k)?.dtype);
    for (let k = 1; k <= 8; k++)
      expect(ours.t(k)!.quantization!.scale).toEqual(theirs.t(k)!.quantization!.scale);
    expect(ours.t(0)!.quantization).toEqual(theirs.t(0)!.quantization); // [0, 1] → 1/255, −128
    for (let g = 0; g < 4; g++)
      expect(ours.t(12 + g)!.quantization!.scale[0]).toBe(
        Math.fround(ours.t(0)!.quantization!.scale[0] * ours.t(1 + g)!.quantization!.scale[0]),
      );
    expect(ours.t(18)!.quantization).toEqual(ours.out.quantization);
    expect(ours.t(19)!.quantization!.zeroPoint).toEqual([0]);
    const ref = outputs(float, samples);
    const got = outputs(q.model, samples);
    expect(ref.filter((r, s) => argmax(r) === argmax(got[s])).length).toBeGreaterThanOrEqual(11);
  });

  // Rule: the cell-state scale is the smallest power of two whose int16 range covers max |c|.
  it('cell-state scale is 2^ceil(log2 max|c|) / 2^15', () => {
    expect(cellStateScale(1)).toBe(2 ** -15);
    expect(cellStateScale(1.01)).toBe(2 ** -14);
    expect(cellStateScale(7.9)).toBe(2 ** -12);
    expect(cellStateScale(10)).toBe(2 ** -11);
  });
});
