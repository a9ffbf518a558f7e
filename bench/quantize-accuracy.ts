/**
 * Our int8 models vs the official converter's, on the same data: output RMSE (and cosine, top-1
 * agreement) of each int8 model against its float model. Calibration: 100 samples (seed 1);
 * evaluation: 200 other samples (seed 2). Inputs are normalized as each model's parameters say.
 * Run: node bin/run-ts.mjs bench/quantize-accuracy.ts [--json]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Model } from '../src-main/core/model/ir.ts';
import { readTflite } from '../src-main/core/model/tflite-reader.ts';
import { dequantizedOutputs } from '../src-main/core/quantize/io-convert.ts';
import { outputMetrics, type OutputMetrics } from '../src-main/core/quantize/output-metrics.ts';
import { quantizeWorkflow } from '../src-main/core/quantize/pipeline.ts';
import { normalizationOf, normalizeSample } from '../src-main/core/simulate/inputs/normalize.ts';
import { prepare } from '../src-main/core/simulate/interpreter.ts';
import { kwsFixture } from './keras3-data.ts';
import { BENCH_MODELS } from './quantize-data.ts';

const FIXTURES = process.env.QS_FIXTURES ?? resolve(import.meta.dirname, '../../shared/fixtures');
const read = (p: string) => readTflite(new Uint8Array(readFileSync(resolve(FIXTURES, p))));

const outputs = (m: Model, samples: Float32Array[][]) => dequantizedOutputs(prepare(m), samples);

const rows: {
  model: string;
  classifier: boolean;
  ours: OutputMetrics;
  official: OutputMetrics;
  method: string;
}[] = [];
for (const b of BENCH_MODELS) {
  const float = read(`float/${b.floats[0]}`);
  const official = read(b.official);
  const norm = normalizationOf(float.parameters);
  const prep = (xs: Float32Array[]) => xs.map((x) => [norm ? normalizeSample(x, norm) : x]);
  const calib = b.samples(100, 1).map((x) => [x]);
  const evalSet = prep(b.samples(200, 2));
  const ref = outputs(float, evalSet);
  const q = quantizeWorkflow({ float, samples: calib });
  rows.push({
    model: b.name,
    classifier: b.classifier,
    ours: outputMetrics(ref, outputs(q.model, evalSet), undefined, { classifier: b.classifier }),
    official: outputMetrics(ref, outputs(official, evalSet), undefined, { classifier: b.classifier }),
    method: q.fcPerTensor ? `${q.method}, per-tensor Dense` : q.method,
  });
}

// Keras 3 kws_cnn.keras vs its official int8 TFLite on the 8 MFCC samples shipped with it, which are
// also our calibration set (no other data exists; bench/keras3-accuracy.ts adds a held-out split).
{
  const kws = await kwsFixture();
  const ref = outputs(kws.float, kws.samples);
  const q = quantizeWorkflow({ float: kws.float, keras: kws.keras, samples: kws.samples, io: 'int8' });
  rows.push({
    model: 'kws_cnn.keras (8 samples, also the calibration)',
    classifier: true,
    ours: outputMetrics(ref, outputs(q.model, kws.samples), undefined, { classifier: true }),
    official: outputMetrics(ref, outputs(kws.official, kws.samples), undefined, { classifier: true }),
    method: q.fcPerTensor ? `${q.method}, per-tensor Dense` : q.method,
  });
}

if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
else {
  const f = (v: number) => v.toPrecision(4);
  const top1 = (r: (typeof rows)[number], m: OutputMetrics) =>
    r.classifier ? `${(m.top1_agreement! * 100).toFixed(1)} %` : '–';
  console.log(
    '| model | ours: RMSE | official: RMSE | ours: cosine | official: cosine | ours: top-1 agr. | official: top-1 agr. | range method |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.model} | ${f(r.ours.rmse)} | ${f(r.official.rmse)} | ${r.ours.cosine_similarity.toFixed(6)} | ${r.official.cosine_similarity.toFixed(6)} | ${top1(r, r.ours)} | ${top1(r, r.official)} | ${r.method} |`,
    );
}
