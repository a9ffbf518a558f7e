/**
 * `npm run bench:boards`:
 *   1. per emulated core (Cortex-M3, M4, M7, M33, M55, the NUCLEO port on netduinoplus2): our
 *      instructions per inference and per MAC for person detection and keyword spotting beside TFLM
 *      reference and TFLM + CMSIS-NN on the same core, every op output bit-exact (firmware-cores.ts);
 *   2. wall time of `quantscope profile` on three boards (two virtual boards and the emulated
 *      Cortex-M3) run in parallel in one call, beside each board alone and their sum. Median of N
 *      runs (default 3) per row, through the bin as a user runs it. The firmware builds first, so
 *      no row pays for make.
 * Options: --model FILE (default the micro_speech fixture), --runs N, --json, --no-cores (skip 1),
 * --cores-only (skip 2).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { firmwareDir } from '../src-main/services/board/firmware.ts';
import { coreTable, instructions, runCores, TABLE_MODELS } from './firmware-cores.ts';

const REPO = resolve(import.meta.dirname, '..');
const FIXTURES = process.env.QS_FIXTURES ?? resolve(REPO, '../shared/fixtures');
const BIN = resolve(REPO, 'bin/quantscope.mjs');
const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(k);
  return i > 0 ? process.argv[i + 1] : d;
};
const MODEL = resolve(arg('--model', resolve(FIXTURES, 'models/micro_speech_quantized.tflite')));
const RUNS = Number(arg('--runs', '3'));
const BOARDS = ['virtual', 'virtual', 'qemu'];

function profile(boards: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [BIN, 'profile', MODEL, ...boards.flatMap((b) => ['--board', b]), '--fail-on', 'mismatch,error'],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`profile on ${boards.join(', ')} exited ${r.status}: ${r.stderr}`);
  return s;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

if (!process.argv.includes('--no-cores')) {
  const t0 = performance.now();
  const runs = await runCores();
  const json = process.argv.includes('--json');
  if (json)
    process.stdout.write(
      JSON.stringify(
        runs.map((r) => ({
          core: r.core.label,
          models: r.models
            .filter((m) => TABLE_MODELS.includes(m.name))
            .map((m) => ({
              name: m.name,
              bitExact: m.bitExact,
              instructions: instructions(m),
              arena: m.arena,
            })),
        })),
        null,
        1,
      ) + '\n',
    );
  else {
    process.stdout.write(
      `in-image core benchmark on every emulated core (QEMU -icount shift=0, executed instructions), ${((performance.now() - t0) / 1000).toFixed(0)} s\n\n`,
    );
    process.stdout.write(coreTable(runs) + '\n\n');
  }
  const bad = runs.flatMap((r) =>
    r.models.filter((m) => !m.bitExact).map((m) => `${r.core.label}: ${m.name}`),
  );
  if (bad.length) {
    process.stderr.write(`NOT bit-exact: ${bad.join(', ')}\n`);
    process.exitCode = 1;
  }
  if (process.argv.includes('--cores-only')) process.exit();
}

execFileSync('make', ['-s', '-C', firmwareDir(), 'host', 'mps2'], { stdio: 'inherit' });
const alone: number[][] = BOARDS.map(() => []);
const together: number[] = [];
for (let i = 0; i < RUNS; i++) {
  BOARDS.forEach((b, j) => alone[j].push(profile([b])));
  together.push(profile(BOARDS));
}
const rows = BOARDS.map((b, j) => ({ run: `${b} alone`, s: median(alone[j]) }));
const sum = rows.reduce((a, r) => a + r.s, 0);
const parallel = median(together);
if (process.argv.includes('--json')) {
  process.stdout.write(
    JSON.stringify({ model: MODEL, runs: RUNS, rows, sum_s: sum, parallel_s: parallel }, null, 1) + '\n',
  );
} else {
  process.stdout.write(`profile ${resolve(MODEL).split('/').pop()}, wall time, median of ${RUNS}\n\n`);
  for (const r of rows) process.stdout.write(`${r.run.padEnd(28)} ${r.s.toFixed(2).padStart(7)} s\n`);
  process.stdout.write(`${'sum of the three alone'.padEnd(28)} ${sum.toFixed(2).padStart(7)} s\n`);
  process.stdout.write(
    `${'all three in one call'.padEnd(28)} ${parallel.toFixed(2).padStart(7)} s  (${((parallel / sum) * 100).toFixed(0)}% of the sum)\n`,
  );
}
if (parallel >= sum) process.exitCode = 1;
