/**
 * `quantscope compare MODEL DUMP.json [--out R.html|.csv|.json|.pdf ...] [--junit J.xml]
 *   [--fail-on mismatch|error] [--cpu P] [--json] [--force]`: a per-layer dump in the golden JSON
 * format (a board's `profile --dump`, another tool's run, a TFLite Micro golden) against the host
 * simulator run on the dump's own inputs: the same per-layer table, reports and CI output as
 * `profile`, without a board.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { compareDumpStream, parseDumps } from '../../core/compare/dump-compare.ts';
import { parseTolerance, verdictLines, withTolerance } from '../../core/compare/tolerance.ts';
import { compareJson } from '../../core/report/json.ts';
import { exportReport, reportFormatOf, reportMeta } from '../../services/export/export-report.ts';
import { writeModelExplorerNodeData } from '../../services/export/model-explorer-export.ts';
import { checkOutputPaths } from '../../services/output-path.ts';
import { finishCi, parseFailOn, type CaseOutcome } from '../ci-gate.ts';
import { CommandExit, EXIT } from '../exit.ts';
import { CPU_HELP, cpuSpec, MHZ_HELP } from '../cpu-option.ts';

interface CompareOptions {
  out?: string[];
  junit?: string;
  failOn?: string[];
  cpu?: string;
  mhz?: string;
  json?: boolean;
  force?: boolean;
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

export async function compareCommand(
  modelPath: string,
  dumpPath: string,
  opts: CompareOptions,
): Promise<void> {
  const startedAt = new Date();
  const gate = parseFailOn(opts.failOn);
  const tolerance = parseTolerance(opts.tolerance);
  const cpu = cpuSpec(opts);
  if (gate.slowerThanPct !== undefined)
    throw new Error('--fail-on slower-than needs timings: a dump has none (use it with profile)');
  if (opts.junit && !/\.xml$/i.test(opts.junit))
    throw new Error(`--junit ${opts.junit}: the JUnit report is an .xml file`);
  for (const out of opts.out ?? []) reportFormatOf(out);
  const paths = await checkOutputPaths(
    [
      ...(opts.junit ? [{ flag: '--junit', path: opts.junit }] : []),
      ...(opts.out ?? []).map((path) => ({ flag: '--out', path })),
    ],
    opts.force,
  );
  const modelBytes = await readBytes(modelPath);
  const dumpText = new TextDecoder().decode(await readBytes(dumpPath));
  const model = basename(modelPath);
  const dumpName = basename(dumpPath);
  const t0 = performance.now();
  let outcome: CaseOutcome;
  let failure: unknown;
  let result;
  try {
    // a stream's dump (run/profile --dump of several frames) compares invocation by invocation
    const parsed = parseDumps(dumpText, dumpName);
    result = compareDumpStream({
      modelName: model,
      modelBytes,
      modelSha256: createHash('sha256').update(modelBytes).digest('hex'),
      dumps: parsed.invocations,
      resetState: parsed.resetState,
      dumpName,
      cpu,
    });
    // layers within the tolerance match-with-rounding; the first divergent is the first systematic
    result = withTolerance(result, tolerance);
    outcome = { model, board: dumpName, seconds: (performance.now() - t0) / 1000, compare: result };
  } catch (e) {
    failure = e;
    outcome = {
      model,
      board: dumpName,
      seconds: (performance.now() - t0) / 1000,
      error: e instanceof Error ? e.message : String(e),
    };
  }
  const written: string[] = [];
  const write = { overwrite: Boolean(opts.force) };
  if (result)
    for (const out of opts.out ?? []) written.push((await exportReport(result, out, undefined, write)).path);
  if (result && opts.modelExplorer)
    written.push(...(await writeModelExplorerNodeData(result, modelBytes, opts.modelExplorer, write)));
  const ci = await finishCi(
    'compare',
    [outcome],
    gate,
    opts.junit ? { path: paths[0], overwrite: write.overwrite } : undefined,
    startedAt,
  );
  if (opts.junit) written.push(paths[0]);
  if (result) {
    if (opts.json) process.stdout.write(compareJson(result, reportMeta()));
    else {
      const r = result;
      const bad = r.layers.filter((l) => l.status === 'mismatch' || l.status === 'missing');
      const d = r.stream?.firstDivergence;
      const lines = [
        ...(r.stream
          ? [
              `stream of ${r.stream.invocations} invocations: ${d ? `first divergence at invocation ${d.invocation}, layer ${d.layer} (${d.op})` : 'every invocation matches'}; invocation ${r.invocation}:`,
            ]
          : []),
        `${model} vs ${dumpName}: ${r.allMatch ? `all ${r.model.ops} layers match` : `first divergent layer: ${r.firstDivergent}`}`,
        ...bad.map(
          (l) =>
            `  layer ${l.index} ${l.op} '${l.name}': ${l.status}, ${l.mismatches} of ${l.elements} elements differ, max |Δ| ${l.maxAbsDiffLsb}`,
        ),
        ...verdictLines(r),
        ...written.map((p) => `wrote ${p}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    }
  }
  if (failure && ci.code === EXIT.OK)
    process.stderr.write(
      `quantscope: ${String((failure as Error).message ?? failure)} (not failing: --fail-on has no 'error')\n`,
    );
  if (ci.code !== EXIT.OK)
    throw failure && ci.code === EXIT.ERROR ? failure : new CommandExit(ci.code, ci.reason ?? 'failed');
}

export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'Compare a per-layer dump (golden JSON: profile --dump, a TFLite Micro golden) with the host simulator',
    )
    .argument('<model>', '.tflite model file')
    .argument('<dump>', 'per-layer dump in the golden JSON format (inputs and op_outputs)')
    .option('-o, --out <file...>', 'write the comparison report(s): .html, .csv, .json or .pdf')
    .option('--junit <file.xml>', 'write a JUnit XML report: one test case, the model against the dump')
    .option(
      '--fail-on <condition>',
      'what fails the command: mismatch (exit 4), error (exit 1); comma-separated or repeated; default: error',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option('--cpu <profile[@MHz]>', `${CPU_HELP}, for the estimate column`)
    .option('--mhz <n>', MHZ_HELP)
    .option('--json', 'print the comparison as JSON (quantscope.compare/1) instead of a table')
    .option('--force', 'overwrite --out and --junit files that already exist')
    .option(
      '--model-explorer <out.json>',
      'write the per-layer figures as Google Model Explorer node data for the same .tflite: OUT.<figure>.json per figure',
    )
    .option(
      '--tolerance <lsb>',
      'layers differing by at most this many LSB match-with-rounding (default 0: any difference diverges)',
    )
    .action((model: string, dump: string, opts: CompareOptions) => compareCommand(model, dump, opts));
}
