/**
 * `npm run bench:quantize`: time to quantize each fixture float model (.tflite and Keras .h5)
 * with 100 calibration samples — calibration with the automatic range-method choice, then the
 * quantization report — and the peak memory (max RSS of a fresh process per model), as a table.
 * Also person_detect's float twin (MobileNet v1 0.25 at 96×96, ≈ 7.5 M MACs; target < 10 s).
 * Options: --samples N (default 100), --method auto|minmax|percentile|mse (default auto), --json.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { operatorMacs } from '../src-main/core/model/layer-cost.ts';
import { readTflite } from '../src-main/core/model/tflite-reader.ts';
import { quantizeWorkflow } from '../src-main/core/quantize/pipeline.ts';
import { readFloatModel } from '../src-main/services/quantize/quantize-task.ts';
import { floatTwin } from './float-from-int8.ts';
import { BENCH_MODELS } from './quantize-data.ts';
import { augmentedPhotos } from '../test/core/quantize/calibration-data.ts';

const FIXTURES = process.env.QS_FIXTURES ?? resolve(import.meta.dirname, '../../shared/fixtures');
const REPO = resolve(import.meta.dirname, '..');
const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(k);
  return i > 0 ? process.argv[i + 1] : d;
};
const SAMPLES = Number(arg('--samples', '100'));
const METHOD = arg('--method', 'auto') as 'auto';

interface Row {
  model: string;
  file: string;
  macs: number;
  load_ms: number;
  calibrate_ms: number;
  report_ms: number;
  total_ms: number;
  method: string;
  /** CPU time of the quantize call (user + system): stable when other processes share the cores. */
  cpu_s: number;
  /** CPU time of calibration alone (the int8 model, before the report). */
  calibrate_cpu_s: number;
  peak_rss_mb: number;
}

/** Child: one model, fresh process so max RSS is this model's peak. */
async function one(name: string, file: string): Promise<Row> {
  const t0 = performance.now();
  let float;
  let keras;
  let samples: Float32Array[];
  if (name === 'person_detect') {
    float = floatTwin(
      readTflite(new Uint8Array(readFileSync(resolve(FIXTURES, 'models/person_detect.tflite')))),
    );
    samples = augmentedPhotos(96, SAMPLES, 1).map((x) => x.map((v) => v / 255)); // its float twin takes [0, 1]
  } else {
    const b = BENCH_MODELS.find((m) => m.name === name)!;
    ({ float, keras } = await readFloatModel({
      name: file,
      bytes: new Uint8Array(readFileSync(resolve(FIXTURES, 'float', file))),
    }));
    samples = b.samples(SAMPLES, 1);
  }
  const sg = float.subgraphs[0];
  const macs = sg.operators.reduce((a, op) => a + operatorMacs(op, sg), 0);
  const t1 = performance.now();
  const c0 = process.cpuUsage();
  let tCal = 0;
  let cCal = { user: 0, system: 0 };
  const out = quantizeWorkflow({
    float,
    keras,
    samples: samples.map((x) => [x]),
    method: METHOD,
    onProgress: (stage) => {
      if (stage === 'report' && tCal === 0) {
        tCal = performance.now();
        cCal = process.cpuUsage(c0);
      }
    },
  });
  const t2 = performance.now();
  const cpu = process.cpuUsage(c0);
  return {
    model: name,
    file,
    macs,
    load_ms: t1 - t0,
    calibrate_ms: tCal - t1,
    report_ms: t2 - tCal,
    total_ms: t2 - t1,
    method: out.method,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    calibrate_cpu_s: (cCal.user + cCal.system) / 1e6,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

if (process.argv.includes('--one')) {
  const i = process.argv.indexOf('--one');
  process.stdout.write(JSON.stringify(await one(process.argv[i + 1], process.argv[i + 2])) + '\n');
} else {
  const jobs: [string, string][] = [
    ...BENCH_MODELS.flatMap((b) => b.floats.map((f) => [b.name, f] as [string, string])),
    ['person_detect', 'person_detect.tflite (float twin)'],
  ];
  const rows: Row[] = [];
  for (const [name, file] of jobs) {
    const out = execFileSync(
      process.execPath,
      [
        resolve(REPO, 'bin/run-ts.mjs'),
        'bench/quantize.ts',
        '--one',
        name,
        file,
        '--samples',
        String(SAMPLES),
        '--method',
        METHOD,
      ],
      { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 24, timeout: 600_000 },
    );
    const row = JSON.parse(out.trim().split('\n').at(-1)!) as Row;
    rows.push(row);
    if (!process.argv.includes('--json'))
      process.stderr.write(`${file}: ${(row.total_ms / 1000).toFixed(2)} s\n`);
  }
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else {
    const s = (ms: number) => (ms / 1000).toFixed(2);
    console.log(
      `Quantize with ${SAMPLES} calibration samples, range method ${METHOD} (node ${process.version})`,
    );
    console.log(
      '| model | file | MACs | load s | calibrate s | report s | total s (wall) | calibrate CPU s | total CPU s | method | peak RSS MB |',
    );
    console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|');
    for (const r of rows)
      console.log(
        `| ${r.model} | ${r.file} | ${r.macs.toLocaleString('en-US')} | ${s(r.load_ms)} | ${s(r.calibrate_ms)} | ${s(r.report_ms)} | ${s(r.total_ms)} | ${r.calibrate_cpu_s.toFixed(2)} | ${r.cpu_s.toFixed(2)} | ${r.method} | ${r.peak_rss_mb.toFixed(0)} |`,
      );
  }
}
