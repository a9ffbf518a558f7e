/**
 * Per-layer cycle estimates for Cortex-M profiles running TFLite-Micro-style reference kernels.
 *
 *   instructions(layer) = base[op] + perMac[op] * MACs + perOut[op] * outputElements + perIn[op] * inputElements
 *   cycles(layer)       = cpi[profile] * instructions(layer)
 *   ms(layer)           = cycles / (clockMHz * 1000)
 *
 * Seeds: the Cortex-M3 instructions-per-MAC of TFLM reference kernels measured on QEMU mps2-an385
 * (ANCHORS.md: CONV_2D 9.06, DEPTHWISE_CONV_2D 42.3, FULLY_CONNECTED 7.41, averaged over six real
 * models; ~0.8-2.3 k instructions of interpreter overhead per inference, ~100 per op). Per-element
 * terms of the other ops and the CPI of each core are engineering estimates until `calibrate` is
 * fed board measurements (least squares per op type). docs/cost-model.md explains the numbers.
 */

export type CpuProfileName =
  | 'cortex-m0plus'
  | 'cortex-m3'
  | 'cortex-m4'
  | 'cortex-m7'
  | 'cortex-m33'
  | 'cortex-m55';

export interface OpCoefficients {
  base: number;
  perMac: number;
  perOut: number;
  perIn: number;
}

export interface CpuProfile {
  name: CpuProfileName;
  clockMHz: number;
  /** Cycles per instruction relative to the instruction counts (M3 = 1). */
  cpi: number;
  ops: Record<string, OpCoefficients>;
  /** Used for ops without their own entry. */
  fallback: OpCoefficients;
}

const c = (perMac: number, perOut: number, perIn = 0, base = 100): OpCoefficients => ({
  base,
  perMac,
  perOut,
  perIn,
});

/** Instruction coefficients of reference kernels on ARMv7-M (Cortex-M3). */
const M3_OPS: Record<string, OpCoefficients> = {
  CONV_2D: c(9.06, 40),
  DEPTHWISE_CONV_2D: c(42.3, 40),
  FULLY_CONNECTED: c(7.41, 40),
  // Measured on this project's core, not TFLM's kernel: make core-bench-m3 with the five seanet
  // transpose_conv field models on QEMU mps2-an385 (8.54 M instructions in all for 1.31 M MACs and
  // 18,880 outputs at 40 per output: 5.94 per MAC; 5.5 to 6.9 model by model).
  TRANSPOSE_CONV: c(5.94, 40),
  AVERAGE_POOL_2D: c(0, 30, 8),
  MAX_POOL_2D: c(0, 20, 6),
  SOFTMAX: c(0, 400),
  LOGISTIC: c(0, 250),
  TANH: c(0, 250),
  ADD: c(0, 70),
  SUB: c(0, 70),
  MUL: c(0, 45),
  QUANTIZE: c(0, 35),
  DEQUANTIZE: c(0, 25),
  RESHAPE: c(0, 0, 0.5, 60),
  SQUEEZE: c(0, 0, 0.5, 60),
  EXPAND_DIMS: c(0, 0, 0.5, 60),
  MEAN: c(0, 30, 4),
  HARD_SWISH: c(0, 40),
  LEAKY_RELU: c(0, 30),
  RELU: c(0, 25),
  RELU6: c(0, 8),
};

/**
 * CPI and instruction-count factors per core (relative to M3): M0+ lacks SMULL/UMULL-friendly
 * long multiplies and hardware divide, so the 64-bit requantization costs more instructions;
 * M7 dual-issues; M55 is treated like M7 because reference kernels do not use Helium.
 */
const CORES: Record<CpuProfileName, { cpi: number; instrFactor: number; clockMHz: number }> = {
  'cortex-m0plus': { cpi: 1.0, instrFactor: 1.6, clockMHz: 48 },
  'cortex-m3': { cpi: 1.0, instrFactor: 1.0, clockMHz: 72 },
  'cortex-m4': { cpi: 0.95, instrFactor: 1.0, clockMHz: 80 },
  'cortex-m7': { cpi: 0.6, instrFactor: 1.0, clockMHz: 216 },
  'cortex-m33': { cpi: 0.95, instrFactor: 1.0, clockMHz: 64 },
  'cortex-m55': { cpi: 0.6, instrFactor: 1.0, clockMHz: 160 },
};

export const CPU_PROFILES: readonly CpuProfileName[] = Object.keys(CORES) as CpuProfileName[];

export function cpuProfile(name: CpuProfileName, clockMHz?: number): CpuProfile {
  const core = CORES[name];
  if (!core) throw new Error(`unknown CPU profile '${name}' (${CPU_PROFILES.join(', ')})`);
  const scale = (k: OpCoefficients): OpCoefficients => ({
    base: k.base * core.instrFactor,
    perMac: k.perMac * core.instrFactor,
    perOut: k.perOut * core.instrFactor,
    perIn: k.perIn * core.instrFactor,
  });
  const ops: Record<string, OpCoefficients> = {};
  for (const [op, k] of Object.entries(M3_OPS)) ops[op] = scale(k);
  return { name, clockMHz: clockMHz ?? core.clockMHz, cpi: core.cpi, ops, fallback: scale(c(0, 20, 2)) };
}

export interface LayerWork {
  op: string;
  macs: number;
  outputElements: number;
  inputElements: number;
}

export interface LayerCost {
  cycles: number;
  ms: number;
}

export function estimateLayer(profile: CpuProfile, w: LayerWork): LayerCost {
  const k = profile.ops[w.op] ?? profile.fallback;
  const instructions = k.base + k.perMac * w.macs + k.perOut * w.outputElements + k.perIn * w.inputElements;
  const cycles = Math.round(profile.cpi * instructions);
  return { cycles, ms: cycles / (profile.clockMHz * 1000) };
}

export function estimateModel(
  profile: CpuProfile,
  layers: readonly LayerWork[],
): { layers: LayerCost[]; cycles: number; ms: number } {
  const costs = layers.map((l) => estimateLayer(profile, l));
  const cycles = costs.reduce((a, b) => a + b.cycles, 0);
  return { layers: costs, cycles, ms: cycles / (profile.clockMHz * 1000) };
}

export interface Measurement extends LayerWork {
  cycles: number;
}

/**
 * Fit each op type's coefficients to board measurements by least squares on
 * cycles / cpi = base + perMac * MACs + perOut * outputElements (perIn kept). With fewer
 * measurements than unknowns, only the dominant term (perMac if the op has MACs, else perOut) is
 * fitted through the origin after subtracting the current base.
 */
export function calibrate(profile: CpuProfile, measurements: readonly Measurement[]): CpuProfile {
  const byOp = new Map<string, Measurement[]>();
  for (const m of measurements) byOp.set(m.op, [...(byOp.get(m.op) ?? []), m]);
  const ops = { ...profile.ops };
  for (const [op, ms] of byOp) {
    const k = { ...(ops[op] ?? profile.fallback) };
    const ys = ms.map((m) => m.cycles / profile.cpi - k.perIn * m.inputElements);
    const hasMacs = ms.some((m) => m.macs > 0);
    const xs = ms.map((m) => [1, hasMacs ? m.macs : m.outputElements, hasMacs ? m.outputElements : 0]);
    const fit = ms.length >= 3 ? solveLeastSquares(xs, ys) : null;
    if (fit && fit.every((v) => Number.isFinite(v) && v >= 0)) {
      k.base = fit[0];
      if (hasMacs) [k.perMac, k.perOut] = [fit[1], fit[2]];
      else k.perOut = fit[1];
    } else {
      let num = 0;
      let den = 0;
      ms.forEach((m, i) => {
        const x = hasMacs ? m.macs : m.outputElements;
        const rest = hasMacs ? k.perOut * m.outputElements : 0;
        num += x * (ys[i] - k.base - rest);
        den += x * x;
      });
      if (den > 0) {
        if (hasMacs) k.perMac = Math.max(0, num / den);
        else k.perOut = Math.max(0, num / den);
      }
    }
    ops[op] = k;
  }
  return { ...profile, ops };
}

/** Normal equations (X^T X) b = X^T y by Gaussian elimination; null when singular. */
function solveLeastSquares(xs: number[][], ys: number[]): number[] | null {
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
  for (let col = 0; col < k; col++) {
    let piv = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) piv = r;
    if (Math.abs(m[piv][col]) < 1e-12 * Math.max(1, Math.abs(m[col][col]))) return null;
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
