/**
 * Graph overlays (issue 19 item 6): one number per layer drawn as node colour, from what the app
 * already holds for the model — the last board profile's comparison (mismatch LSB, measured time),
 * the last simulation's cost-model estimate, or the model itself (output tensor size). An overlay
 * without data says why instead of drawing nothing.
 */
import type { CompareResult } from '../../src-main/core/compare/types.ts';
import type { QuantizationReport, SimulateResult } from '../../src-main/shared/api.ts';
import type { ModelSummary } from '../../src-main/shared/summary.ts';
import { formatBytes, formatCompact, formatDuration } from './format.ts';

export type OverlayKind = 'none' | 'mismatch' | 'measured' | 'estimated' | 'rmse' | 'size';

export const OVERLAY_LABEL: Record<OverlayKind, string> = {
  none: 'Op category',
  mismatch: 'Mismatch (max |Δ| LSB)',
  measured: 'Measured time',
  estimated: 'Estimated cycles',
  rmse: 'rmse/scale (quantization)',
  size: 'Output tensor size',
};

export interface OverlaySources {
  summary: ModelSummary;
  compare: CompareResult | null;
  simulate: SimulateResult | null;
  /** The model's last quantization report (kept per model in the session's results), and what made it. */
  quant?: { report: QuantizationReport; label: string } | null;
}

export interface Overlay {
  /** Layer index → value. */
  values: Map<number, number>;
  min: number;
  max: number;
  format: (v: number) => string;
  /** Why there is nothing to draw (no profile yet, …); null when there are values. */
  empty: string | null;
  /** Where the numbers come from (clock source, CPU profile), when it matters for reading them. */
  source: string | null;
  /** The first divergent layer of the last comparison, marked on the graph. */
  firstDivergent: number | null;
}

const DTYPE_BYTES: Record<string, number> = {
  int8: 1,
  uint8: 1,
  bool: 1,
  int16: 2,
  float16: 2,
  int32: 4,
  float32: 4,
  int64: 8,
  float64: 8,
};

function collect(entries: Iterable<[number, number | undefined]>): Map<number, number> {
  const values = new Map<number, number>();
  for (const [i, v] of entries) if (v !== undefined && Number.isFinite(v) && i >= 0) values.set(i, v);
  return values;
}

export function buildOverlay(kind: OverlayKind, src: OverlaySources): Overlay {
  const firstDivergent = src.compare?.firstDivergent ?? null;
  const layers = src.compare?.layers ?? [];
  let values = new Map<number, number>();
  let format: (v: number) => string = formatCompact;
  let empty: string | null = null;
  let source: string | null = null;
  if (kind === 'mismatch' || kind === 'measured') {
    if (!src.compare) empty = 'No board profile for this model yet: run one in the Board view.';
    else if (kind === 'mismatch') {
      values = collect(
        layers.map((l) => [l.index, l.status === 'not-compared' ? undefined : l.maxAbsDiffLsb]),
      );
      format = (v) => `${formatCompact(v)} LSB`;
    } else {
      values = collect(layers.map((l) => [l.index, l.measuredUs]));
      format = formatDuration;
      const t = src.compare.timing;
      source = [t.measuredUnit, t.clockSource].filter(Boolean).join(', ') || null;
      if (values.size === 0) empty = 'The last profile has no per-layer timing.';
    }
  } else if (kind === 'estimated') {
    const sim = src.simulate?.layers ?? [];
    values = collect(sim.map((l) => [l.index, l.est_cycles]));
    source = src.simulate?.estimate?.cpu ?? null;
    if (values.size === 0) {
      values = collect(layers.map((l) => [l.index, l.estCycles]));
      source = src.compare?.timing.profile ?? null;
    }
    format = (v) => `${formatCompact(v)} cycles`;
    if (values.size === 0)
      empty = 'No cycle estimate yet: simulate with a CPU profile (Simulate view) or profile on a board.';
  } else if (kind === 'rmse') {
    if (!src.quant)
      empty =
        'No quantization report for this model yet: quantize it (or report on it) in the Quantize view.';
    else {
      values = rmseByLayer(src.summary, src.quant.report);
      format = (v) => String(+v.toPrecision(3));
      source = `${src.quant.label}; MLTK flags above ${src.quant.report.thresholds.rmseOverScale}`;
      if (values.size === 0) empty = "The last quantization report's layers are not this graph's.";
    }
  } else if (kind === 'size') {
    values = collect(
      src.summary.layers.map((l) => [
        l.index,
        l.outputs.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[t.dtype] ?? 4), 0),
      ]),
    );
    format = formatBytes;
  }
  const all = [...values.values()];
  return {
    values,
    min: all.length ? Math.min(...all) : 0,
    max: all.length ? Math.max(...all) : 0,
    format,
    empty: kind === 'none' ? null : empty,
    source: values.size ? source : null,
    firstDivergent,
  };
}

/**
 * A report's rmse/scale per layer of the shown graph: a row belongs to the layer whose output tensor
 * has its name (the float model quantized and the int8 model made keep the names), else to the
 * layer at its op index when the op is the same; int8 rows only (an int16/float layer's error
 * against its own step is not the int8 rule).
 */
function rmseByLayer(summary: ModelSummary, report: QuantizationReport): Map<number, number> {
  const byName = new Map<string, number>();
  for (const l of summary.layers)
    for (const t of l.outputs) if (!byName.has(t.name)) byName.set(t.name, l.index);
  const entries: [number, number | undefined][] = [];
  for (const r of report.layers) {
    if (r.dtype !== 'int8') continue;
    let index = byName.get(r.tensor_name);
    if (index === undefined && summary.layers.find((l) => l.index === r.op_index)?.op === r.op_name)
      index = r.op_index;
    if (index !== undefined) entries.push([index, r.rmse_over_scale]);
  }
  return collect(entries);
}

/** Colour of a value on the legend's ramp (pale yellow → red), linear between min and max. */
export function overlayColor(v: number, min: number, max: number): string {
  const t = max > min ? (v - min) / (max - min) : 0;
  return `hsl(${Math.round(55 - 55 * t)} 90% ${Math.round(85 - 35 * t)}%)`;
}
