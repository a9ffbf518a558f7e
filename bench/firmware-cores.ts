/**
 * Our firmware on every emulated core (the in-image core benchmark, `make core-bench-<core>`:
 * port/ports.mk) beside TFLite Micro's reference kernels and TFLM + CMSIS-NN on the same core
 * (../shared/ANCHORS.md, bench/firmware-peers.ts): instructions per inference, instructions per MAC
 * per op type and arena bytes, for person detection and keyword spotting, and how far we are from
 * CMSIS-NN (ours / theirs; below 1 is fewer instructions). Every op output is checked bit-exact
 * against the goldens on every core. Used by `npm run bench:boards`.
 */
import { instrPerMac, runCoreBench, type ModelBench } from './firmware-m3.ts';
import { CORE_PEERS, type PeerRow } from './firmware-peers.ts';

export interface BenchCore {
  /** make core-bench-<core> */
  core: string;
  label: string;
  peers: keyof typeof CORE_PEERS;
}

export const BENCH_CORES: BenchCore[] = [
  { core: 'm3', label: 'Cortex-M3 (mps2-an385)', peers: 'm3' },
  { core: 'm4', label: 'Cortex-M4F (mps2-an386)', peers: 'm4' },
  { core: 'm7', label: 'Cortex-M7 (mps2-an500)', peers: 'm7' },
  { core: 'm33', label: 'Cortex-M33 (mps2-an505)', peers: 'm33' },
  { core: 'm55', label: 'Cortex-M55 (mps3-an547)', peers: 'm55' },
  { core: 'nucleo', label: 'NUCLEO-F446RE port, Cortex-M4 (netduinoplus2)', peers: 'm4' },
];

export const TABLE_MODELS = ['person_detect', 'keyword_spotting_on_off'];

const OPS: [string, keyof PeerRow][] = [
  ['CONV_2D', 'conv'],
  ['DEPTHWISE_CONV_2D', 'depthwise'],
  ['FULLY_CONNECTED', 'fc'],
];

export interface CoreRun {
  core: BenchCore;
  models: ModelBench[];
}

export const instructions = (m: ModelBench) => m.totalTicks * m.insnPerTick;

const mi = (n: number) => `${(n / 1e6).toFixed(2)} M`;
const num = (n: number) => Math.round(n).toLocaleString('en-US');

/** "38.39 M vs 22.93 M: 1.67x (+15.46 M)"-style gap to a peer figure. */
export function gap(ours: number, theirs: number | undefined, fmt: (n: number) => string): string {
  if (theirs === undefined) return '–';
  const d = ours - theirs;
  return `${fmt(theirs)} (${(ours / theirs).toFixed(2)}x, ${d >= 0 ? '+' : '−'}${fmt(Math.abs(d))})`;
}

/** One markdown row per core and model that ran. */
export function coreTable(runs: CoreRun[]): string {
  const head =
    '| core | model | bit-exact | ours instructions | TFLM reference | TFLM + CMSIS-NN (ours/theirs, gap) | CONV_2D instr/MAC (CMSIS-NN) | DEPTHWISE instr/MAC (CMSIS-NN) | FC instr/MAC (CMSIS-NN) | arena B (TFLM) |';
  const rows = [head, '|---|---|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const { core, models } of runs)
    for (const name of TABLE_MODELS) {
      const m = models.find((x) => x.name === name);
      if (!m) continue;
      const p = CORE_PEERS[core.peers];
      const ref = p.reference[name];
      const cm = p.cmsisNn[name];
      const ours = instructions(m);
      const perMac = OPS.map(([op, key]) => {
        const v = instrPerMac(m, op);
        if (v === undefined) return '–';
        const t = cm?.[key];
        return t === undefined ? v.toFixed(2) : `${v.toFixed(2)} (${t} = ${(v / t).toFixed(2)}x)`;
      });
      const arena = ref?.arena ?? cm?.arena;
      rows.push(
        `| ${core.label} | ${name} | ${m.bitExact ? 'yes' : '**no**'} | ${mi(ours)} | ${ref?.instructions ? mi(ref.instructions) : '–'} | ` +
          `${gap(ours, cm?.instructions, mi)} | ${perMac.join(' | ')} | ${num(m.arena)}${arena ? ` (${num(arena)})` : ''} |`,
      );
    }
  return rows.join('\n');
}

/** Runs the benchmark on each core in turn (the machine has 2 CPUs; QEMU is single-threaded). */
export async function runCores(cores = BENCH_CORES): Promise<CoreRun[]> {
  const runs: CoreRun[] = [];
  for (const core of cores) runs.push({ core, models: await runCoreBench(core.core) });
  return runs;
}
