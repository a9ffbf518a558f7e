/**
 * Keras 3 `.keras` → full-integer int8 through the existing quantize pipeline, run on the WASM
 * core. kws_cnn: our float conversion equals the official float32 TFLite on the 8 shipped MFCC
 * samples, and our int8's error against the float model is no worse than the official int8's.
 */
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import type { Model } from '../../../src-main/core/model/ir.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { kerasToTflite, readKeras3 } from '../../../src-main/core/model/keras/index.ts';
import { dequantizedOutputs } from '../../../src-main/core/quantize/io-convert.ts';
import { quantizeWorkflow } from '../../../src-main/core/quantize/pipeline.ts';
import { parseNpy } from '../../../src-main/core/simulate/inputs/npy.ts';
import { prepare } from '../../../src-main/core/simulate/interpreter.ts';

const KWS_SAMPLES = ['_silence_', '_unknown_', 'down', 'left', 'off', 'on', 'right', 'up'];

function kwsSamples(): Float32Array[][] {
  return KWS_SAMPLES.map((k) => {
    const a = parseNpy(readFixture('keras3', 'kws_cnn_samples', `sample_mfcc_${k}.npy`));
    expect(a.shape).toEqual([13, 100, 1]);
    return [Float32Array.from(a.data as Float32Array)];
  });
}

const outputs = (m: Model, samples: Float32Array[][]) => dequantizedOutputs(prepare(m), samples);

/** RMSE over every output value of every sample, and how many samples keep the float top-1. */
function error(ref: Float32Array[], got: Float32Array[]): { rmse: number; top1: number } {
  let sq = 0;
  let n = 0;
  let top1 = 0;
  const argmax = (a: Float32Array) => a.indexOf(Math.max(...a));
  ref.forEach((r, s) => {
    for (let i = 0; i < r.length; i++) ((sq += (r[i] - got[s][i]) ** 2), n++);
    if (argmax(r) === argmax(got[s])) top1++;
  });
  return { rmse: Math.sqrt(sq / n), top1 };
}

/** Every tensor an op reads or writes, other than int32 biases and shapes, is int8. */
function fullInteger(m: Model): string[] {
  const sg = m.subgraphs[0];
  const bad = new Set<string>();
  for (const op of sg.operators)
    for (const t of [...op.inputs, ...op.outputs].filter((i) => i >= 0).map((i) => sg.tensors[i]))
      if (t.dtype !== 'int8' && t.dtype !== 'int32') bad.add(`${op.op}: ${t.name} ${t.dtype}`);
  return [...bad];
}

describe('Keras 3 kws_cnn quantized by QuantScope vs the official int8 TFLite', () => {
  // Rule: the .keras float model converts to the same network as the official float32 TFLite
  // (outputs equal within float rounding on the real samples).
  it('float conversion matches the official float32 TFLite on the 8 MFCC samples', async () => {
    const samples = kwsSamples();
    const ours = outputs(kerasToTflite(await readKeras3(readFixture('keras3', 'kws_cnn.keras'))), samples);
    const official = outputs(readTflite(readFixture('keras3', 'kws_cnn_float32.tflite')), samples);
    let worst = 0;
    ours.forEach((o, s) => o.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - official[s][i])))));
    expect(worst).toBeLessThan(1e-5);
  });

  // Rule: our full-integer int8 (int8 I/O like the official one) runs on the core, and its output
  // RMSE against the float model on the 8 shipped samples is no worse than the official int8's.
  it('int8 error vs float is no worse than the official int8 model', async () => {
    const samples = kwsSamples();
    const keras = await readKeras3(readFixture('keras3', 'kws_cnn.keras'));
    const float = kerasToTflite(keras);
    const q = quantizeWorkflow({ float, keras, samples, io: 'int8' });
    expect(fullInteger(q.model)).toEqual([]);
    const ref = outputs(float, samples);
    const ours = error(ref, outputs(q.model, samples));
    const official = error(ref, outputs(readTflite(readFixture('keras3', 'kws_cnn_int8.tflite')), samples));
    console.log(
      `kws_cnn int8 vs float, 8 MFCC samples: ours RMSE ${ours.rmse.toFixed(6)} (top-1 kept ${ours.top1}/8, ${q.method}), ` +
        `official RMSE ${official.rmse.toFixed(6)} (top-1 kept ${official.top1}/8)`,
    );
    expect(ours.rmse).toBeLessThanOrEqual(official.rmse);
    expect(ours.top1).toBeGreaterThanOrEqual(official.top1);
  });
});
