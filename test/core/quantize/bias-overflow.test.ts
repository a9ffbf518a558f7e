/**
 * Bias overflow: a layer whose channels have near-zero weights and a large bias cannot store
 * bias / (s_in · s_w[c]) in int32. The quantizer raises those channels' weight scales until the
 * bias fits (as the TFLite converter does), reports the channels, and the result is no worse than
 * the same model with those channels' biases clamped to int32 by hand.
 */
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../../../src-main/core/model/tflite-writer.ts';
import { fitBiasScales } from '../../../src-main/core/quantize/bias-fit.ts';
import { quantizeWorkflow } from '../../../src-main/core/quantize/index.ts';
import { dequantizedOutputs } from '../../../src-main/core/quantize/io-convert.ts';
import { outputMetrics } from '../../../src-main/core/quantize/output-metrics.ts';
import { INT32_MAX, roundHalfAway } from '../../../src-main/core/quantize/params.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { DEAD, deadChannelModel, IN, samples } from './dead-channel-model.ts';

describe('bias overflow', () => {
  it('raises the weight scale of the dead channels, reports them, and beats clamping the bias by hand', () => {
    const { model: float, weights, bias } = deadChannelModel();
    const out = quantizeWorkflow({
      float,
      samples: samples(32, 1),
      io: 'float32',
      method: 'minmax',
      fcPerTensor: false,
    });
    // rule: the report names exactly the overflowing channels, with old < new scale
    expect(out.biasAdjustments.map((a) => [a.layer, a.op, a.channel])).toEqual(
      DEAD.map((c) => [0, 'FULLY_CONNECTED', c]),
    );
    const sg = out.model.subgraphs[0];
    const fc = sg.operators.find((o) => o.op === 'FULLY_CONNECTED')!;
    const [x, w, b] = fc.inputs.map((i) => sg.tensors[i]);
    const sIn = x.quantization!.scale[0];
    for (const a of out.biasAdjustments) {
      expect(a.newScale).toBeGreaterThan(a.oldScale);
      // rule: the stored bias at the new scale fits int32 and equals round(b / (s_in · s_w))
      expect(w.quantization!.scale[a.channel]).toBe(a.newScale);
      const stored = new Int32Array(b.data!.slice().buffer)[a.channel];
      expect(stored).toBe(roundHalfAway(bias[a.channel] / (sIn * a.newScale)));
      // the old scale is what max|w|/127 gives: the bias really overflowed there
      expect(Math.abs(bias[a.channel] / (sIn * a.oldScale))).toBeGreaterThan(INT32_MAX);
      expect(a.clampedBiasError).toBeGreaterThan(0.4);
    }

    // the same model with the dead channels at their old scale and the bias clamped, by hand
    const clamped = structuredClone(out.model);
    const csg = clamped.subgraphs[0];
    const [, cw, cb] = csg.operators
      .find((o) => o.op === 'FULLY_CONNECTED')!
      .inputs.map((i) => csg.tensors[i]);
    const wq = new Int8Array(cw.data!.slice().buffer);
    const bq = new Int32Array(cb.data!.slice().buffer);
    for (const a of out.biasAdjustments) {
      const c = a.channel;
      cw.quantization!.scale[c] = a.oldScale;
      cb.quantization!.scale[c] = Math.fround(sIn * a.oldScale);
      for (let i = 0; i < IN; i++)
        wq[c * IN + i] = Math.max(-127, Math.min(127, roundHalfAway(weights[c * IN + i] / a.oldScale)));
      bq[c] = Math.max(-INT32_MAX - 1, Math.min(INT32_MAX, roundHalfAway(bias[c] / (sIn * a.oldScale))));
    }
    cw.data = new Uint8Array(wq.buffer);
    cb.data = new Uint8Array(bq.buffer);
    clamped.buffers[cw.buffer] = cw.data;
    clamped.buffers[cb.buffer] = cb.data;

    const held = samples(40, 99);
    const ref = dequantizedOutputs(prepare(float), held);
    const fitted = outputMetrics(ref, dequantizedOutputs(prepare(out.model), held));
    const byHand = outputMetrics(ref, dequantizedOutputs(prepare(readTflite(writeTflite(clamped))), held));
    console.log(
      `bias overflow: output RMSE with raised scales ${fitted.rmse.toPrecision(4)}, with clamped biases ${byHand.rmse.toPrecision(4)}`,
    );
    // rule: raising the scale is no worse than clamping (here far better: the clamp loses the bias)
    expect(fitted.rmse).toBeLessThanOrEqual(byHand.rmse);
    expect(fitted.rmse).toBeLessThan(0.05);
  });

  it('fitBiasScales: the smallest float32 scale whose rounded bias fits, per channel or per tensor', () => {
    // rule: |round(b / (s_in · s))| <= limit after the raise, and channels that fit keep their scale
    const fit = fitBiasScales(Float32Array.of(1, 0.001), 0.01, [1e-12, 0.5], 2147483647);
    expect(fit.raised).toEqual([0]);
    expect(fit.scales[1]).toBe(0.5);
    expect(Math.abs(Math.round(1 / (0.01 * fit.scales[0])))).toBeLessThanOrEqual(2147483647);
    expect(fit.scales[0]).toBeLessThan(1e-7 * 1.001);
    // per-tensor: the single scale is raised for the overflowing channel
    const one = fitBiasScales(Float32Array.of(0.1, 5), 0.01, [1e-12], 2147483647);
    expect(one.raised).toEqual([0, 1]);
    expect(Math.abs(5 / (0.01 * one.scales[0]))).toBeLessThanOrEqual(2147483647.5);
  });
});
