/**
 * Two kept results side by side (issue 19 "results stay"): board A vs board B, one model before vs
 * after re-quantization, a host simulation vs a board profile. Each result becomes a `ResultSide`
 * (its layers, their outputs when it has them, their time and on which scale), and two sides are
 * paired layer by layer with the same element diff the host-vs-board comparison uses
 * (elements.ts). Pure: plain objects in, a ResultsComparison out.
 */
import type {
  KeptTaps,
  ResultSideLayer,
  ResultSummary,
  ResultsComparison,
  SideBySideDiff,
  SideBySideLayer,
  StoredResult,
} from '../../shared/api-results.ts';
import { dequantize, diffElements, elementReader } from './elements.ts';
import type { Quant } from './types.ts';

export interface SideLayer {
  index: number;
  op: string;
  name: string;
  dtype: string;
  /** The layer's output as this result has it (a board's bytes, the simulator's tap). */
  bytes?: Uint8Array;
  quant?: Quant | null;
  info: ResultSideLayer;
  /** The layer's time on the side's scale (`timeUnit`). */
  time?: number;
}

export interface ResultSide {
  summary: ResultSummary;
  kind: StoredResult['kind'];
  /** One row per op (its first output), in execution order; report rows for quantizations. */
  layers: SideLayer[];
  /** What `time` counts, e.g. "host µs · host clock CLOCK_MONOTONIC"; null: no per-layer time. */
  timeUnit: string | null;
}

/** A stored result without its payload (what lists and comparisons carry). */
export const summaryOf = (r: StoredResult): ResultSummary => ({
  id: r.id,
  kind: r.kind,
  createdAt: r.createdAt,
  modelName: r.modelName,
  modelSha256: r.modelSha256,
  alsoFor: r.alsoFor,
  label: r.label,
  where: r.where,
  input: r.input,
  headline: r.headline,
  layers: r.layers,
});

/** A kept result as one side of a comparison; `taps`: a simulation's per-layer outputs. */
export function sideOf(r: StoredResult, taps: KeptTaps = []): ResultSide {
  const summary = summaryOf(r);
  if (r.kind === 'quantization') {
    return {
      summary,
      kind: r.kind,
      timeUnit: null,
      layers: r.quantization.report.layers.map((l) => ({
        index: l.op_index,
        op: l.op_name,
        name: l.tensor_name,
        dtype: l.dtype,
        info: { rmseOverScale: l.rmse_over_scale, maxAbsError: l.max_abs_error, scale: l.scale },
      })),
    };
  }
  if (r.kind === 'simulation') {
    const s = r.simulation;
    const byIndex = new Map(taps.map((t) => [t.index, t]));
    const cpu = s.estimate?.cpu;
    return {
      summary,
      kind: r.kind,
      timeUnit: cpu ? `${cpu} cycles (estimate)` : null,
      layers: firstPerIndex(s.layers).map((l) => {
        const t = byIndex.get(l.index);
        return {
          index: l.index,
          op: l.op,
          name: l.name,
          dtype: l.dtype,
          ...(t ? { bytes: t.data, quant: t.quant ?? null } : {}),
          info: l.est_cycles !== undefined ? { estCycles: l.est_cycles } : {},
          time: cpu ? l.est_cycles : undefined,
        };
      }),
    };
  }
  const c = r.profile.compare;
  const tensors = new Map<number, (typeof r.profile.tensors)[number]>();
  for (const t of r.profile.tensors) if (!tensors.has(t.index)) tensors.set(t.index, t);
  const unit = c.timing.measuredUnit
    ? [c.timing.measuredUnit, c.timing.clockSource].filter(Boolean).join(' · ')
    : null;
  return {
    summary,
    kind: r.kind,
    timeUnit: unit,
    layers: firstPerIndex(c.layers.filter((l) => l.index >= 0)).map((l) => {
      const t = tensors.get(l.index);
      return {
        index: l.index,
        op: l.op,
        name: l.name,
        dtype: l.dtype,
        ...(t && t.device.length ? { bytes: t.device, quant: t.quant ?? null } : {}),
        info: {
          status: l.status,
          hostDiffLsb: l.maxAbsDiffLsb,
          ...(l.measuredUs !== undefined ? { measuredUs: l.measuredUs } : {}),
          ...(l.measuredCycles !== undefined ? { measuredCycles: l.measuredCycles } : {}),
          ...(l.estCycles !== undefined ? { estCycles: l.estCycles } : {}),
        },
        time: unit ? l.measuredUs : undefined,
      };
    }),
  };
}

function firstPerIndex<T extends { index: number }>(rows: readonly T[]): T[] {
  const seen = new Set<number>();
  return rows.filter((r) => !seen.has(r.index) && (seen.add(r.index), true));
}

const sameQuant = (p?: Quant | null, q?: Quant | null): boolean =>
  (!p && !q) || (!!p && !!q && p.scale === q.scale && p.zeroPoint === q.zeroPoint);

/** A's and B's outputs at one layer: integer steps when both quantize alike, else real values. */
function diffOutputs(a: SideLayer, b: SideLayer): { diff: SideBySideDiff | null; note?: string } {
  if (!a.bytes || !b.bytes) return { diff: null };
  if (a.op !== b.op) return { diff: null, note: `different ops (${a.op} vs ${b.op})` };
  let ra, rb;
  try {
    ra = elementReader(a.dtype);
    rb = elementReader(b.dtype);
  } catch (e) {
    return { diff: null, note: (e as Error).message };
  }
  const x = ra.read(a.bytes);
  const y = rb.read(b.bytes);
  if (x.length !== y.length)
    return { diff: null, note: `different element counts (${x.length} vs ${y.length})` };
  const lsb = ra.integer && rb.integer && a.dtype === b.dtype && sameQuant(a.quant, b.quant);
  const d = lsb ? diffElements(x, y) : diffElements(dequantize(x, a.quant), dequantize(y, b.quant));
  return {
    diff: {
      elements: x.length,
      mismatches: d.mismatches,
      maxAbsDiff: d.maxAbsDiff,
      unit: lsb ? 'LSB' : 'real',
    },
  };
}

/**
 * Pair two sides layer by layer: by op index for runs, by tensor name for two quantization reports
 * (re-quantization may add QUANTIZE/DEQUANTIZE ops around layers kept in float, shifting indices).
 * Rows follow A's order; layers only B has come after.
 */
export function sideBySide(a: ResultSide, b: ResultSide): ResultsComparison {
  const byName = a.kind === 'quantization' && b.kind === 'quantization';
  const key = (l: SideLayer) => (byName ? `n:${l.name}` : `i:${l.index}`);
  const bByKey = new Map(b.layers.map((l) => [key(l), l]));
  const comparable = a.timeUnit !== null && a.timeUnit === b.timeUnit;
  const rows: SideBySideLayer[] = [];
  const used = new Set<string>();
  for (const la of a.layers) {
    const lb = bByKey.get(key(la));
    if (lb) used.add(key(la));
    rows.push(row(la, lb ?? null, comparable));
  }
  for (const lb of b.layers) if (!used.has(key(lb))) rows.push(row(null, lb, comparable));
  const compared = rows.filter((r) => r.outputs);
  const differing = compared.filter((r) => r.outputs!.mismatches > 0);
  const total = (s: ResultSide) => (s.timeUnit ? s.layers.reduce((n, l) => n + (l.time ?? 0), 0) : undefined);
  const note = comparable
    ? undefined
    : a.timeUnit && b.timeUnit
      ? `not comparable: ${a.timeUnit} vs ${b.timeUnit}`
      : `not comparable: ${a.timeUnit ? 'B' : b.timeUnit ? 'A' : 'neither side'} has no per-layer time`;
  return {
    a: a.summary,
    b: b.summary,
    layers: rows,
    identicalLayers: compared.length - differing.length,
    differingLayers: differing.length,
    firstDivergent: differing[0]?.index ?? null,
    timing: {
      unitA: a.timeUnit,
      unitB: b.timeUnit,
      comparable,
      ...(note ? { note } : {}),
      ...(total(a) !== undefined ? { totalA: total(a) } : {}),
      ...(total(b) !== undefined ? { totalB: total(b) } : {}),
    },
    crossModel: a.summary.modelSha256 !== b.summary.modelSha256,
  };
}

function row(a: SideLayer | null, b: SideLayer | null, comparable: boolean): SideBySideLayer {
  const first = (a ?? b)!;
  const out: SideBySideLayer = {
    index: first.index,
    op: first.op,
    name: first.name,
    a: a?.info ?? null,
    b: b?.info ?? null,
    outputs: null,
  };
  if (a && b) {
    const { diff, note } = diffOutputs(a, b);
    out.outputs = diff;
    if (note) out.outputsNote = note;
    if (comparable && a.time !== undefined && b.time !== undefined && a.time > 0)
      out.timeRatio = b.time / a.time;
  } else if (first.bytes) out.outputsNote = `only ${a ? 'A' : 'B'} has this layer`;
  return out;
}
