/**
 * Keras 3 `.keras` models quantized by QuantScope vs the official converter's int8 TFLite, on the
 * only real inputs shipped with them: kws_cnn's 8 MFCC samples (fixtures/keras3). Error = int8
 * output (dequantized) against the float Keras model's output, both run on the WASM core.
 * Two rows, because 8 samples are few:
 * - "same 8": calibrate on the 8 samples and evaluate on them (what the test checks);
 * - "held out (2-fold)": calibrate on 4 (even), evaluate on the other 4, and the reverse; the
 *   official model is evaluated on the same held-out samples.
 * Run: node bin/run-ts.mjs bench/keras3-accuracy.ts [--json]
 */
import type { Model } from '../src-main/core/model/ir.ts';
import { dequantizedOutputs } from '../src-main/core/quantize/io-convert.ts';
import { quantizeWorkflow } from '../src-main/core/quantize/pipeline.ts';
import { prepare } from '../src-main/core/simulate/interpreter.ts';
import { kwsFixture } from './keras3-data.ts';

const outputs = (m: Model, samples: Float32Array[][]) => dequantizedOutputs(prepare(m), samples);
const argmax = (a: Float32Array) => a.indexOf(Math.max(...a));

interface Errors {
  rmse: number;
  maxAbs: number;
  top1Kept: number;
  samples: number;
}

function errors(ref: Float32Array[], got: Float32Array[]): Errors {
  let sq = 0;
  let n = 0;
  let maxAbs = 0;
  let top1Kept = 0;
  ref.forEach((r, s) => {
    r.forEach((v, i) => {
      const d = Math.abs(v - got[s][i]);
      sq += d * d;
      n++;
      maxAbs = Math.max(maxAbs, d);
    });
    if (argmax(r) === argmax(got[s])) top1Kept++;
  });
  return { rmse: Math.sqrt(sq / n), maxAbs, top1Kept, samples: ref.length };
}

const { keras, float, official, samples } = await kwsFixture();
const ref = outputs(float, samples);

const rows: { model: string; evaluation: string; ours: Errors; official: Errors; method: string }[] = [];
{
  const q = quantizeWorkflow({ float, keras, samples, io: 'int8' });
  rows.push({
    model: 'kws_cnn.keras',
    evaluation: 'same 8 samples',
    ours: errors(ref, outputs(q.model, samples)),
    official: errors(ref, outputs(official, samples)),
    method: q.method,
  });
}
{
  const ours: Float32Array[] = [];
  const theirs: Float32Array[] = [];
  const refs: Float32Array[] = [];
  const methods: string[] = [];
  for (const fold of [0, 1]) {
    const calib = samples.filter((_, i) => i % 2 === fold);
    const held = samples.filter((_, i) => i % 2 !== fold);
    const q = quantizeWorkflow({ float, keras, samples: calib, io: 'int8' });
    methods.push(q.method);
    ours.push(...outputs(q.model, held));
    theirs.push(...outputs(official, held));
    refs.push(...ref.filter((_, i) => i % 2 !== fold));
  }
  rows.push({
    model: 'kws_cnn.keras',
    evaluation: 'held out (2-fold, 4 + 4)',
    ours: errors(refs, ours),
    official: errors(refs, theirs),
    method: methods.join(' / '),
  });
}

if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
else {
  const f = (v: number) => v.toPrecision(4);
  console.log(
    '| model | evaluation | ours: RMSE | official: RMSE | ours: max abs | official: max abs | ours: top-1 kept | official: top-1 kept | range method |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.model} | ${r.evaluation} | ${f(r.ours.rmse)} | ${f(r.official.rmse)} | ${f(r.ours.maxAbs)} | ${f(r.official.maxAbs)} | ${r.ours.top1Kept}/${r.ours.samples} | ${r.official.top1Kept}/${r.official.samples} | ${r.method} |`,
    );
}
