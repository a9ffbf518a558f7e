import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/index.ts';
import { kerasToTflite, readKerasH5 } from '../../../src-main/core/model/keras/index.ts';
import { parseNormalization, quantizeWorkflow } from '../../../src-main/core/quantize/index.ts';
import { readFixture } from '../../helpers/fixtures.ts';
import { loadTfliteWasm } from '../../helpers/tflite-wasm.ts';
import { augmentedPhotos } from './calibration-data.ts';

describe('quantize workflow', () => {
  it('rock_paper_scissors with int8 I/O: the model’s own normalization, a report, loads in TFLite', async () => {
    const float = readTflite(readFixture('float', 'rock_paper_scissors.float32.tflite'));
    const stages = new Set<string>();
    const out = quantizeWorkflow({
      float,
      samples: augmentedPhotos(84, 24, 11).map((x) => [x]), // raw pixels: the workflow normalizes
      io: 'int8',
      onProgress: (stage) => stages.add(stage),
    });
    expect([...stages].sort()).toEqual(['calibrate', 'report']);
    const reread = readTflite(out.bytes);
    const sg = reread.subgraphs[0];
    expect(sg.tensors[sg.inputs[0]].dtype).toBe('int8');
    expect(sg.operators.some((o) => o.op === 'QUANTIZE' || o.op === 'DEQUANTIZE')).toBe(false);
    expect(reread.parameters['samplewise_norm.mean_and_std']).toBe(true);
    expect(out.report.layers.map((r) => r.op_name)).toEqual(sg.operators.map((o) => o.op));
    expect(out.report.outputs.top1_agreement).toBeGreaterThanOrEqual(0.9);
    expect(out.report.outputs.cosine_similarity).toBeGreaterThan(0.99);
    expect(out.report.advice.filter((a) => a.kind === 'input_range')).toEqual([]);
    const run = await loadTfliteWasm(out.bytes);
    expect(run.inputs[0].dtype).toBe('int8');
    run.dispose();
  });

  it('Keras image_example1.h5 with --norm meanstd: parameters written, structure advice given', async () => {
    const keras = await readKerasH5(readFixture('float', 'image_example1.h5'));
    const out = quantizeWorkflow({
      float: kerasToTflite(keras),
      keras,
      samples: augmentedPhotos(96, 24, 2).map((x) => [x]),
      norm: parseNormalization('meanstd'),
      method: 'mse',
      fcPerTensor: true,
    });
    expect(out.method).toBe('mse');
    // Method and Dense granularity both fixed: one candidate, and the Dense weights are per tensor.
    expect(Object.keys(out.scores)).toEqual(['mse']);
    expect(out.fcPerTensor).toBe(true);
    const sg = out.model.subgraphs[0];
    const dense = sg.operators.filter((o) => o.op === 'FULLY_CONNECTED');
    expect(dense.length).toBeGreaterThan(0);
    for (const op of dense) expect(sg.tensors[op.inputs[1]].quantization!.scale).toHaveLength(1);
    expect(readTflite(out.bytes).parameters['samplewise_norm.mean_and_std']).toBe(true);
    expect(out.report.advice.filter((a) => a.kind === 'no_normalization').map((a) => a.layer)).toEqual([
      'conv2d',
      'conv2d_1',
    ]);
    expect(out.report.csv.split('\n')[0].split(',')).toHaveLength(12);
  });

  it('can be cancelled', () => {
    const float = readTflite(readFixture('float', 'image_example1.float32.tflite'));
    let polls = 0;
    expect(() =>
      quantizeWorkflow({
        float,
        samples: augmentedPhotos(96, 8, 2).map((x) => [x]),
        isCancelled: () => ++polls > 3,
      }),
    ).toThrow(/cancelled/);
  });
});
