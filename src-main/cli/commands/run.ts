/**
 * `quantscope run MODEL [--input FILE ...] [--raw-input FILE.npy ...] [--seed N] [--dump OUT.json] [--repeat N] [--json]`:
 * run a .tflite model in the bit-exact host simulator and show every layer. Inputs holding several
 * frames (inputs/frames.ts) run as a stream: one invocation per frame, the state kept between them
 * (`--reset-state`: reset before each), every layer per invocation. File reading and timing live
 * here; parsing and computing are in core/simulate.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { readTflite } from '../../core/model/tflite-reader.ts';
import { estimateModel } from '../../core/simulate/cost-model.ts';
import { CPU_HELP, cpuFromSpec, cpuSpec, MHZ_HELP } from '../cpu-option.ts';
import { goldenDump, layerReports, outputReports } from '../../core/simulate/dump.ts';
import { normalizationNotes } from '../../core/normalize/normalize.ts';
import { describeNormalization, rawInputTensors } from '../../core/normalize/raw-input.ts';
import { buildInputFrames } from '../../core/simulate/inputs/frames.ts';
import type { InputFile } from '../../core/simulate/inputs/load.ts';
import { parseNpy } from '../../core/simulate/inputs/npy.ts';
import { invoke, invokeStream, prepare, type InvokeResult } from '../../core/simulate/interpreter.ts';
import { GATES, gateSaturation, type GateName, type LstmGateTaps } from '../../core/simulate/gate-taps.ts';
import type { TensorData } from '../../core/simulate/tensor-data.ts';
import { layerWork } from '../../core/simulate/layer-work.ts';
import { writeFileAtomic } from '../../services/atomic-write.ts';
import { checkOutputPath, checkOutputPaths } from '../../services/output-path.ts';
import { uint8Choice, U8_READING_HELP } from '../u8-reading.ts';
import { describeUint8Readings } from '../../core/simulate/inputs/uint8-reading.ts';
import { finishCi, parseFailOn, type CaseOutcome } from '../ci-gate.ts';

interface RunOptions {
  input?: string[];
  rawInput?: string[];
  seed?: string;
  dump?: string;
  repeat?: string;
  json?: boolean;
  u8Bytes?: boolean;
  u8Reading?: string;
  cpu?: string;
  mhz?: string;
  force?: boolean;
  junit?: string;
  resetState?: boolean;
}

async function readBytes(path: string): Promise<Uint8Array> {
  const buf = await readFile(resolve(path)).catch((e: NodeJS.ErrnoException) => {
    throw new Error(
      e.code === 'ENOENT' ? `No such file: ${resolve(path)}` : `Cannot read ${path}: ${e.message}`,
    );
  });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} expects a positive integer, got '${text}'`);
  return n;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * --junit FILE: one test case, the model on the host simulator, with the simulator's time and the
 * cost-model estimate as properties; a model the core refuses (or bad input) is the case's error.
 */
export async function runCommand(modelPath: string, opts: RunOptions): Promise<void> {
  if (!opts.junit) {
    await simulate(modelPath, opts);
    return;
  }
  if (!/\.xml$/i.test(opts.junit)) throw new Error(`--junit ${opts.junit}: the JUnit report is an .xml file`);
  const [junitPath] = await checkOutputPaths(
    [{ flag: '--junit', path: opts.junit }, ...(opts.dump ? [{ flag: '--dump', path: opts.dump }] : [])],
    opts.force,
  );
  const startedAt = new Date();
  const t0 = performance.now();
  let outcome: CaseOutcome;
  const base = { model: basename(modelPath), board: 'host' };
  let failure: unknown;
  try {
    const props = await simulate(modelPath, opts);
    outcome = { ...base, seconds: (performance.now() - t0) / 1000, properties: props };
  } catch (e) {
    failure = e;
    outcome = {
      ...base,
      seconds: (performance.now() - t0) / 1000,
      error: e instanceof Error ? e.message : String(e),
    };
  }
  await finishCi(
    'run',
    [outcome],
    parseFailOn(undefined),
    { path: junitPath, overwrite: Boolean(opts.force) },
    startedAt,
  );
  if (failure) throw failure;
  if (!opts.json) process.stdout.write(`wrote ${junitPath}\n`);
}

async function simulate(modelPath: string, opts: RunOptions): Promise<[string, string | number | boolean][]> {
  const cpu = cpuSpec(opts);
  const dumpPath = opts.dump ? await checkOutputPath({ flag: '--dump', path: opts.dump }, opts.force) : '';
  const bytes = await readBytes(modelPath);
  const model = readTflite(bytes);
  const pm = prepare(model, 0, { bytes });
  const files: InputFile[] = await Promise.all(
    (opts.input ?? []).map(async (p) => ({ name: basename(p), bytes: await readBytes(p) })),
  );
  const seed = opts.seed !== undefined ? positiveInt(opts.seed, '--seed') : undefined;
  let normalized: string | undefined;
  let readings: string[] = [];
  let frames: TensorData[][];
  if (opts.rawInput?.length) {
    // raw sensor samples, normalized with the model's parameters exactly as the board does
    if (files.length || seed !== undefined)
      throw new Error('give --raw-input alone (not with --input or --seed)');
    const arrays = await Promise.all(
      opts.rawInput.map(async (p) => ({ name: basename(p), ...parseNpy(await readBytes(p), basename(p)) })),
    );
    const raw = rawInputTensors(pm.inputs, model.parameters, arrays);
    frames = [raw.inputs];
    normalized = describeNormalization(raw.normalization);
  } else {
    const u8 = uint8Choice(opts, model.parameters);
    frames = buildInputFrames({ files, seed, uint8Mode: u8.mode }, pm.inputs, model.parameters);
    readings = describeUint8Readings(files, pm.inputs, u8.mode, u8.chosen);
  }
  if (frames.length > 1) {
    if (opts.repeat !== undefined)
      throw new Error(`--repeat times one invocation; the inputs hold a stream of ${frames.length} frames`);
    return simulateStream(modelPath, opts, pm, frames, dumpPath);
  }
  const inputs = frames[0];
  const t0 = performance.now();
  const hasLstm = pm.subgraph.operators.some((op) => op.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM');
  const result = invoke(pm, inputs, { taps: true, gates: hasLstm });
  const invokeMs = performance.now() - t0;
  const gates = (result.gates ?? []).map(gateSummary);
  let medianMs: number | undefined;
  if (opts.repeat !== undefined) {
    const n = positiveInt(opts.repeat, '--repeat');
    invoke(pm, inputs, { taps: true }); // warm-up
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      invoke(pm, inputs, { taps: true });
      times.push(performance.now() - t0);
    }
    medianMs = median(times);
  }
  if (opts.dump)
    await writeFileAtomic(
      dumpPath,
      JSON.stringify(goldenDump(basename(modelPath), pm, inputs, result), null, 1),
      { overwrite: Boolean(opts.force) },
    );
  const layers = layerReports(pm, result);
  const outputs = outputReports(pm, result);
  let cost: ReturnType<typeof estimateModel> | undefined;
  const profile = cpu ? cpuFromSpec(cpu) : undefined;
  if (profile) cost = estimateModel(profile, layerWork(pm.subgraph));
  if (opts.json) {
    const doc = {
      model: basename(modelPath),
      outputs,
      layers: layers.map((l) => (cost ? { ...l, est_cycles: cost.layers[l.index].cycles } : l)),
      ...(gates.length > 0 ? { lstm_gates: gates } : {}),
      ...(medianMs !== undefined ? { repeat: Number(opts.repeat), median_ms: medianMs } : {}),
      ...(cost && profile
        ? {
            est_cycles: cost.cycles,
            est_instructions: cost.instructions,
            est_ms: cost.ms,
            cpu: { profile: profile.name, mhz: profile.clockMHz, cpi: profile.cpi, basis: profile.basis },
          }
        : {}),
      ...(readings.length ? { uint8_reading: readings } : {}),
      ...(normalized
        ? { raw_input_normalization: normalized, normalization_notes: normalizationNotes(model.parameters) }
        : {}),
    };
    process.stdout.write(JSON.stringify(doc) + '\n');
    return runProperties(pm.steps.length, invokeMs, medianMs, cost);
  }
  const lines: string[] = [`${basename(modelPath)}: ${pm.steps.length} ops simulated`];
  for (const r of readings) lines.push(`input ${r}`);
  if (normalized)
    lines.push(
      `raw input normalized on the host: ${normalized}`,
      ...normalizationNotes(model.parameters).map((n) => `  note: ${n}`),
    );
  lines.push('');
  lines.push(
    '  #  op                      output              min      max      mean     std    sat-%' +
      (cost ? '     cycles' : ''),
  );
  for (const l of layers) {
    const s = l.stats;
    const sat = (s.saturatedLowPct + s.saturatedHighPct).toFixed(1);
    const est = cost ? String(cost.layers[l.index].cycles).padStart(11) : '';
    lines.push(
      `${String(l.index).padStart(3)}  ${l.op.padEnd(22)}  ${`${l.dtype}[${l.shape.join('x')}]`.padEnd(18)}` +
        `${s.min.toPrecision(4).padStart(8)} ${s.max.toPrecision(4).padStart(8)} ${s.mean.toPrecision(4).padStart(9)} ${s.std.toPrecision(4).padStart(7)} ${sat.padStart(7)}${est}`,
    );
  }
  for (const g of gates) {
    // a share above zero never prints as 0.0 % (the gate named as most saturated would look clean)
    const pct = (v: number) => (v > 0 && v < 0.0005 ? '<0.1 %' : `${(100 * v).toFixed(1)} %`);
    const share = GATES.map((k) => `${k} ${pct(g.saturation[k])}`).join(', ');
    lines.push(
      '',
      `LSTM #${g.index} gates saturated over ${g.steps} steps x ${g.units} units: ${share}; ` +
        (g.most_saturated ? `most saturated: ${g.most_saturated} gate` : 'no gate saturates'),
    );
  }
  for (const o of outputs) {
    lines.push('', `output '${o.name}' ${o.dtype}[${o.shape.join('x')}]  top-${o.top_k.length}:`);
    for (const t of o.top_k)
      lines.push(
        `  [${t.index}]${o.labels ? ` ${o.labels[t.index]}` : ''} ${t.value}  (real ${t.real.toPrecision(5)})`,
      );
  }
  if (cost && profile)
    lines.push(
      '',
      `estimated ${cost.cycles.toLocaleString('en-US')} cycles = ${cost.ms.toFixed(3)} ms at ${profile.clockMHz} MHz on ${profile.name}` +
        ` (${cost.instructions.toLocaleString('en-US')} instructions from ${profile.basis}, CPI ${profile.cpi})`,
    );
  if (medianMs !== undefined)
    lines.push('', `median ${medianMs.toFixed(3)} ms per inference over ${opts.repeat} runs (taps on)`);
  if (opts.dump) lines.push('', `per-layer dump written to ${dumpPath}`);
  process.stdout.write(lines.join('\n') + '\n');
  return runProperties(pm.steps.length, invokeMs, medianMs, cost);
}

/**
 * A stream: one invocation per frame, the state kept from one to the next (as firmware invokes)
 * unless --reset-state; every layer and output per invocation.
 */
async function simulateStream(
  modelPath: string,
  opts: RunOptions,
  pm: ReturnType<typeof prepare>,
  frames: TensorData[][],
  dumpPath: string,
): Promise<[string, string | number | boolean][]> {
  const t0 = performance.now();
  const results: InvokeResult[] = invokeStream(pm, frames, { taps: true, resetState: opts.resetState });
  const invokeMs = performance.now() - t0;
  const name = basename(modelPath);
  if (opts.dump) {
    const doc = {
      model: name,
      reset_state: Boolean(opts.resetState),
      invocations: results.map((r, k) => ({ invocation: k, ...goldenDump(name, pm, frames[k], r) })),
    };
    await writeFileAtomic(dumpPath, JSON.stringify(doc, null, 1), { overwrite: Boolean(opts.force) });
  }
  const per = results.map((r, k) => ({
    invocation: k,
    outputs: outputReports(pm, r),
    layers: layerReports(pm, r),
  }));
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({ model: name, invocations: per, reset_state: Boolean(opts.resetState) }) + '\n',
    );
  } else {
    const lines = [
      `${name}: ${pm.steps.length} ops simulated, ${frames.length} invocations (${opts.resetState ? 'state reset before each' : 'state kept between them'})`,
    ];
    for (const p of per) {
      lines.push('', `invocation ${p.invocation}:`);
      for (const l of p.layers) {
        const s = l.stats;
        lines.push(
          `${String(l.index).padStart(3)}  ${l.op.padEnd(22)}  ${`${l.dtype}[${l.shape.join('x')}]`.padEnd(18)}` +
            `${s.min.toPrecision(4).padStart(8)} ${s.max.toPrecision(4).padStart(8)} ${s.mean.toPrecision(4).padStart(9)}`,
        );
      }
      for (const o of p.outputs)
        lines.push(`  output '${o.name}' top: ${o.top_k.map((t) => `[${t.index}] ${t.value}`).join(', ')}`);
    }
    if (opts.dump) lines.push('', `per-layer dump of every invocation written to ${dumpPath}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return [
    ...runProperties(pm.steps.length, invokeMs, undefined, undefined),
    ['stream.invocations', frames.length],
  ];
}

function runProperties(
  ops: number,
  invokeMs: number,
  medianMs: number | undefined,
  cost: { cycles: number; ms: number } | undefined,
): [string, string | number | boolean][] {
  return [
    ['model.ops', ops],
    ['host.invoke_ms', +invokeMs.toFixed(3)],
    ...(medianMs !== undefined ? [['host.median_ms', +medianMs.toFixed(3)] as [string, number]] : []),
    ...(cost
      ? [['est_cycles', cost.cycles] as [string, number], ['est_ms', +cost.ms.toFixed(3)] as [string, number]]
      : []),
  ];
}

/**
 * One LSTM op's gates for the run report: the saturated share per gate (gateSaturation: sigmoid
 * below 0.01 or above 0.99, tanh beyond +/-0.99) and the gate saturating most, if any does.
 */
function gateSummary(t: LstmGateTaps) {
  const saturation = gateSaturation(t);
  const worst = GATES.reduce((a, b) => (saturation[b] > saturation[a] ? b : a));
  const rows = t.steps.filter((s) => s.batch === 0).length;
  return {
    index: t.opIndex,
    steps: rows,
    units: t.units,
    saturation,
    most_saturated: saturation[worst] > 0 ? worst : (null as GateName | null),
  };
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run a .tflite model in the bit-exact host simulator and show every layer')
    .argument('<model>', '.tflite model file')
    .option(
      '-i, --input <file...>',
      'input file(s): .npy or PNG/JPEG/BMP per model input, or one raw .bin of all inputs; several frames (k files per input, an .npy of [N, ...input shape], a .bin of k x the inputs) run as a stream',
    )
    .option(
      '--seed <n>',
      'xorshift32 input from seed N (1 reproduces the fixture goldens); default when no --input',
    )
    .option(
      '--raw-input <file.npy...>',
      "raw sensor samples (.npy int8/uint8/int16/uint16/float32) per model input, normalized with the model's samplewise_norm parameters",
    )
    .option('--dump <out.json>', 'write every op output in the golden JSON format')
    .option('--repeat <n>', 'time N inferences after a warm-up and report median_ms')
    .option(
      '--reset-state',
      'inputs holding several frames run as a stream that keeps the state between invocations; reset it before each instead',
    )
    .option('--u8-reading <bytes|pixels>', U8_READING_HELP)
    .option('--u8-bytes', 'same as --u8-reading bytes')
    .option('--cpu <profile[@MHz]>', `add cycle and time estimates: ${CPU_HELP}`)
    .option('--mhz <n>', MHZ_HELP)
    .option('--json', 'machine-readable output')
    .option('--junit <file.xml>', 'write a JUnit XML report: one test case, the model on the host simulator')
    .option('--force', 'overwrite the --dump and --junit files if they already exist')
    .action((model: string, opts: RunOptions) => runCommand(model, opts));
}

/** The CLI entry discovers commands through `register`. */
export const register = registerRun;
