/**
 * The bar on real models: our int8 model's output RMSE against the float model is no worse
 * than the official converter's int8 model on the same held-out data (the full table, including
 * rock_paper_scissors, comes from bench/quantize-accuracy.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Model } from '../../src-main/core/model/ir.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { dequantizedOutputs } from '../../src-main/core/quantize/io-convert.ts';
import { outputMetrics } from '../../src-main/core/quantize/output-metrics.ts';
import { quantizeWorkflow } from '../../src-main/core/quantize/pipeline.ts';
import { normalizationOf, normalizeSample } from '../../src-main/core/simulate/inputs/normalize.ts';
import { prepare } from '../../src-main/core/simulate/interpreter.ts';
import { BENCH_MODELS } from '../../bench/quantize-data.ts';
import { readFixture } from '../helpers/fixtures.ts';

const outputs = (m: Model, samples: Float32Array[][]) => dequantizedOutputs(prepare(m), samples);

describe('ours vs the official converter (output RMSE vs the float model)', () => {
  for (const [name, calibN, evalN] of [
    ['hello_world', 100, 200],
    ['image_example1', 48, 64],
    // Dense-only, ending in an int8 sigmoid (1/256 steps: a floor near 0.00113); per-tensor Dense
    // weights alone came out 0.2 % worse than official here, the per-channel candidate wins.
    ['autoencoder', 100, 200],
  ] as const) {
    it(`${name}: ours is no worse`, () => {
      const b = BENCH_MODELS.find((m) => m.name === name)!;
      const float = readTflite(readFixture('float', b.floats[0]));
      const official = readTflite(readFixture(...(b.official.split('/') as [string, string])));
      const norm = normalizationOf(float.parameters);
      const evalSet = b.samples(evalN, 2).map((x) => [norm ? normalizeSample(x, norm) : x]);
      const ours = quantizeWorkflow({ float, samples: b.samples(calibN, 1).map((x) => [x]) }).model;
      const ref = outputs(float, evalSet);
      const oursRmse = outputMetrics(ref, outputs(ours, evalSet)).rmse;
      const officialRmse = outputMetrics(ref, outputs(official, evalSet)).rmse;
      expect(oursRmse).toBeLessThanOrEqual(officialRmse);
    }, 180_000);
  }
});
