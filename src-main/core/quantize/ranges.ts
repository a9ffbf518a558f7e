/**
 * Calibration range collectors: they see every calibration batch of one tensor and pick the float
 * range [min, max] its int8 parameters are computed from.
 * - min/max: the extremes seen (what the TFLite converter does); one outlier widens the step for all.
 * - percentile: clip to the p-th / (100−p)-th percentile of the observed values.
 * - MSE: the clipping range that minimizes the expected squared int8 error (clipping error of the
 *   values outside + step²/12 rounding noise of those inside), searched over the histogram.
 */

export type RangeMethod = 'minmax' | 'percentile' | 'mse';

export interface Range {
  min: number;
  max: number;
}

export class MinMaxRange {
  min = Infinity;
  max = -Infinity;
  count = 0;

  observe(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isNaN(v)) continue;
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
    }
    this.count += values.length;
  }

  range(): Range {
    if (this.count === 0 || this.min > this.max)
      throw new Error('No calibration values were observed for this tensor');
    return { min: this.min, max: this.max };
  }
}

/**
 * A fixed-bin histogram whose range grows by powers of two when new values fall outside it, so
 * old bins merge exactly (bin counts stay integral) without keeping every value.
 */
export class RangeHistogram {
  readonly bins: number;
  counts: Float64Array;
  lo = 0;
  hi = 0;
  readonly extremes = new MinMaxRange();
  /** Exact zeros (ReLU floors, padding): int8 represents them without error, so they are tracked apart. */
  zeros = 0;

  constructor(bins = 2048) {
    if (!Number.isInteger(Math.log2(bins)))
      throw new Error(`Histogram bins must be a power of two, got ${bins}`);
    this.bins = bins;
    this.counts = new Float64Array(bins);
  }

  private grow(down: boolean, factor: number): void {
    const width = this.hi - this.lo;
    const next = new Float64Array(this.bins);
    // The old range becomes 1/factor of the new one, at its top (growing down) or bottom (growing up).
    const offset = down ? this.bins - this.bins / factor : 0;
    for (let i = 0; i < this.bins; i++) next[Math.floor(offset + i / factor)] += this.counts[i];
    this.counts = next;
    if (down) this.lo = this.hi - width * factor;
    else this.hi = this.lo + width * factor;
  }

  observe(values: ArrayLike<number>): void {
    const batch = new MinMaxRange();
    batch.observe(values);
    if (batch.count === 0 || batch.min > batch.max) return;
    this.extremes.observe([batch.min, batch.max]);
    if (this.hi === this.lo) {
      // First batch: span exactly what was seen (a constant tensor gets a tiny span around it).
      const pad = batch.max === batch.min ? Math.max(Math.abs(batch.min) * 1e-6, 1e-12) : 0;
      this.lo = batch.min - pad;
      this.hi = batch.max + pad;
    }
    // Grow by at least 2x (and at most `bins`x per step, so merged bins stay whole).
    const factorFor = (need: number) =>
      Math.min(this.bins, Math.max(2, 2 ** Math.ceil(Math.log2(need / (this.hi - this.lo)))));
    while (batch.max > this.hi) this.grow(false, factorFor(batch.max - this.lo));
    while (batch.min < this.lo) this.grow(true, factorFor(this.hi - batch.min));
    const w = (this.hi - this.lo) / this.bins;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isNaN(v)) continue;
      const b = Math.min(this.bins - 1, Math.max(0, Math.floor((v - this.lo) / w)));
      this.counts[b] += 1;
      if (v === 0) this.zeros += 1;
    }
  }

  get total(): number {
    return this.counts.reduce((a, b) => a + b, 0);
  }

  /** Value below which `q` (0..1) of the observations lie, interpolated inside the bin. */
  quantile(q: number): number {
    const target = q * this.total;
    const w = (this.hi - this.lo) / this.bins;
    let seen = 0;
    for (let b = 0; b < this.bins; b++) {
      const c = this.counts[b];
      if (c > 0 && seen + c >= target) return this.lo + (b + (target - seen) / c) * w;
      seen += c;
    }
    return this.hi;
  }

  /** Range clipped at the given percentile, e.g. 99.99 → [0.01 %, 99.99 %]; never wider than seen. */
  percentileRange(percentile: number): Range {
    if (!(percentile > 50 && percentile <= 100))
      throw new Error(`Percentile must be in (50, 100], got ${percentile}`);
    const { min, max } = this.extremes.range();
    const p = percentile / 100;
    // Within one bin of an extreme the interpolation is noise: keep the extreme (e.g. ReLU's 0).
    const w = (this.hi - this.lo) / this.bins;
    const lo = this.quantile(1 - p);
    const hi = this.quantile(p);
    return { min: lo - min < w ? min : lo, max: max - hi < w ? max : hi };
  }

  /**
   * Expected squared error per value of asymmetric int8 quantization over [lo, hi] (0 included):
   * values outside are clipped to the nearest end, values inside carry step²/12 rounding noise.
   * Bin mass is treated as sitting at the bin centre.
   */
  quantizationError(lo: number, hi: number): number {
    return this.errorModel()(lo, hi);
  }

  /**
   * An O(1) evaluator of `quantizationError` from prefix sums over the bins of n, n·x and n·x²:
   * clipping below a costs Σ n(a − x)² = a²N − 2aΣnx + Σnx² over the bins left of a (same above b).
   */
  private errorModel(): (lo: number, hi: number) => number {
    const w = (this.hi - this.lo) / this.bins;
    const n = new Float64Array(this.bins + 1);
    const sx = new Float64Array(this.bins + 1);
    const sxx = new Float64Array(this.bins + 1);
    for (let i = 0; i < this.bins; i++) {
      const x = this.lo + (i + 0.5) * w;
      const c = this.counts[i];
      n[i + 1] = n[i] + c;
      sx[i + 1] = sx[i] + c * x;
      sxx[i + 1] = sxx[i] + c * x * x;
    }
    const total = n[this.bins];
    // Exact zeros are always in range and quantize exactly: no rounding noise for them.
    const zeros = this.zeros;
    const clampBins = (k: number) => Math.min(this.bins, Math.max(0, k));
    /** Bins whose centre lies below v, and at or below v. */
    const below = (v: number) => clampBins(Math.ceil((v - this.lo) / w - 0.5));
    const atOrBelow = (v: number) => clampBins(Math.floor((v - this.lo) / w - 0.5) + 1);
    return (lo, hi) => {
      if (total === 0) return 0;
      const a = Math.min(lo, 0);
      const b = Math.max(hi, 0);
      const step = (b - a) / 255;
      const ia = below(a);
      const ib = Math.max(ia, atOrBelow(b));
      const clipLow = a * a * n[ia] - 2 * a * sx[ia] + sxx[ia];
      const nHigh = total - n[ib];
      const clipHigh = b * b * nHigh - 2 * b * (sx[this.bins] - sx[ib]) + (sxx[this.bins] - sxx[ib]);
      const inside = n[ib] - n[ia] - zeros;
      return (
        (Math.max(0, clipLow) + Math.max(0, clipHigh) + (Math.max(0, inside) * step * step) / 12) / total
      );
    };
  }

  /**
   * The clipping range with the least expected int8 error. Each end is searched on a geometric
   * grid from its extreme down to 1/1024 of it (so a single far outlier can be clipped away);
   * an end on the far side of 0 (ReLU outputs: min = 0) stays put.
   */
  mseRange(stepsPerOctave = 8, octaves = 10): Range {
    const { min, max } = this.extremes.range();
    const error = this.errorModel();
    const grid = (end: number) =>
      Array.from({ length: stepsPerOctave * octaves + 1 }, (_, j) => end * 2 ** (-j / stepsPerOctave));
    const los = min < 0 ? grid(min) : [min];
    const his = max > 0 ? grid(max) : [max];
    let best = { min, max, err: error(min, max) };
    for (const lo of los)
      for (const hi of his) {
        const err = error(lo, hi);
        if (err < best.err) best = { min: lo, max: hi, err };
      }
    return { min: best.min, max: best.max };
  }
}

export interface CollectorOptions {
  method: RangeMethod;
  /** For 'percentile' (default 99.99). */
  percentile?: number;
  bins?: number;
}

/** One tensor's calibration collector for the chosen method. */
export class RangeCollector {
  private readonly minmax = new MinMaxRange();
  private readonly hist: RangeHistogram | null;

  constructor(readonly options: CollectorOptions) {
    this.hist = options.method === 'minmax' ? null : new RangeHistogram(options.bins ?? 2048);
  }

  observe(values: ArrayLike<number>): void {
    if (this.hist) this.hist.observe(values);
    else this.minmax.observe(values);
  }

  range(): Range {
    if (!this.hist) return this.minmax.range();
    return this.options.method === 'percentile'
      ? this.hist.percentileRange(this.options.percentile ?? 99.99)
      : this.hist.mseRange();
  }
}
