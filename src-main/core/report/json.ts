/**
 * Comparison as JSON, schema `quantscope.compare/1` (docs/compare-json-schema.md). snake_case keys,
 * absent values left out (never null placeholders), so the file diffs well between runs.
 */
import type { CompareResult } from '../compare/types.ts';

export const COMPARE_SCHEMA = 'quantscope.compare/1';

export interface ReportMeta {
  /** ISO 8601 time the report was made (passed in: core code reads no clocks). */
  generatedAt: string;
  /** e.g. "QuantScope 0.1.0" */
  tool: string;
}

const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function compareJsonDoc(r: CompareResult, meta: ReportMeta): Record<string, unknown> {
  const mismatched = r.layers.filter((l) => l.status === 'mismatch' || l.status === 'missing').length;
  return {
    schema: COMPARE_SCHEMA,
    generated_at: meta.generatedAt,
    tool: meta.tool,
    model: { name: r.model.name, sha256: r.model.sha256, ops: r.model.ops },
    board: defined({
      name: r.board.name,
      cpu: r.board.cpu,
      firmware: r.board.firmware,
      cpu_hz: r.board.cpuHz,
      tick_hz: r.board.tickHz,
      tick_source: r.board.tickSource,
      arena_bytes: r.board.arenaBytes,
      arena_used: r.board.arenaUsed,
      port: r.board.port,
    }),
    input: r.input,
    ...(r.invocation !== undefined ? { invocation: r.invocation } : {}),
    ...(r.stream ? { stream: streamDoc(r, meta) } : {}),
    summary: {
      all_match: r.allMatch,
      first_divergent: r.firstDivergent,
      layers: r.layers.filter((l) => l.index >= 0).length,
      mismatched_layers: mismatched,
      ...(r.tolerance !== undefined ? { tolerance_lsb: r.tolerance } : {}),
      ...(r.verdict ? { verdict: r.verdict.kind, verdict_text: r.verdict.text } : {}),
    },
    timing: defined({
      total_ticks: r.timing.totalTicks,
      total_us: r.timing.totalUs,
      total_cycles: r.timing.totalCycles,
      est_cycles: r.timing.estCycles,
      est_profile: r.timing.profile,
      est_clock_mhz: r.timing.estClockMHz,
      est_us: r.timing.estUs,
      measured_unit: r.timing.measuredUnit,
      clock_source: r.timing.clockSource,
      est_unit: r.timing.estUnit,
      comparable: r.timing.comparable,
      note: r.timing.note,
    }),
    outputs: r.outputs.map((o) => ({
      tensor: o.tensor,
      name: o.name,
      rmse: o.rmse,
      cosine: o.cosine,
      top1_host: o.top1Host,
      top1_device: o.top1Device,
      top1_agree: o.top1Agree,
    })),
    layers: r.layers.map((l) =>
      defined({
        index: l.index,
        op: l.op,
        name: l.name,
        tensor: l.tensor,
        dtype: l.dtype,
        shape: l.shape,
        elements: l.elements,
        status: l.status,
        mismatches: l.mismatches,
        max_abs_diff_lsb: l.maxAbsDiffLsb,
        max_diff_at: l.maxDiffAt,
        est_cycles: l.estCycles,
        measured_ticks: l.measuredTicks,
        measured_cycles: l.measuredCycles,
        measured_us: l.measuredUs,
        share: l.share,
        ...(l.diff
          ? {
              diff_class: l.diff.class,
              within_tolerance: Boolean(l.withinTolerance),
              mean_delta_lsb: l.diff.meanLsb,
              rmse_lsb: l.diff.rmseLsb,
              offset_lsb: l.diff.offsetLsb,
              pinned: l.diff.pinned,
              channels: l.diff.channels,
              delta_histogram: l.diff.histogram,
            }
          : {}),
      }),
    ),
    ...(r.calibration
      ? {
          calibration: {
            profile: r.calibration.profile,
            basis: r.calibration.basis,
            before: {
              total_rel_error: r.calibration.before.totalRelError,
              mean_rel_error: r.calibration.before.meanRelError,
            },
            after: {
              total_rel_error: r.calibration.after.totalRelError,
              mean_rel_error: r.calibration.after.meanRelError,
            },
            per_op: r.calibration.perOp.map((p) => ({
              op: p.op,
              layers: p.layers,
              mean_rel_error: p.meanRelError,
            })),
            coefficients: r.calibration.coefficients,
          },
        }
      : {}),
  };
}

/** A stream: every invocation's summary, outputs and layers, each with its `invocation` index. */
function streamDoc(r: CompareResult, meta: ReportMeta): Record<string, unknown> {
  const s = r.stream!;
  return {
    invocations: s.invocations,
    reset_state: s.resetState,
    first_divergence: s.firstDivergence,
    runs: s.runs.map((run) => {
      const d = compareJsonDoc({ ...run, stream: undefined }, meta);
      return { invocation: run.invocation, summary: d.summary, outputs: d.outputs, layers: d.layers };
    }),
  };
}

export function compareJson(r: CompareResult, meta: ReportMeta): string {
  // Infinity (NaN against a number) is not JSON: written as a string so the file stays valid.
  return (
    JSON.stringify(
      compareJsonDoc(r, meta),
      (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
      1,
    ) + '\n'
  );
}
