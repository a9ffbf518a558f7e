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
 * reports. Uses measured cycles when the board knows its clock, else µs at the profile's clock.
 */
export function calibrationSummary(
  profile: CpuProfile,
  work: readonly LayerWork[],
  layers: readonly { index: number; measuredCycles?: number; measuredUs?: number }[],
): CalibrationSummary | undefined {
  const ops = layers.filter((l) => l.index >= 0);
  if (ops.length !== work.length || ops.some((l) => l.measuredUs === undefined)) return undefined;
  // Boards that do not know their CPU clock (the virtual board on the PC) are fitted on measured
  // µs × the profile clock: the fit then describes that machine in the profile's cycle units.
  const basis = ops.every((l) => l.measuredCycles !== undefined) ? 'cycles' : 'us-at-profile-clock';
  const measured = ops.map((l) =>
    basis === 'cycles' ? l.measuredCycles! : l.measuredUs! * profile.clockMHz,
  );
  const cal = calibrateFromMeasurements(profile, work, measured);
  return {
    profile: profileLabel(profile),
    basis,
    before: cal.before,
    after: cal.after,
    perOp: cal.perOp,
    estCycles: cal.estCycles,
    coefficients: Object.fromEntries(
      [...new Set(work.map((w) => w.op))].map((op) => [op, cal.profile.ops[op] ?? cal.profile.fallback]),
    ),
  };
}
