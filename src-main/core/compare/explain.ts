/**
 * Differences explained, not just counted: for a layer whose host and device outputs differ, the
 * distribution of Δ = device − host in the tensor's integer steps (LSB) and what kind of difference
 * it is. The rule, in this order (the first that holds names the layer; docs/compare.md):
 *
 *  1. rounding   — every |Δ| ≤ 1: ±1 steps, what an optimized kernel (CMSIS-NN, a SIMD
 *                  requantization) or another rounding mode shows against the reference — e.g. 80
 *                  of 51,200 elements in a published case; a rounding mode that differs (round down
 *                  vs half up) is one-sided, so the sign of Δ does not matter here.
 *  2. offset     — at least half of the elements differ, the mean Δ over the differing ones is at
 *                  least 1 LSB and their spread (standard deviation) is at most a quarter of it
 *                  (or 0.5 LSB): the whole tensor shifted, a wrong zero point or bias.
 *  3. saturation — at least 80 % of the differing elements have one side (always the same side:
 *                  device or host) pinned at a rail of the dtype (int8 −128/127…) and the other not.
 *  4. wrong-channel — the tensor has a last axis of 2 or more channels, at most half of them hold
 *                  a difference, and in each of those at least half of the elements differ: a
 *                  wrong per-channel multiplier, bias or weight slice.
 *  5. garbage    — at least half of the elements differ and host and device values are nearly
 *                  uncorrelated (Pearson r < 0.5): uninitialized memory, a wrong buffer.
 *  6. divergent  — any other systematic difference (large, but fitting none of the above).
 *
 * Only `rounding` is benign; the others are systematic. Float tensors have no LSB and are not
 * classified. Pure: typed arrays in, plain data out.
 */
import type { DeltaBin, DiffClass, DiffExplanation } from './types.ts';

/** Histogram bins of Δ (inclusive bounds; null = open end): single steps near 0, doubling beyond. */
const BIN_EDGES: [number | null, number | null][] = [
  [null, -129],
  [-128, -65],
  [-64, -33],
  [-32, -17],
  [-16, -9],
  [-8, -5],
  [-4, -4],
  [-3, -3],
  [-2, -2],
  [-1, -1],
  [0, 0],
  [1, 1],
  [2, 2],
  [3, 3],
  [4, 4],
  [5, 8],
  [9, 16],
  [17, 32],
  [33, 64],
  [65, 128],
  [129, null],
];

function binOf(d: number): number {
  for (let b = 0; b < BIN_EDGES.length; b++) {
    const [lo, hi] = BIN_EDGES[b];
    if ((lo === null || d >= lo) && (hi === null || d <= hi)) return b;
  }
  return BIN_EDGES.length - 1;
}

/** The integer range of a dtype (its rails); undefined for types without one. */
const RAILS: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

/** Thresholds of the rule above, named once. */
export const RULE = {
  roundingMaxLsb: 1,
  offsetMinShare: 0.5,
  offsetMinMeanLsb: 1,
  offsetMaxSpreadRatio: 0.25,
  offsetMinSpreadLsb: 0.5,
  saturationShare: 0.8,
  wrongChannelMaxShare: 0.5,
  wrongChannelDensity: 0.5,
  garbageMinShare: 0.5,
  garbageMaxCorrelation: 0.5,
} as const;

/** Systematic classes: everything but rounding. */
export const isSystematic = (c: DiffClass | undefined): boolean => c !== 'rounding';

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) ((sa += a[i]), (sb += b[i]));
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    cov += x * y;
    va += x * x;
    vb += y * y;
  }
  // a constant side has no correlation to speak of
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
}

/**
 * The explanation of an integer tensor's difference (host and device element values, same length,
 * at least one element different); `shape` names the last axis for the channel rule.
 */
export function explainDifference(
  host: ArrayLike<number>,
  device: ArrayLike<number>,
  shape: readonly number[],
  dtype: string,
): DiffExplanation {
  const n = host.length;
  const counts = new Array<number>(BIN_EDGES.length).fill(0);
  const channels = shape.length >= 2 ? shape[shape.length - 1] : 1;
  const perChannel = new Array<number>(channels).fill(0);
  const rails = RAILS[dtype];
  let m = 0;
  let sumAll = 0;
  let sumSq = 0;
  let sumD = 0;
  let sumD2 = 0;
  let maxAbs = 0;
  let pinnedDevice = 0;
  let pinnedHost = 0;
  for (let i = 0; i < n; i++) {
    const d = device[i] - host[i];
    counts[binOf(d)]++;
    sumAll += d;
    sumSq += d * d;
    if (d === 0) continue;
    m++;
    sumD += d;
    sumD2 += d * d;
    maxAbs = Math.max(maxAbs, Math.abs(d));
    perChannel[i % channels]++;
    if (rails) {
      const atRail = (v: number) => v === rails[0] || v === rails[1];
      if (atRail(device[i]) && !atRail(host[i])) pinnedDevice++;
      if (atRail(host[i]) && !atRail(device[i])) pinnedHost++;
    }
  }
  const meanAll = n ? sumAll / n : 0;
  const mean = m ? sumD / m : 0;
  const spread = m ? Math.sqrt(Math.max(0, sumD2 / m - mean * mean)) : 0;
  const affected = perChannel.filter((k) => k > 0).length;
  const perChannelElements = n / channels;
  const dense = perChannel.every((k) => k === 0 || k >= RULE.wrongChannelDensity * perChannelElements);
  let kind: DiffClass;
  if (maxAbs <= RULE.roundingMaxLsb) kind = 'rounding';
  else if (
    m >= RULE.offsetMinShare * n &&
    Math.abs(mean) >= RULE.offsetMinMeanLsb &&
    spread <= Math.max(RULE.offsetMinSpreadLsb, RULE.offsetMaxSpreadRatio * Math.abs(mean))
  )
    kind = 'offset';
  else if (Math.max(pinnedDevice, pinnedHost) >= RULE.saturationShare * m) kind = 'saturation';
  else if (channels >= 2 && affected <= RULE.wrongChannelMaxShare * channels && dense) kind = 'wrong-channel';
  else if (m >= RULE.garbageMinShare * n && pearson(host, device) < RULE.garbageMaxCorrelation)
    kind = 'garbage';
  else kind = 'divergent';
  const out: DiffExplanation = {
    class: kind,
    histogram: BIN_EDGES.map(([lo, hi], b) => ({ lo, hi, count: counts[b] })),
    meanLsb: meanAll,
    rmseLsb: n ? Math.sqrt(sumSq / n) : 0,
  };
  if (kind === 'offset') out.offsetLsb = mean;
  if (kind === 'saturation') out.pinned = pinnedDevice >= pinnedHost ? 'device' : 'host';
  if (kind === 'wrong-channel') out.channels = perChannel.flatMap((k, c) => (k > 0 ? [c] : [])).slice(0, 64);
  return out;
}

/** A histogram bin's label: "-1", "5..8", "≤-129", "≥129". */
export function binLabel(b: DeltaBin): string {
  if (b.lo === null) return `≤${b.hi}`;
  if (b.hi === null) return `≥${b.lo}`;
  return b.lo === b.hi ? String(b.lo) : `${b.lo}..${b.hi}`;
}

/** Human words for a class, for verdicts and tables. */
export const CLASS_WORDS: Record<DiffClass, string> = {
  rounding: 'scattered ±1 LSB rounding',
  offset: 'systematic offset',
  saturation: 'saturation at the dtype rail',
  'wrong-channel': 'wrong channel(s)',
  garbage: 'garbage (uncorrelated values)',
  divergent: 'systematic divergence',
};
