/**
 * The graph's rmse/scale overlay (issue 19 item 6): the model's quantization report drawn per layer,
 * its rows placed on the shown graph by output tensor name (else by op index with the same op).
 */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../src-main/core/model/summary.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import type { LayerErrorRow, QuantizationReport } from '../../src-main/shared/api.ts';
import { buildOverlay } from '../../src-renderer/lib/graph-overlay.ts';
import { readFixture } from '../helpers/fixtures.ts';

// image_example1: the float model and its int8 conversion share output tensor names
const floatSummary = summarize(readTflite(readFixture('float', 'image_example1.float32.tflite')));
const speech = summarize(readTflite(readFixture('models', 'micro_speech_quantized.tflite')));

function report(rows: Partial<LayerErrorRow>[]): QuantizationReport {
  return {
    model: 'image_example1.int8.tflite',
    thresholds: { rmseOverScale: 0.7, range: 255 },
    layers: rows.map((r) => ({ dtype: 'int8', ...r }) as LayerErrorRow),
  } as QuantizationReport;
}

const src = (quant: { report: QuantizationReport; label: string } | null, summary = floatSummary) => ({
  summary,
  compare: null,
  simulate: null,
  quant,
});

describe('rmse/scale overlay', () => {
  it('says there is no report yet', () => {
    // rule: an overlay without data says why instead of drawing nothing
    const o = buildOverlay('rmse', src(null));
    expect(o.values.size).toBe(0);
    expect(o.empty).toMatch(/No quantization report for this model yet/);
  });

  it('places rows by output tensor name, whatever their op index', () => {
    const names = floatSummary.layers.map((l) => l.outputs[0].name);
    // rule: a row goes to the layer whose output tensor has its name (index deliberately wrong)
    const rows = names.map((n, i) => ({
      tensor_name: n,
      op_index: 99 + i,
      op_name: 'X',
      rmse_over_scale: 0.1 * (i + 1),
    }));
    const o = buildOverlay('rmse', src({ report: report(rows), label: 'quantized · minmax' }));
    expect([...o.values.entries()]).toEqual(floatSummary.layers.map((l, i) => [l.index, 0.1 * (i + 1)]));
    expect([o.min, o.max]).toEqual([0.1, 0.1 * names.length]);
    // rule: the legend names where the numbers come from and the flag threshold
    expect(o.source).toBe('quantized · minmax; MLTK flags above 0.7');
    expect(o.format(0.123456)).toBe('0.123');
  });

  it('falls back to the op index only when the op is the same; skips int16/float rows', () => {
    const rows = [
      { tensor_name: 'not-in-graph', op_index: 1, op_name: speech.layers[1].op, rmse_over_scale: 0.5 },
      { tensor_name: 'not-in-graph', op_index: 2, op_name: 'CONV_2D', rmse_over_scale: 0.9 },
      {
        tensor_name: speech.layers[3].outputs[0].name,
        op_index: 3,
        op_name: 'SOFTMAX',
        dtype: 'int16',
        rmse_over_scale: 4,
      },
    ];
    const o = buildOverlay('rmse', src({ report: report(rows), label: 'x' }, speech));
    // rule: index 1 has the row's op; index 2 is not a CONV_2D; an int16 row is not judged by the int8 rule
    expect([...o.values.entries()]).toEqual([[1, 0.5]]);
  });

  it("says so when the report's layers are not this graph's", () => {
    const o = buildOverlay(
      'rmse',
      src({
        report: report([{ tensor_name: 'elsewhere', op_index: 40, op_name: 'ADD', rmse_over_scale: 1 }]),
        label: 'x',
      }),
    );
    expect(o.values.size).toBe(0);
    expect(o.empty).toMatch(/not this graph's/);
  });
});
