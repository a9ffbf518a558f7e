/**
 * Fits per-op instruction coefficients of one core to the measured table
 * (cost-calibration.gen.ts: the kernels actually built for that core, run under QEMU icount).
 *
 * Terms per op type (cost-model.ts `layerInstructions`, work from layer-work.ts):
 *   ops with MACs:    base + perMac·MACs + perOut·outputs + perPixel·positions + perGather·patch elements
 *   ops without MACs: base + perOut·outputs + perIn·inputs
 * Positions are the output elements without the channel axis; patch elements what a kernel gathers
 * per position (a k×k convolution's im2col patch, none for a 1x1 one). The fixtures' convolutions
 * need both: a 3x3 first layer with one input channel pays hundreds of instructions per position
 * for its padded patch, a 1x1 layer with 128 channels about 2 per MAC.
 *
 * Least squares weighted by 1/measured (so small layers count as much as big ones in relative
 * terms), non-negative by an active set (a term that comes out negative is dropped and the rest
 * refitted). An op type with fewer than 6 rows keeps the seed's base and fits only its per-element
 * terms: a handful of rows cannot tell a fixed cost from a per-element one.
 */
import type { CalibrationRow } from './cost-calibration.gen.ts';

/** Instructions of one op: base + per MAC + per output/input element (+ per position, per gathered element). */
export interface OpCoefficients {
  base: number;
  perMac: number;
  perOut: number;
  perIn: number;
  /** Per output position (outputs / channels). */
  perPixel?: number;
  /** Per element of the patches gathered per position (LayerWork.gathers). */
  perGather?: number;
}

export interface WorkRow {
  op: string;
  instructions: number;
  macs: number;
  outputElements: number;
  inputElements: number;
  outputPixels: number;
  gathers: number;
}

export const TERMS = ['base', 'perMac', 'perOut', 'perPixel', 'perGather', 'perIn'] as const;

/** The value of each TERMS entry for one layer's work (the cost model's features). */
export function features(w: Omit<WorkRow, 'instructions' | 'op'>): number[] {
  return [1, w.macs, w.outputElements, w.outputPixels, w.gathers, w.inputElements];
}

/** Which terms an op type is fitted with. */
function termsFor(rows: readonly WorkRow[]): boolean[] {
  const macs = rows.some((r) => r.macs > 0);
  return macs ? [true, true, true, true, true, false] : [true, false, true, false, false, true];
}

export function fitOps(
  rows: readonly WorkRow[],
  seed: (op: string) => OpCoefficients,
): Record<string, OpCoefficients> {
  const byOp = new Map<string, WorkRow[]>();
  for (const r of rows) byOp.set(r.op, [...(byOp.get(r.op) ?? []), r]);
  const out: Record<string, OpCoefficients> = {};
  for (const [op, rs] of byOp) {
    const active = termsFor(rs);
    const fixedBase = rs.length < 6 ? seed(op).base : undefined;
    if (fixedBase !== undefined) active[0] = false;
    const xs = rs.map((r) => features(r));
    const ys = rs.map((r) => r.instructions - (fixedBase ?? 0));
    const ws = rs.map((r) => 1 / Math.max(40, r.instructions));
    let coef = new Array<number>(TERMS.length).fill(0);
    for (let tries = 0; tries < TERMS.length; tries++) {
      const idx = active.map((on, k) => (on ? k : -1)).filter((k) => k >= 0);
      if (!idx.length) break;
      const fit = gauss(
        xs.map((x, r) => idx.map((k) => x[k] * ws[r])),
        ys.map((y, r) => y * ws[r]),
      );
      if (typeof fit === 'number') {
        active[idx[fit]] = false; // a term the others already explain on these rows (FC: 1 pixel)
        continue;
      }
      coef = new Array<number>(TERMS.length).fill(0);
      idx.forEach((k, j) => (coef[k] = fit[j]));
      const negative = idx.find((k) => coef[k] < 0);
      if (negative === undefined) break;
      active[negative] = false;
      coef = new Array<number>(TERMS.length).fill(0);
    }
    if (fixedBase !== undefined) coef[0] = fixedBase;
    out[op] = Object.fromEntries(TERMS.map((t, k) => [t, coef[k]])) as unknown as OpCoefficients;
  }
  return out;
}

/** The calibration table's rows for one core as fitting input. */
export function calibrationRows(table: Record<string, CalibrationRow[]>): WorkRow[] {
  return Object.values(table).flatMap((rows) =>
    rows.map(([, op, instructions, macs, outputElements, inputElements, outputPixels, gathers]) => ({
      op,
      instructions,
      macs,
      outputElements,
      inputElements,
      outputPixels,
      gathers,
    })),
  );
}

/** Normal equations (X^T X) b = X^T y by Gaussian elimination; null when singular. */
export function solveLeastSquares(xs: number[][], ys: number[]): number[] | null {
  const r = gauss(xs, ys);
  return typeof r === 'number' ? null : r;
}

/** The solution, or the index of a column that depends on the ones before it. */
function gauss(xs: number[][], ys: number[]): number[] | number {
  const n = xs[0].length;
  const a = Array.from({ length: n }, (_, i) => [
    ...Array.from({ length: n }, (_, j) => xs.reduce((s, x) => s + x[i] * x[j], 0)),
    xs.reduce((s, x, r) => s + x[i] * ys[r], 0),
  ]);
  // Drop all-zero columns (e.g. the unused third term for ops without MACs).
  const active = Array.from({ length: n }, (_, i) => a[i][i] > 0);
  const idx = active.map((on, i) => (on ? i : -1)).filter((i) => i >= 0);
  const m = idx.map((i) => [...idx.map((j) => a[i][j]), a[i][n]]);
  const k = idx.length;
  const scale = m.map((row, i) => Math.max(1, Math.abs(row[i])));
  for (let col = 0; col < k; col++) {
    let piv = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) piv = r;
    if (Math.abs(m[piv][col]) < 1e-9 * scale[col]) return idx[col];
    [m[col], m[piv]] = [m[piv], m[col]];
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const f = m[r][col] / m[col][col];
      for (let cc = col; cc <= k; cc++) m[r][cc] -= f * m[col][cc];
    }
  }
  const out = new Array<number>(n).fill(0);
  idx.forEach((i, r) => (out[i] = m[r][k] / m[r][r]));
  return out;
}
