/**
 * `quantscope profile MODEL --board virtual|qemu|qemu-m4|qemu-m7|qemu-m33|qemu-m55|qemu-nucleo|PORT|rfc2217://HOST:PORT|socket://HOST:PORT [--board ...] [--input FILE... | --raw-input FILE.npy... | --seed N]
 *   [--out FILE.html|.csv|.json|.pdf ...] [--dump DEVICE.json] [--junit FILE.xml] [--fail-on ...]`:
 * upload the model to a board, run it with the input (the same input on the host simulator),
 * read back every op's output and ticks, compare per layer, print the table and write reports.
 * --raw-input sends raw sensor samples: the host normalizes them with the model's samplewise_norm
 * parameters, the board normalizes them itself, and the first row compares the two input tensors.
 * Several --board: every board runs the same model and input at the same time, and --out writes one
 * comparison matrix (each board vs the host, boards vs each other) as .json or .html.
 * --junit writes one test case per board; --fail-on picks what fails the command (ci-gate.ts).
 */
import { uint8Choice, U8_READING_HELP } from '../u8-reading.ts';
import { describeUint8Readings } from '../../core/simulate/inputs/uint8-reading.ts';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { compareMatrix, type MatrixBoardRun } from '../../core/compare/matrix.ts';
import { parseTolerance, withTolerance } from '../../core/compare/tolerance.ts';
import { readTflite } from '../../core/model/tflite-reader.ts';
import { normalizationNotes } from '../../core/normalize/normalize.ts';
import { compareJson } from '../../core/report/json.ts';
import { matrixHtml, matrixJson } from '../../core/report/matrix.ts';
import { matrixText, table } from './profile-text.ts';
import { boardsAtOnce, inPool } from '../../shared/pool.ts';
import { buildInputFrames } from '../../core/simulate/inputs/frames.ts';
import type { InputFile } from '../../core/simulate/inputs/load.ts';
import { prepare } from '../../core/simulate/interpreter.ts';
import { writeFileAtomic } from '../../services/atomic-write.ts';
import { openBoard, type OpenBoard } from '../../services/board/open-board.ts';
import {
  profileAndCompare,
  rawProfileInputs,
  type ProfileCompareOptions,
} from '../../services/board/profile-compare.ts';
import { EMULATED_BOARDS, emulatedBoard } from '../../services/board/emulated-boards.ts';
import { QemuBoard } from '../../services/board/qemu-board.ts';
import { VirtualBoard } from '../../services/board/virtual-board.ts';
import { exportReport, reportFormatOf, reportMeta } from '../../services/export/export-report.ts';
import { writeModelExplorerNodeData } from '../../services/export/model-explorer-export.ts';
import { checkOutputPaths } from '../../services/output-path.ts';
import { finishCi, parseFailOn, type CaseOutcome } from '../ci-gate.ts';
import { CommandExit, EXIT } from '../exit.ts';
import { CPU_HELP, cpuSpec, MHZ_HELP } from '../cpu-option.ts';

interface ProfileOptions {
  board: string[];
  input?: string[];
  rawInput?: string[];
  seed?: string;
  out?: string[];
  dump?: string;
  failOnMismatch?: boolean;
  failOn?: string[];
  junit?: string;
  cpu?: string;
  mhz?: string;
  firmware?: string;
  u8Bytes?: boolean;
  u8Reading?: string;
  json?: boolean;
  baud?: string;
  force?: boolean;
  resetState?: boolean;
  tolerance?: string;
  modelExplorer?: string;
}

async function readBytes(path: string): Promise<Uint8Array> {
  const buf = await readFile(resolve(path)).catch((e: NodeJS.ErrnoException) => {
    throw new Error(
      e.code === 'ENOENT' ? `No such file: ${resolve(path)}` : `Cannot read ${path}: ${e.message}`,
    );
  });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** --board virtual|qemu…|PORT; --firmware swaps the virtual board's executable or QEMU's ELF. */
async function open(spec: string, opts: ProfileOptions): Promise<OpenBoard> {
  if (opts.firmware && spec === 'virtual') {
    const vb = await VirtualBoard.start({ executable: resolve(opts.firmware) });
    const session = await vb.connect().catch(async (e) => (await vb.stop(), Promise.reject(e)));
    return {
      kind: 'virtual',
      port: vb.portPath,
      session,
      close: async () => (await session.link.close(), await vb.stop()),
    };
  }
  const emulated = emulatedBoard(spec);
  if (opts.firmware && emulated) {
    const q = await QemuBoard.launch({ board: emulated, kernel: resolve(opts.firmware) });
    const session = await q.connect().catch(async (e) => (await q.stop(), Promise.reject(e)));
    return {
      kind: 'qemu',
      port: q.portPath,
      session,
      close: async () => (await session.link.close(), await q.stop()),
    };
  }
  if (opts.firmware) throw new Error('--firmware applies to --board virtual or an emulated board only');
  const baud = opts.baud === undefined ? undefined : Number(opts.baud);
  if (baud !== undefined && !(Number.isInteger(baud) && baud > 0))
    throw new Error(`--baud expects a positive integer, got '${opts.baud}'`);
  return openBoard(spec, { baudRate: baud });
}

/** "virtual", "virtual#2", …: a unique label per --board value, in the order given. */
function boardIds(specs: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return specs.map((b) => {
    const n = (seen.get(b) ?? 0) + 1;
    seen.set(b, n);
    return n === 1 ? b : `${b}#${n}`;
  });
}

export async function profileCommand(modelPath: string, opts: ProfileOptions): Promise<void> {
  const startedAt = new Date();
  const specs = opts.board;
  const many = specs.length > 1;
  if (many && opts.firmware) throw new Error('--firmware applies to one --board (virtual or emulated)');
  if (many && opts.dump) throw new Error('--dump writes the outputs of one board: give one --board');
  if (opts.failOnMismatch && opts.failOn?.length)
    throw new Error('give --fail-on mismatch or --fail-on-mismatch, not both');
  const gate = parseFailOn(opts.failOn);
  const tolerance = parseTolerance(opts.tolerance);
  const cpu = cpuSpec(opts);
  // bad extensions, folders, missing folders and existing files fail before any board work
  const [dumpPath, junitPath] = await checkOutputPaths(
    [
      { flag: '--dump', path: opts.dump ?? '' },
      { flag: '--junit', path: opts.junit ?? '' },
      ...(opts.out ?? []).map((path) => ({ flag: '--out', path })),
    ].filter((t) => t.path !== ''),
    opts.force,
  ).then((paths) => [opts.dump ? paths[0] : '', opts.junit ? paths[opts.dump ? 1 : 0] : '']);
  for (const out of opts.out ?? []) {
    const format = reportFormatOf(out);
    if (many && format !== 'json' && format !== 'html')
      throw new Error(
        `--out ${out}: with several --board the report is the comparison matrix, .json or .html`,
      );
  }
  if (opts.junit && !/\.xml$/i.test(opts.junit))
    throw new Error(`--junit ${opts.junit}: the JUnit report is an .xml file`);
  if (opts.input?.length && opts.seed !== undefined)
    throw new Error('give either --input or --seed, not both');
  const seed = opts.seed === undefined ? 1 : Number(opts.seed);
  if (!Number.isInteger(seed) || seed < 1)
    throw new Error(`--seed expects a positive integer, got '${opts.seed}'`);
  const modelBytes = await readBytes(modelPath);
  const files: InputFile[] = await Promise.all(
    (opts.input ?? []).map(async (p) => ({ name: basename(p), bytes: await readBytes(p) })),
  );
  let input: ProfileCompareOptions['input'] = files.length ? { files } : { seed };
  let uint8Mode: 'affine' | 'bytes' = 'bytes';
  if (opts.rawInput?.length) {
    if (files.length || opts.seed !== undefined)
      throw new Error('give --raw-input alone (not with --input or --seed)');
    const raw = await Promise.all(
      opts.rawInput.map(async (p) => ({ name: basename(p), bytes: await readBytes(p) })),
    );
    // parameters, count and dtypes are checked before any board work
    rawProfileInputs(modelBytes, raw);
    input = { raw };
  } else if (files.length) {
    // the model and the input files (NaN/Inf, dtype, shape) are checked before any board work
    const model = readTflite(modelBytes);
    const pm = prepare(model, 0, { bytes: modelBytes });
    const u8 = uint8Choice(opts, model.parameters);
    uint8Mode = u8.mode;
    buildInputFrames({ files, uint8Mode }, pm.inputs, model.parameters);
    if (!opts.json)
      for (const r of describeUint8Readings(files, pm.inputs, u8.mode, u8.chosen))
        process.stderr.write(`input ${r}\n`);
  }
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const showProgress = !many && !opts.json && process.stderr.isTTY;
  const profileOn = async (spec: string) => {
    const t0 = performance.now();
    try {
      const board = await open(spec, opts);
      try {
        const result = await profileAndCompare(board.session, {
          modelName: basename(modelPath),
          modelBytes,
          input,
          uint8Mode,
          cpu,
          resetState: opts.resetState,
          port: board.kind === 'serial' ? board.port : board.kind,
          signal: abort.signal,
          onProgress: (f, m) => {
            if (showProgress) process.stderr.write(`\r${Math.round(f * 100)}% ${m}`.padEnd(60));
          },
        });
        // layers within the tolerance match-with-rounding; the first divergent is the first systematic
        result.compare = withTolerance(result.compare, tolerance);
        return { result, seconds: (performance.now() - t0) / 1000 };
      } finally {
        await board.close();
      }
    } catch (e) {
      // one board's failure is its test case's error; the others go on
      return { error: e instanceof Error ? e.message : String(e), seconds: (performance.now() - t0) / 1000 };
    }
  };
  let runs;
  try {
    // each board has its own process or port, and the host side runs per board: a few at a time
    // (the app's "Profile on all boards" uses the same limit)
    runs = await inPool(specs, boardsAtOnce(availableParallelism()), profileOn);
  } finally {
    process.off('SIGINT', onSigint);
    if (showProgress) process.stderr.write('\r'.padEnd(61) + '\r');
  }
  if (abort.signal.aborted) throw new Error('profile cancelled (Ctrl-C); the boards were closed');
  const ids = boardIds(specs);
  const model = basename(modelPath);
  const outcomes: CaseOutcome[] = runs.map((r, i) =>
    r.result
      ? { model, board: ids[i], seconds: r.seconds, compare: r.result.compare }
      : { model, board: ids[i], seconds: r.seconds, error: r.error! },
  );
  const written: string[] = [];
  const write = { overwrite: Boolean(opts.force) };
  let text = '';
  if (!many) {
    const result = runs[0].result;
    if (result) {
      const r = result.compare;
      for (const out of opts.out ?? []) written.push((await exportReport(r, out, undefined, write)).path);
      if (opts.modelExplorer)
        written.push(...(await writeModelExplorerNodeData(r, modelBytes, opts.modelExplorer, write)));
      if (opts.dump) {
        // a stream: every invocation, as `run --dump` writes one (quantscope compare reads both)
        const dump = result.deviceDumps
          ? {
              model: result.deviceDump.model,
              reset_state: Boolean(opts.resetState),
              invocations: result.deviceDumps.map((d, k) => ({ invocation: k, ...d })),
            }
          : result.deviceDump;
        await writeFileAtomic(dumpPath, JSON.stringify(dump, null, 1), write);
        written.push(dumpPath);
      }
      if (opts.json) text = compareJson(r, reportMeta());
      else {
        const raw = opts.rawInput?.length
          ? [
              `raw input normalized on the host and on the board: ${r.input}`,
              ...normalizationNotes(readTflite(modelBytes).parameters).map((n) => `  note: ${n}`),
              '',
            ].join('\n') + '\n'
          : '';
        text = raw + table(r);
      }
    }
  } else {
    const host = runs.find((r) => r.result)?.result?.host.layers ?? [];
    const matrixRuns: MatrixBoardRun[] = runs.map((r, i) => ({
      id: ids[i],
      seconds: r.seconds,
      ...(r.result ? { result: { compare: r.result.compare, device: r.result.device } } : { error: r.error }),
    }));
    const m = compareMatrix(host, matrixRuns);
    const meta = reportMeta();
    for (const out of opts.out ?? []) {
      const body = reportFormatOf(out) === 'json' ? matrixJson(m, meta) : matrixHtml(m, meta);
      await writeFileAtomic(resolve(out), body, write);
      written.push(resolve(out));
    }
    text = opts.json
      ? matrixJson(m, meta)
      : runs.map((r) => (r.result ? table(r.result.compare) + '\n' : '')).join('') + matrixText(m);
  }
  const ci = await finishCi(
    'profile',
    outcomes,
    gate,
    opts.junit ? { path: junitPath, overwrite: Boolean(opts.force) } : undefined,
    startedAt,
  );
  if (opts.junit) written.push(junitPath);
  process.stdout.write(text + (opts.json ? '' : written.map((p) => `wrote ${p}\n`).join('')));
  if (opts.failOnMismatch) {
    const bad = outcomes.flatMap((o) => ('compare' in o && !o.compare.allMatch ? [o.compare] : []));
    if (bad.length && ci.code === EXIT.OK) {
      const r = bad[0];
      const n = r.layers.filter((l) => l.status === 'mismatch' || l.status === 'missing').length;
      const first = r.layers.find((l) => l.index === r.firstDivergent);
      throw new Error(
        `${n} layer(s) differ between host and board${r.stream ? ` in invocation ${r.invocation} of ${r.stream.invocations} (the first that differs)` : ''}; first divergent layer ${r.firstDivergent} (${first?.op} '${first?.name}')`,
      );
    }
  }
  if (ci.code !== EXIT.OK) throw new CommandExit(ci.code, ci.reason ?? 'failed');
  for (const o of outcomes)
    if ('error' in o)
      process.stderr.write(`quantscope: ${o.board}: ${o.error} (not failing: --fail-on has no 'error')\n`);
}

export function register(program: Command): void {
  program
    .command('profile')
    .description('Run a model on a board, compare every layer with the host simulator, write reports')
    .argument('<model>', '.tflite model file')
    .requiredOption(
      '-b, --board <board>',
      `'virtual' (host firmware), an emulated board (${EMULATED_BOARDS.map((e) => `'${e.id}' ${e.cpu}`).join(', ')}: QEMU), a serial port path, or a remote board behind ser2net (rfc2217://host:port[?baud=N&parity=even...] or socket://host:port); repeat it to profile on several boards at once`,
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option(
      '-i, --input <file...>',
      'input file(s): .npy or PNG/JPEG/BMP per model input, or one raw .bin; several frames (k files per input, an .npy of [N, ...input shape], a .bin of k x the inputs) run as a stream on host and board, compared invocation by invocation',
    )
    .option('--reset-state', 'a stream resets the model state before every frame (host and board)')
    .option('--seed <n>', 'xorshift32 input from seed N (default 1, as the fixture goldens)')
    .option(
      '--raw-input <file.npy...>',
      "raw sensor samples (.npy int8/uint8/int16/uint16/float32) per model input, normalized with the model's samplewise_norm parameters on the host and on the board",
    )
    .option('-o, --out <file...>', 'write the comparison report(s): .html, .csv, .json or .pdf')
    .option('--dump <device.json>', 'write the outputs read back from the board in the golden JSON format')
    .option('--fail-on-mismatch', 'exit with status 1 when any layer differs')
    .option(
      '--fail-on <condition>',
      'what fails the command: mismatch (exit 4), slower-than=PCT above the estimate (exit 5), error (exit 1); comma-separated or repeated; default: error',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option('--junit <file.xml>', 'write a JUnit XML report: one test case per board')
    .option(
      '--model-explorer <out.json>',
      'write the per-layer figures as Model Explorer node data (OUT.<figure>.json)',
    )
    .option(
      '--tolerance <lsb>',
      'layers differing by at most this many LSB match-with-rounding (default 0: any difference diverges)',
    )
    .option('--cpu <profile[@MHz]>', `${CPU_HELP}; default: the board's CPU`)
    .option('--mhz <n>', MHZ_HELP)
    .option(
      '--firmware <path>',
      "virtual board executable or emulated board's kernel ELF to use instead of the default build",
    )
    .option('--baud <rate>', 'serial baud rate for a port or an rfc2217:// board (default 115200)')
    .option('--u8-reading <bytes|pixels>', U8_READING_HELP)
    .option('--u8-bytes', 'same as --u8-reading bytes')
    .option('--json', 'print the comparison as JSON (quantscope.compare/1) instead of a table')
    .option('--force', 'overwrite --out and --dump files that already exist')
    .action((model: string, opts: ProfileOptions) => profileCommand(model, opts));
}
