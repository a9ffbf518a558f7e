/**
 * Measured timings next to the host cost model: ticks → µs (tick clock) and → cycles (CPU clock),
 * each layer's share of the total, and a per-board calibration of the cost model with its fit error.
 */
import {
  calibrate,
  cpuProfile,
  CPU_PROFILES,
  estimateModel,
  type CpuProfile,
  type CpuProfileName,
  type LayerWork,
  type Measurement,
} from '../simulate/cost-model.ts';
import type { CalibrationSummary } from './types.ts';

export interface MeasuredTime {
  ticks: number;
  us: number;
  cycles?: number;
}

export function ticksToTime(ticks: number, tickHz: number, cpuHz: number): MeasuredTime {
  if (!(tickHz > 0))
    throw new Error(`board reports a tick rate of ${tickHz} Hz; cannot convert ticks to time`);
  const seconds = ticks / tickHz;
  return { ticks, us: seconds * 1e6, ...(cpuHz > 0 ? { cycles: Math.round(seconds * cpuHz) } : {}) };
}

/**
 * The cost-model profile for a board: its reported CPU when we have a profile for it (at its
 * clock), else `fallback`. Parses "cortex-m4" and "cortex-m4@80" (MHz).
 */
export function profileFor(cpu: string, cpuHz: number, fallback: CpuProfileName = 'cortex-m4'): CpuProfile {
  const [name, mhz] = cpu.toLowerCase().split('@');
  const known = (CPU_PROFILES as readonly string[]).includes(name) ? (name as CpuProfileName) : fallback;
  const clock = mhz ? Number(mhz) : cpuHz > 0 ? cpuHz / 1e6 : undefined;
  if (clock !== undefined && !(clock > 0)) throw new Error(`bad clock in CPU profile '${cpu}'`);
  return cpuProfile(known, clock);
}

export function profileLabel(p: CpuProfile): string {
  return `${p.name}@${+p.clockMHz.toFixed(3)}`;
}

/** What a board's measured time counts, and by which clock. */
export type MeasuredUnit = 'cycles' | 'instructions' | 'host µs';

export interface TimingScales {
  measuredUnit: MeasuredUnit;
  /** e.g. "QEMU icount", "DWT_CYCCNT at 180 MHz", "host clock CLOCK_MONOTONIC". */
  clockSource: string;
  /** Unit of the cost-model estimate, e.g. "M4 cycles" ("M3 instructions" on QEMU). */
  estUnit: string;
  /** True only when estimate and measurement count the same thing on the same CPU. */
  comparable: boolean;
  /** "not comparable: host µs vs M4 cycles" when they do not. */
  note?: string;
}

/** "cortex-m4" → "M4", "cortex-m0plus" → "M0+". */
function shortCpu(name: string): string {
  return name
    .replace(/^cortex-/i, '')
    .replace(/plus$/i, '+')
    .toUpperCase();
}

/** A QEMU board under -icount: its ticks count executed instructions. */
export function isEmulated(board: { name: string }): boolean {
  return /qemu/i.test(board.name);
}

/**
 * The unit and clock of a board's measurements next to the unit of the estimate. The virtual board
 * times the host PC (µs, no CPU clock); QEMU under -icount reports executed instructions (its
 * "CPU clock" is the 1 GHz instruction rate); a real board counts CPU cycles. The cost model counts
 * instructions per core (fitted to that core's QEMU counts) and cycles = CPI × instructions, so an
 * estimate is comparable with a measurement only on the board's own CPU: cycles with cycles on
 * hardware, that core's estimated instructions with QEMU's instruction count.
 */
export function timingScales(
  board: { name: string; cpu: string; cpuHz: number; tickSource: string },
  profile: CpuProfile,
): TimingScales {
  const boardCpu = board.cpu.toLowerCase().split('@')[0];
  const sameCpu = boardCpu === profile.name;
  const est = shortCpu(profile.name);
  if (!(board.cpuHz > 0)) {
    const estUnit = `${est} cycles`;
    return {
      measuredUnit: 'host µs',
      clockSource: `host clock ${board.tickSource}`,
      estUnit,
      comparable: false,
      note: `not comparable: host µs vs ${estUnit}`,
    };
  }
  if (isEmulated(board)) {
    // the estimate is given in instructions here (compare.ts picks them), per core
    const estUnit = `${est} instructions`;
    return {
      measuredUnit: 'instructions',
      clockSource: 'QEMU icount',
      estUnit,
      comparable: sameCpu,
      ...(sameCpu ? {} : { note: `not comparable: QEMU ${shortCpu(boardCpu)} instructions vs ${estUnit}` }),
    };
  }
  const estUnit = `${est} cycles`;
  return {
    measuredUnit: 'cycles',
    clockSource: `${board.tickSource} at ${+(board.cpuHz / 1e6).toFixed(3)} MHz`,
    estUnit,
    comparable: sameCpu,
    ...(sameCpu ? {} : { note: `not comparable: ${shortCpu(boardCpu)} cycles vs ${estUnit}` }),
  };
}

export interface FitError {
  op: string;
  layers: number;
  /** Mean |estimate − measured| / measured over the op type's layers. */
  meanRelError: number;
}

export interface Calibration {
  profile: CpuProfile;
  /** Per-layer estimates of the calibrated model. */
  estCycles: number[];
  before: { totalRelError: number; meanRelError: number };
  after: { totalRelError: number; meanRelError: number };
  perOp: FitError[];
}

function errors(est: number[], meas: number[]): { totalRelError: number; meanRelError: number } {
  const total = meas.reduce((a, b) => a + b, 0);
  const totalEst = est.reduce((a, b) => a + b, 0);
  let sum = 0;
  let n = 0;
  meas.forEach((m, i) => {
    if (m > 0) {
      sum += Math.abs(est[i] - m) / m;
      n++;
    }
  });
  return { totalRelError: total > 0 ? Math.abs(totalEst - total) / total : 0, meanRelError: n ? sum / n : 0 };
}

/**
 * Fits the cost model per op type to measured cycles (least squares in cost-model.ts) and reports
 * how well estimates match the measurements before and after. Needs cycles, i.e. a board that
 * knows its CPU clock.
 */
export function calibrateFromMeasurements(
  profile: CpuProfile,
  work: readonly LayerWork[],
  measuredCycles: readonly number[],
): Calibration {
  if (work.length !== measuredCycles.length)
    throw new Error(`${work.length} layers but ${measuredCycles.length} measurements`);
  if (!work.length) throw new Error('no layers to calibrate from');
  const ms: Measurement[] = work.map((w, i) => ({ ...w, cycles: measuredCycles[i] }));
  const fitted = calibrate(profile, ms);
  const before = estimateModel(profile, work).layers.map((l) => l.cycles);
  const after = estimateModel(fitted, work).layers.map((l) => l.cycles);
  const byOp = new Map<string, number[]>();
  work.forEach((w, i) => byOp.set(w.op, [...(byOp.get(w.op) ?? []), i]));
  const perOp = [...byOp].map(([op, idx]) => ({
    op,
    layers: idx.length,
    meanRelError: errors(
      idx.map((i) => after[i]),
      idx.map((i) => measuredCycles[i] as number),
    ).meanRelError,
  }));
  return {
    profile: fitted,
    estCycles: after,
    before: errors(before, [...measuredCycles]),
    after: errors(after, [...measuredCycles]),
    perOp,
  };
}

/**
 * Calibration of `profile` from a comparison's measured layers, as plain data for the API and
 * reports; undefined unless every layer has measured cycles (callers also check `timingScales`).
 */
export function calibrationSummary(
  profile: CpuProfile,
  work: readonly LayerWork[],
  layers: readonly { index: number; measuredCycles?: number; measuredUs?: number }[],
): CalibrationSummary | undefined {
  const ops = layers.filter((l) => l.index >= 0);
  // Only a board that counts cycles (or QEMU instructions) can calibrate a cycle model: host µs of
  // the virtual board are on another scale, and fitting them would print a meaningless "% error".
  if (ops.length !== work.length || ops.some((l) => l.measuredCycles === undefined)) return undefined;
  const measured = ops.map((l) => l.measuredCycles!);
  const cal = calibrateFromMeasurements(profile, work, measured);
  return {
    profile: profileLabel(profile),
    basis: 'cycles',
    before: cal.before,
    after: cal.after,
    perOp: cal.perOp,
    estCycles: cal.estCycles,
    coefficients: Object.fromEntries(
      [...new Set(work.map((w) => w.op))].map((op) => [op, cal.profile.ops[op] ?? cal.profile.fallback]),
    ),
  };
}
