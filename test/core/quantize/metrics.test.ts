/**
 * Model-level metrics (output-metrics.ts) against values worked out by hand, the classifier rule on
 * the fixtures, and the metrics in the JSON and HTML exports.
 */
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/index.ts';
import { classifierOutput, outputMetrics } from '../../../src-main/core/quantize/output-metrics.ts';
import { quantHtml } from '../../../src-main/core/report/quant-html.ts';
import { quantJson } from '../../../src-main/core/report/quant-json.ts';
import { DEFAULT_THRESHOLDS, type QuantizationReport } from '../../../src-main/core/report/quant-types.ts';
import { readFixture } from '../../helpers/fixtures.ts';

const f = [Float32Array.of(1, 2), Float32Array.of(3, 4)];
const q = [Float32Array.of(1, 2), Float32Array.of(3, 5)];
const META = { generatedAt: '2026-12-07T00:00:00Z', tool: 'test' };

describe('output metrics', () => {
  it('regression: RMSE, MAE, relative L2, cosine, SNR, NSE by hand; no top-1', () => {
    const m = outputMetrics(f, q);
    // rule: one error of 1 over 4 values: RMSE √(1/4), MAE 1/4
    expect(m.rmse).toBeCloseTo(0.5, 12);
    expect(m.mae).toBeCloseTo(0.25, 12);
    // rule: ‖f‖² = 30 → relative L2 √(1/30), SNR 10·log10(30 / 1) dB
    expect(m.relative_l2).toBeCloseTo(Math.sqrt(1 / 30), 12);
    expect(m.snr_db).toBeCloseTo(10 * Math.log10(30), 12);
    // rule: mean f = 2.5, Σ(f − 2.5)² = 5 → NSE 1 − 1/5
    expect(m.nse).toBeCloseTo(0.8, 12);
    // rule: cosine = f·q / (‖f‖‖q‖) = 34 / √(30 · 39)
    expect(m.cosine_similarity).toBeCloseTo(34 / Math.sqrt(30 * 39), 12);
    // rule: a regression output has no top-1 and no confusion matrix
    expect(m.task).toBe('regression');
    expect(m.top1_agreement).toBeUndefined();
    expect(m.confusion).toBeUndefined();
  });

  it('identical outputs: SNR +∞, NSE 1', () => {
    // rule: no error at all is infinite SNR and a perfect NSE
    const m = outputMetrics(f, f);
    expect(m.snr_db).toBe(Infinity);
    expect(m.nse).toBe(1);
    expect(m.rmse).toBe(0);
  });

  it('classifier: top-1 agreement and a confusion matrix against the float model or the labels', () => {
    const fl = [Float32Array.of(0.9, 0.1, 0), Float32Array.of(0.2, 0.7, 0.1), Float32Array.of(0.1, 0.2, 0.7)];
    const ql = [Float32Array.of(0.8, 0.2, 0), Float32Array.of(0.5, 0.4, 0.1), Float32Array.of(0.1, 0.2, 0.7)];
    const m = outputMetrics(fl, ql, undefined, { classifier: true });
    // rule: float top-1 = [0, 1, 2], quantized top-1 = [0, 0, 2] → 2 of 3 agree
    expect(m.top1_agreement).toBeCloseTo(2 / 3, 12);
    // rule: without labels the rows are the float model's top-1, the columns the quantized top-1
    expect(m.confusion).toEqual({
      rows: 'float',
      matrix: [
        [1, 0, 0],
        [1, 0, 0],
        [0, 0, 1],
      ],
    });
    const l = outputMetrics(fl, ql, [0, 1, 1]);
    // rule: labels make it a classifier; rows are the labels; accuracy of both models
    // (float top-1 [0, 1, 2] gets 2 of 3 right, quantized [0, 0, 2] 1 of 3)
    expect(l.task).toBe('classification');
    expect(l.confusion!.rows).toBe('label');
    expect(l.confusion!.matrix).toEqual([
      [1, 0, 0],
      [1, 0, 1],
      [0, 0, 0],
    ]);
    expect([l.accuracy_float, l.accuracy_int8]).toEqual([2 / 3, 1 / 3]);
  });

  it('the classifier rule: a SOFTMAX output with 2+ values is class scores, the rest regression', () => {
    // rule: SOFTMAX output (image_example1, rock_paper_scissors) → classifier
    expect(classifierOutput(readTflite(readFixture('float', 'image_example1.float32.tflite')))).toBe(true);
    expect(classifierOutput(readTflite(readFixture('float', 'rock_paper_scissors.float32.tflite')))).toBe(
      true,
    );
    // rule: LOGISTIC reconstruction (autoencoder) and a single value (hello_world's sin x) → regression
    expect(classifierOutput(readTflite(readFixture('float', 'autoencoder_example.float32.tflite')))).toBe(
      false,
    );
    expect(classifierOutput(readTflite(readFixture('float', 'hello_world_float.tflite')))).toBe(false);
    // rule: the rule looks through QUANTIZE/DEQUANTIZE (an int8 model with float I/O)
    expect(classifierOutput(readTflite(readFixture('models', 'rock_paper_scissors.tflite')))).toBe(true);
  });

  it('JSON and HTML exports carry the metrics, the precision plan and the raised bias scales', () => {
    const r: QuantizationReport = {
      model: 'm.int8.tflite',
      floatModel: 'm.tflite',
      samples: 2,
      thresholds: DEFAULT_THRESHOLDS,
      layers: [],
      outputs: outputMetrics(f, f, [1, 1]),
      advice: [],
      histograms: [],
      precision: [{ layer: 2, op: 'CONV_2D', name: 'conv', precision: 'float32' }],
      biasAdjustments: [
        {
          layer: 0,
          op: 'FULLY_CONNECTED',
          tensor: 'w',
          channel: 3,
          oldScale: 1e-11,
          newScale: 2e-7,
          weightRmse: 1e-9,
          weightRmseBefore: 1e-12,
          clampedBiasError: 0.5,
        },
      ],
    };
    const doc = JSON.parse(quantJson(r, META));
    // rule: JSON has every metric; an infinite SNR is written as null (JSON has no Infinity)
    expect(doc.outputs).toMatchObject({ task: 'classification', snr_db: null, nse: 1, top1_agreement: 1 });
    expect(doc.outputs.confusion.matrix).toEqual([
      [0, 0],
      [0, 2],
    ]);
    expect(doc.layer_precision).toEqual(r.precision);
    expect(doc.bias_scale_adjustments[0]).toMatchObject({
      layer: 0,
      channel: 3,
      oldScale: 1e-11,
      newScale: 2e-7,
    });
    const html = quantHtml(r, META);
    // rule: the HTML shows SNR, NSE, the confusion matrix, the float layer and the adjusted channel
    expect(html).toContain('SNR');
    expect(html).toContain('∞ dB');
    expect(html).toContain('NSE');
    expect(html).toContain('<h2>Confusion matrix</h2>');
    expect(html).toMatch(
      /<td>2<\/td><td class="l">CONV_2D<\/td><td class="l mono">conv<\/td><td class="l">float32/,
    );
    expect(html).toMatch(/Bias channels with a raised weight scale.*<td>3<\/td>/s);
  });
});
