/**
 * `npm run bench`: per fixture model, the median ms per inference of the QuantScope simulator
 * (the interpreter core compiled to WebAssembly with its SIMD kernels: taps on, and lean) next to
 * TFLite in WASM (@tensorflow/tfjs-tflite, 1 thread; runner with
 * profiling off = its default path, and on) measured in the same run, the ratio, and the peak RSS
 * of a child process that runs only that model. After the fixture folders: the op-heavy models of
 * bench/op-models.ts (resize head, SSD post-processing, int16x8 TRANSPOSE_CONV and CONV_2D). Times are CPU time per inference (see medianMs);
 * machines are noisy: compare ratios. Last, the noisy-line table of bench/link-noise.ts (issue 14):
 * a person_detect profile on the virtual board, clean vs 1e-3 vs 1e-2 byte errors.
 *
 *   node bin/run-ts.mjs bench/simulate.ts [--quick] [--no-link]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTflite } from '../src-main/core/model/tflite-reader.ts';
import { seededInputs } from '../src-main/core/simulate/inputs/seed.ts';
import { invoke, prepare } from '../src-main/core/simulate/interpreter.ts';
import { fixQuantizedDimension } from './fix-quantized-dimension.ts';
import { loadWasmRunner } from './tflite-wasm-runner.ts';
import { opHeavyModels } from './op-models.ts';
import { noisyReport, noisyTable } from './link-noise.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = process.env.QS_FIXTURES ?? resolve(REPO, '../shared/fixtures');
const quick = process.argv.includes('--quick');

/**
 * Median CPU milliseconds per call of fn (process user+system time, which a loaded machine
 * inflates far less than wall time): batches of calls sized to ~5 ms, at least 7 batches or
 * until the budget is spent, after a warm-up.
 */
function medianMs(fn: () => void, budgetMs = quick ? 200 : 800): number {
  for (let i = 0; i < 3; i++) fn();
  let n = 1;
  for (;;) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const c = process.cpuUsage(c0);
    if ((c.user + c.system) / 1000 >= 5 || n >= 4096) break;
    n *= 2;
  }
  const perCall: number[] = [];
  const start = performance.now();
  while (perCall.length < 7 || (performance.now() - start < budgetMs && perCall.length < 200)) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) fn();
    const c = process.cpuUsage(c0);
    perCall.push((c.user + c.system) / 1000 / n);
  }
  perCall.sort((a, b) => a - b);
  return perCall[perCall.length >> 1];
}

interface Row {
  model: string;
  ops: number;
  /** The interpreter core as WebAssembly (the CLI/app simulator), taps on and lean. */
  simTaps: number;
  simLean: number;
  wasmDefault: number | null;
  wasmProfiling: number | null;
  /** TFLite-WASM default path, a whole inference: input copied in, Infer(), outputs copied out. */
  wasmPerInference: number | null;
  note: string;
  rssMB: number;
}

async function measure(path: string): Promise<Row> {
  const bytes = new Uint8Array(readFileSync(path));
  const model = readTflite(bytes);
  const pm = prepare(model, 0, { bytes });
  const inputs = seededInputs(pm.inputs, 1);
  const simTaps = medianMs(() => invoke(pm, inputs, { taps: true }));
  const simLean = medianMs(() => invoke(pm, inputs, { taps: false }));
  const fixed = fixQuantizedDimension(bytes);
  let note = fixed.fixed > 0 ? `WASM: ${fixed.fixed} bias quantized_dimension set to 0` : '';
  const wasm = async (profiling: boolean, whole = false): Promise<number | null> => {
    try {
      const r = await loadWasmRunner(fixed.bytes, profiling);
      r.setInputs(inputs);
      const ms = whole
        ? medianMs(() => {
            r.setInputs(inputs);
            r.infer();
            r.readOutputs();
          })
        : medianMs(() => r.infer());
      r.dispose();
      return ms;
    } catch (e) {
      note = `WASM: ${(e as Error).message}`;
      return null;
    }
  };
  const wasmDefault = await wasm(false);
  const wasmProfiling = await wasm(true);
  const wasmPerInference = await wasm(false, true);
  const rssMB = process.resourceUsage().maxRSS / 1024;
  return {
    model: path.split('/').slice(-2).join('/'),
    ops: pm.steps.length,
    simTaps,
    simLean,
    wasmDefault,
    wasmProfiling,
    wasmPerInference,
    note,
    rssMB,
  };
}

const fmt = (v: number | null): string => (v === null ? 'n/a' : v < 1 ? v.toPrecision(3) : v.toFixed(2));

async function main(): Promise<void> {
  const one = process.argv.indexOf('--model');
  if (one >= 0) {
    process.stdout.write(JSON.stringify(await measure(process.argv[one + 1])) + '\n');
    return;
  }
  const models = [
    ...readdirSync(join(FIXTURES, 'models'))
      .filter((f) => f.endsWith('.tflite'))
      .map((f) => join(FIXTURES, 'models', f)),
    ...readdirSync(join(FIXTURES, 'float'))
      .filter((f) => f.endsWith('.tflite'))
      .map((f) => join(FIXTURES, 'float', f)),
  ].sort();
  // op-heavy models (resize, detection post-processing, int16x8 TRANSPOSE_CONV / CONV_2D)
  models.push(...opHeavyModels(FIXTURES));
  const script = fileURLToPath(import.meta.url);
  const rows: Row[] = [];
  for (const m of models) {
    // One child per model, so peak RSS belongs to that model alone.
    const out = execFileSync(
      process.execPath,
      [join(REPO, 'bin/run-ts.mjs'), script, '--model', m, ...(quick ? ['--quick'] : [])],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    );
    const row = JSON.parse(out.trim().split('\n').pop()!) as Row;
    rows.push(row);
    process.stderr.write(`measured ${row.model}\n`);
  }
  const header =
    '| model | ops | sim core ms (taps) | sim core ms (lean) | TFLite-WASM ms Infer() (default) | TFLite-WASM ms Infer() (profiling) | TFLite-WASM ms per inference (in + Infer + out) | sim taps / best TFLite Infer() | sim lean / TFLite per inference | peak RSS MB | note |';
  const lines = [header, '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|'];
  const ratio = (a: number, b: number | null) =>
    b !== null && Number.isFinite(b) ? (a / b).toFixed(2) + '×' : 'n/a';
  for (const r of rows) {
    // Both TFLite runs execute the same builtin kernels; compare with the faster of the two.
    const best = Math.min(r.wasmDefault ?? Infinity, r.wasmProfiling ?? Infinity);
    lines.push(
      `| ${r.model} | ${r.ops} | ${fmt(r.simTaps)} | ${fmt(r.simLean)} | ${fmt(r.wasmDefault)} | ${fmt(r.wasmProfiling)} | ${fmt(r.wasmPerInference)} | ${ratio(r.simTaps, best)} | ${ratio(r.simLean, r.wasmPerInference)} | ${r.rssMB.toFixed(0)} | ${r.note} |`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

/** The noisy-line table (issue 14): person_detect profiled on the virtual board through the fault
 * proxy, clean vs 1e-3 vs 1e-2 byte errors, 20 runs each (5 with --quick); `--no-link` skips it. */
async function noisyLink(): Promise<void> {
  if (process.argv.includes('--no-link')) return;
  const runs = quick ? 5 : 20;
  process.stderr.write(`noisy line: ${3 * runs} profiles of person_detect over the fault proxy\n`);
  const rows = await noisyReport('person_detect', [0, 1e-3, 1e-2], runs, (l) =>
    process.stderr.write(l + '\n'),
  );
  process.stdout.write('\n' + noisyTable('person_detect', rows) + '\n');
  const [clean, e3, e2] = rows;
  process.stdout.write(
    `targets: 1e-3 median ${(e3.medianMs / clean.medianMs).toFixed(2)}× clean (<= 2×); 1e-2 slowest ${(e2.maxMs / 1000).toFixed(1)} s (<= 60 s, completed or a clear message)\n`,
  );
}

await main();
await noisyLink();
