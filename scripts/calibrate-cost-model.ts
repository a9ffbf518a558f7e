/**
 * `npm run calibrate:cost`: regenerates src-main/core/simulate/cost-calibration.gen.ts, the
 * measured instruction counts the per-core cost model is fitted to.
 *
 * For each emulated core (Cortex-M3 portable kernels; M4, M7, M33 with the Arm DSP kernels; M55,
 * built for its own -mcpu) it runs the in-image core benchmark (`make -C firmware core-bench-<core>`:
 * every fixture model once on its golden input under QEMU `-icount shift=0`, every op output
 * checked bit-exact), then the field models of FIELD below (sequence and audio ops: LSTM, SVDF, the
 * signal library; `make core-bench-<core> BENCH_MODELS="field/..."`, their TFLite Micro goldens
 * checked the same way) and stores, per model and op, the op's work as the cost model sees it
 * (layerWork: MACs, output and input elements, from the .tflite) beside its executed instructions
 * (ticks x instructions per tick). About 15 s per core. Refuses to write a table from a run that is
 * not bit-exact. Options: --out FILE, --cores m3,m4 (default all five), --keep-counts (recompute the
 * work columns from layer-work.ts, keep the committed instruction counts: no QEMU).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runCoreBench, type ModelBench } from '../bench/firmware-m3.ts';
import { readTflite } from '../src-main/core/model/tflite-reader.ts';
import { layerWork } from '../src-main/core/simulate/layer-work.ts';

const REPO = resolve(import.meta.dirname, '..');
const FIXTURES = process.env.QS_FIXTURES ?? resolve(REPO, '../shared/fixtures');
const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(k);
  return i > 0 ? process.argv[i + 1] : d;
};
const OUT = resolve(arg('--out', resolve(REPO, 'src-main/core/simulate/cost-calibration.gen.ts')));
const CORES: Record<string, string> = {
  m3: 'cortex-m3',
  m4: 'cortex-m4',
  m7: 'cortex-m7',
  m33: 'cortex-m33',
  m55: 'cortex-m55',
};
const cores = arg('--cores', Object.keys(CORES).join(',')).split(',');

/**
 * Field models (fixtures/field/models, goldens in MUST_RUN) that carry the sequence and audio ops and
 * run on the int8-only Cortex-M images (the float32 ones — mnist_lstm trained_lstm, the float audio
 * preprocessor — are refused there: QS_WITH_FLOAT=0). Named field/NAME in the table.
 */
const FIELD = [
  'google-coral__keras_lstm_mnist_ptq',
  'tensorflow__tensorflow_lite_micro_examples_mnist_lstm_trained_lstm_int8',
  'tensorflow__third_party_xtensa_examples_micro_speech_lstm_micro_speech_lstm',
  'tensorflow__tensorflow_lite_micro_examples_dtln_dtln_noise_suppression',
  'tensorflow__tensorflow_lite_micro_models_keyword_scrambled',
  'tensorflow__tensorflow_lite_micro_models_keyword_scrambled_8bit',
  'tensorflow__tensorflow_lite_micro_examples_micro_speech_models_audio_preprocessor_int8',
].map((n) => `field/${n}`);

/** A table name's .tflite: fixtures/models/NAME.tflite, or fixtures/field/models/NAME for field/NAME. */
const modelPath = (name: string) =>
  name.startsWith('field/')
    ? resolve(FIXTURES, 'field', 'models', `${name.slice(6)}.tflite`)
    : resolve(FIXTURES, 'models', `${name}.tflite`);

// --keep-counts: recompute only the work columns (after a change to layer-work.ts), keeping the
// instruction counts (and the firmware revision) of the committed table; no QEMU.
const keep = process.argv.includes('--keep-counts')
  ? (await import('../src-main/core/simulate/cost-calibration.gen.ts')).CALIBRATION
  : undefined;
const keptRev = keep ? /firmware at (\w+)/.exec(readFileSync(OUT, 'utf8'))?.[1] : undefined;

/** The committed table's counts in core-bench's shape (instructions per tick 1). */
function keptBench(cpu: string): ModelBench[] {
  const t = keep?.[cpu];
  if (!t) throw new Error(`--keep-counts: the table has no ${cpu}`);
  return Object.entries(t).map(([name, rows]) => ({
    name,
    insnPerTick: 1,
    arena: 0,
    bitExact: true,
    totalTicks: rows.reduce((a, r) => a + r[2], 0),
    ops: rows.map((r) => ({ index: r[0], op: r[1].split(':')[0], ticks: r[2], macs: r[3] })),
  }));
}

const table: Record<string, Record<string, (string | number)[][]>> = {};
for (const core of cores) {
  const cpu = CORES[core];
  if (!cpu) throw new Error(`unknown core '${core}' (${Object.keys(CORES).join(', ')})`);
  process.stderr.write(keep ? `${cpu}: work columns only\n` : `core-bench-${core} …\n`);
  const models = keep
    ? keptBench(cpu)
    : [...(await runCoreBench(core)), ...(await runCoreBench(core, [`BENCH_MODELS=${FIELD.join(' ')}`]))];
  table[cpu] = {};
  for (const m of models) {
    if (!m.bitExact) throw new Error(`${cpu}: ${m.name} is not bit-exact; not calibrating on it`);
    const work = layerWork(readTflite(readFileSync(modelPath(m.name))).subgraphs[0]);
    if (work.length !== m.ops.length)
      throw new Error(`${cpu}: ${m.name} has ${work.length} ops, the benchmark ran ${m.ops.length}`);
    table[cpu][m.name] = m.ops.map((o, i) => {
      const w = work[i];
      if (w.op !== o.op) throw new Error(`${cpu}: ${m.name} op ${i} is ${w.op}, the benchmark ran ${o.op}`);
      return [
        i,
        w.kernel ?? w.op,
        o.ticks * m.insnPerTick,
        w.macs,
        w.outputElements,
        w.inputElements,
        w.outputPixels ?? 1,
        w.gathers ?? 0,
      ];
    });
  }
}

const rev =
  keptRev ?? execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const lines = [
  '// Generated by `npm run calibrate:cost` (scripts/calibrate-cost-model.ts) from the in-image core',
  `// benchmark on QEMU -icount shift=0 (firmware at ${rev}); do not edit by hand.`,
  '// Per core, one line per fixture model (and field/NAME: field models with LSTM, SVDF, signal ops): a row',
  '// per op: [op index, kernel (op type, with its types when not int8: layer-work.ts kernelKey), executed',
  '// instructions, MACs, output elements, input elements, output positions, patch elements] (layer-work.ts).',
  '// Instructions are SysTick ticks x instructions per tick: multiples of 40 (50 on the M33, 31.25 on the M55).',
  'export type CalibrationRow = [number, string, number, number, number, number, number, number];',
  'export const CALIBRATION: Record<string, Record<string, CalibrationRow[]>> = {',
];
for (const [cpu, models] of Object.entries(table)) {
  lines.push(`  '${cpu}': {`);
  for (const [model, rows] of Object.entries(models)) {
    const cells = rows.map(
      ([i, kernel, insn, macs, out, inp, pix, patch]) =>
        `[${i}, '${kernel}', ${insn}, ${macs}, ${out}, ${inp}, ${pix}, ${patch}]`,
    );
    lines.push(`    ${/^\w+$/.test(model) ? model : `'${model}'`}: [${cells.join(', ')}],`);
  }
  lines.push('  },');
}
lines.push('};', '');
writeFileSync(OUT, lines.join('\n'));
process.stderr.write(`wrote ${OUT}\n`);
