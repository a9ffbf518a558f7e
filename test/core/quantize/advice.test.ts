import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/index.ts';
import { flattenKeras, readKerasH5 } from '../../../src-main/core/model/keras/index.ts';
import { normalizationOf, normalizeSample } from '../../../src-main/core/simulate/inputs/normalize.ts';
import {
  inputAdvice,
  inputStats,
  layerAdvice,
  layerErrors,
  outputMetrics,
  structureAdvice,
} from '../../../src-main/core/quantize/index.ts';
import { readFixture } from '../../helpers/fixtures.ts';
import { buildH5, sequential } from '../keras/h5-builder.ts';
import { augmentedPhotos } from './calibration-data.ts';

describe('whole-model output metrics', () => {
  it('matches hand-computed values', () => {
    const f = [Float32Array.of(1, 0, 0), Float32Array.of(0, 2, 0)];
    const q = [Float32Array.of(0.5, 0, 0.5), Float32Array.of(0, 2, 0)];
    const m = outputMetrics(f, q, [0, 2]);
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.5 / 6), 12);
    expect(m.mae).toBeCloseTo(1 / 6, 12);
    expect(m.relative_l2).toBeCloseTo(Math.sqrt(0.5 / 5), 12);
    expect(m.cosine_similarity).toBeCloseTo(4.5 / Math.sqrt(5 * 4.5), 12);
    // Sample 0: argmax 0 vs 0 (tie broken low) agrees; sample 1 agrees.
    expect(m.top1_agreement).toBe(1);
    expect([m.accuracy_float, m.accuracy_int8]).toEqual([0.5, 0.5]);
    expect(() => outputMetrics(f, q.slice(1))).toThrow(/same non-zero number/);
  });
});

describe('advice', () => {
  it('flags real layers of image_example1 over the thresholds, linked to the op', () => {
    const float = readTflite(readFixture('float', 'image_example1.float32.tflite'));
    const int8 = readTflite(readFixture('float', 'image_example1.int8.tflite'));
    const norm = normalizationOf(float.parameters)!;
    const samples = augmentedPhotos(96, 4, 3).map((x) => [normalizeSample(x, norm)]);
    const rows = layerErrors(int8, float, samples);
    const flagged = layerAdvice(rows);
    const bad = rows.filter((r) => r.rmse_over_scale > 0.7);
    expect(bad.length).toBeGreaterThan(0);
    expect(flagged.filter((a) => a.kind === 'rmse_over_scale').map((a) => a.layer)).toEqual(
      bad.map((r) => r.op_index),
    );
    expect(flagged.every((a) => a.kind !== 'range')).toBe(rows.every((r) => r.range <= 255));
    // rule: a badly quantizing layer offers int16 only where the op has an int16x8 kernel, and always
    // float; the layer is named as the report names it (what --int16/--keep-float take)
    for (const a of flagged.filter((x) => x.kind === 'rmse_over_scale')) {
      const row = rows.find((r) => r.op_index === a.layer)!;
      const kinds = (a.actions ?? []).map((x) =>
        x.kind === 'layers' ? (x.int16 ? 'int16' : 'float') : x.kind,
      );
      expect(kinds).toEqual(
        row.op_name === 'CONV_2D' || row.op_name === 'FULLY_CONNECTED' ? ['int16', 'float'] : kinds,
      );
      expect(kinds.at(-1)).toBe('float');
      for (const x of a.actions ?? [])
        if (x.kind === 'layers')
          expect([...(x.int16 ?? []), ...(x.keepFloat ?? [])]).toEqual([row.tensor_name]);
    }
    const strict = layerAdvice(rows, { range: 10, rmseOverScale: 100 });
    expect(strict.map((a) => a.layer)).toEqual(rows.filter((r) => r.range > 10).map((r) => r.op_index));
  });

  it('tells raw pixels to normalize and leaves normalized data alone', () => {
    const raw = augmentedPhotos(96, 4, 3);
    const [a] = inputAdvice('conv2d_input', inputStats(raw));
    expect(a.kind).toBe('input_range');
    expect(a.message).toMatch(/--norm meanstd/);
    expect(a.message).toMatch(/rescale:255/);
    // rule: the advice carries the change that applies it — the same normalizations, as --norm values
    expect(a.actions?.map((x) => (x.kind === 'norm' ? x.norm : ''))).toEqual(['meanstd', 'rescale:255']);
    const norm = raw.map((x) => normalizeSample(x, { rescale: 0, meanAndStd: true }));
    const s = inputStats(norm);
    expect(s.mean).toBeCloseTo(0, 5);
    // mean/std-normalized data reaches past ±1 but is centred with unit spread: no advice.
    expect(inputAdvice('x', s)).toEqual([]);
    expect(inputAdvice('x', { min: -1, max: 1, mean: 0, std: 0.5 })).toEqual([]);
    const wide = inputAdvice('x', { min: -50, max: 50, mean: 0, std: 20 })[0];
    expect(wide.message).toMatch(/--norm rescale:50/);
    expect(wide.actions).toEqual([
      { kind: 'norm', norm: 'rescale:50', label: 'Re-quantize with input ÷ 50' },
    ]);
  });

  it('reads the float structure of the Keras fixtures', async () => {
    const kinds = async (name: string) => {
      const m = await readKerasH5(readFixture('float', `${name}.h5`));
      const g = flattenKeras(m.config);
      return structureAdvice(g.nodes, g.outputs).map((a) => `${a.kind}:${a.layer}`);
    };
    // image_example1: conv2d/conv2d_1 apply relu with no BN; conv2d_2 → BN → relu is the good
    // pattern; dense → softmax is a classifier head.
    expect(await kinds('image_example1')).toEqual(['no_normalization:conv2d', 'no_normalization:conv2d_1']);
    expect(await kinds('rock_paper_scissors')).toEqual([
      'no_normalization:conv2d',
      'no_normalization:conv2d_1',
      'no_normalization:conv2d_2',
      'no_normalization:dense',
    ]);
  });

  it('spots an activation before BatchNorm and LayerNorm after an activation', async () => {
    const config = sequential('bad_order', [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 4], name: 'in' } },
      { class_name: 'Dense', config: { name: 'd1', units: 4, activation: 'linear' } },
      { class_name: 'ReLU', config: { name: 'r1' } },
      { class_name: 'BatchNormalization', config: { name: 'bn', axis: [1] } },
      { class_name: 'Dense', config: { name: 'd2', units: 4, activation: 'relu' } },
      { class_name: 'LayerNormalization', config: { name: 'ln', axis: [1] } },
      { class_name: 'Dense', config: { name: 'out', units: 2, activation: 'softmax' } },
    ]);
    const m = await readKerasH5(await buildH5({ model_config: config }));
    const g = flattenKeras(m.config);
    const advice = structureAdvice(g.nodes, g.outputs);
    expect(advice.map((a) => `${a.kind}:${a.layer}`)).toEqual([
      'no_normalization:d1',
      'activation_before_bn:bn',
      'no_normalization:d2',
      'layernorm_after_activation:ln',
    ]);
  });
});
