/**
 * `npm run test:cores`: every MUST_RUN golden (fixtures and field) on every emulated Arm core, in-image
 * (bench/firmware-goldens.ts), every op output bit-exact with TFLite Micro's. Prints the matrix
 * (golden × core: bit-exact / refused why / too big why / MISMATCH where), the first difference of
 * each mismatch (core, golden, op, tensor, element) and the wall time per core. Exits 1 on a mismatch
 * or on a refusal other than the int8-only Arm build's float32 one (QS_WITH_FLOAT=0).
 * Usage: npm run test:cores [-- m4 m55]   (cores; default all of GOLDEN_CORES)
 */
import { execFileSync } from 'node:child_process';
import { firmwareDir } from '../src-main/services/board/firmware.ts';
import { mustRunGoldens } from '../test/helpers/golden-cases.ts';
import {
  GOLDEN_CORES,
  goldenItem,
  runCoreGoldens,
  type CoreGoldens,
  type GoldenResult,
} from './firmware-goldens.ts';

/** The one refusal the Arm builds may give: their core has no float32 kernels. */
export const FLOAT_REFUSAL =
  /^refused: unsupported \(op \d+, tensor -?\d+\): float32 kernels are not in this build/;

export function expected(r: GoldenResult): boolean {
  return (
    r.verdict === 'bit-exact' ||
    r.verdict === 'too-big' ||
    (r.verdict === 'refused' && FLOAT_REFUSAL.test(r.detail))
  );
}

const wanted = process.argv.slice(2);
const cores = wanted.length ? GOLDEN_CORES.filter((c) => wanted.includes(c.core)) : GOLDEN_CORES;
if (wanted.length && cores.length !== wanted.length)
  throw new Error(
    `unknown core in ${wanted.join(' ')}: cores are ${GOLDEN_CORES.map((c) => c.core).join(', ')}`,
  );
execFileSync('make', ['-s', '-C', firmwareDir(), 'build/golden/.stamp'], { stdio: 'inherit' });
const items = mustRunGoldens().map((g) => goldenItem(g.id, g.modelBytes));

const runs: CoreGoldens[] = [];
for (const core of cores) {
  const run = await runCoreGoldens(core, items);
  runs.push(run);
  const n = (v: string) => run.results.filter((r) => r.verdict === v).length;
  console.error(
    `${core.label}: ${n('bit-exact')} bit-exact, ${n('refused')} refused, ${n('too-big')} too big, ` +
      `${n('mismatch')} mismatched; ${run.images} images, ${(run.ms / 1000).toFixed(1)} s`,
  );
}

const cell = (r: GoldenResult) =>
  r.verdict === 'bit-exact'
    ? 'bit-exact'
    : r.verdict === 'too-big'
      ? 'too big'
      : r.verdict === 'refused'
        ? FLOAT_REFUSAL.test(r.detail)
          ? 'refused: float32'
          : '**refused**'
        : '**MISMATCH**';
const lines = [
  `| golden | ${cores.map((c) => c.label).join(' | ')} |`,
  `|---|${cores.map(() => '---').join('|')}|`,
];
for (const it of items)
  lines.push(`| ${it.id} | ${runs.map((r) => cell(r.results.find((x) => x.id === it.id)!)).join(' | ')} |`);
lines.push('', `| core | images | wall time |`, '|---|---:|---:|');
for (const r of runs) lines.push(`| ${r.core.label} | ${r.images} | ${(r.ms / 1000).toFixed(1)} s |`);
const notes = runs.flatMap((r) =>
  r.results
    .filter((x) => x.verdict !== 'bit-exact' && !FLOAT_REFUSAL.test(x.detail))
    .map((x) => `- ${r.core.core} ${x.id}: ${x.detail}`),
);
if (notes.length) lines.push('', ...notes);
console.log(lines.join('\n'));
const bad = runs.flatMap((r) =>
  r.results.filter((x) => !expected(x)).map((x) => `${r.core.label} ${x.id}: ${x.detail}`),
);
if (bad.length) {
  console.error(`\nNot bit-exact or refused unexpectedly:\n${bad.join('\n')}`);
  process.exit(1);
}
