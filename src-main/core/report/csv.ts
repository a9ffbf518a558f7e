/**
 * Comparison as CSV: one row per layer (the model input first, index "input"). RFC 4180 quoting;
 * empty cells where a value does not exist (no estimate, or a board without a CPU clock).
 */
import type { CompareResult } from '../compare/types.ts';

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
      ]
        .map(cell)
        .join(','),
    );
  }
}
