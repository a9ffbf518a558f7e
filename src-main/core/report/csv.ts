/**
 * Comparison as CSV: one row per layer (the model input first, index "input"). RFC 4180 quoting;
 * empty cells where a value does not exist (no estimate, or a board without a CPU clock).
 */
import { binLabel } from '../compare/explain.ts';
import type { CompareResult, LayerComparison } from '../compare/types.ts';

/** The Δ histogram's non-empty bins as "bin:count" joined by spaces ("-1:12 0:18400 1:20"). */
const histogramCell = (l: LayerComparison): string | undefined =>
  l.diff?.histogram
    .filter((b) => b.count > 0)
    .map((b) => `${binLabel(b)}:${b.count}`)
    .join(' ');

export const CSV_COLUMNS = [
  'index',
  'op',
  'shape',
  'mismatches',
  'max_abs_diff_lsb',
  'est_cycles',
  'measured_cycles',
  'measured_us',
  'status',
  'name',
  'dtype',
  'share',
  'diff_class',
  'within_tolerance',
  'rmse_lsb',
  'delta_histogram',
] as const;

function cell(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(+v.toPrecision(9))) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per layer; a stream: one row per layer of every invocation, `invocation` first. */
export function compareCsv(r: CompareResult): string {
  const runs = r.stream?.runs;
  const rows = [(runs ? ['invocation', ...CSV_COLUMNS] : CSV_COLUMNS).join(',')];
  for (const run of runs ?? [r]) layerRows(run, runs ? [run.invocation ?? 0] : [], rows);
  return rows.join('\r\n') + '\r\n';
}

function layerRows(r: CompareResult, lead: number[], rows: string[]): void {
  for (const l of r.layers) {
    rows.push(
      [
        ...lead,
        l.index < 0 ? 'input' : l.index,
        l.op,
        l.shape.join('x'),
        l.mismatches,
        l.maxAbsDiffLsb,
        l.estCycles,
        l.measuredCycles,
        l.measuredUs,
        l.status,
        l.name,
        l.dtype,
        l.share,
        l.diff?.class,
        l.diff ? String(Boolean(l.withinTolerance)) : undefined,
        l.diff?.rmseLsb,
        histogramCell(l),
      ]
        .map(cell)
        .join(','),
    );
  }
}
