/**
 * The comparison report as plain data (text cells, chart values), shared by the HTML report and
 * the PDF writer so both carry the same columns and numbers. No markup here: each writer escapes
 * and styles its own way.
 */
import { binLabel, CLASS_WORDS } from '../compare/explain.ts';
import type { CompareResult, LayerComparison } from '../compare/types.ts';
import { fmt } from './escape.ts';

export interface DocColumn {
  head: string;
  align: 'left' | 'right';
  /** Long text (tensor names): wrapped in the PDF, never cut. */
  wrap?: boolean;
}

export function measuredHead(r: CompareResult): string {
  return r.timing.measuredUnit === 'instructions' ? 'instructions' : 'cycles';
}

/** The virtual board measures host µs only: no cycles column at all then. */
export function hasCycleColumn(r: CompareResult): boolean {
  return r.layers.some((l) => l.measuredCycles !== undefined);
}

/** Columns of the layer table, in order (the HTML table's header and the PDF's). */
export function layerColumns(r: CompareResult): DocColumn[] {
  const t = r.timing;
  const R = 'right' as const;
  const L = 'left' as const;
  return [
    { head: '#', align: R },
    { head: 'op', align: L },
    { head: 'output', align: L, wrap: true },
    { head: 'tensor', align: L, wrap: true },
    { head: 'status', align: L },
    { head: 'mismatches', align: R },
    { head: 'max |Δ| LSB', align: R },
    { head: `est ${t.estUnit ?? 'cycles'}`, align: R },
    ...(hasCycleColumn(r) ? [{ head: measuredHead(r), align: R }] : []),
    { head: t.measuredUnit === 'host µs' ? 'host µs' : 'µs', align: R },
    { head: 'share', align: L },
  ];
}

/** One layer's cells as text, in `layerColumns` order (share as a percentage). */
export function layerCells(l: LayerComparison, first: number | null, hasCycles: boolean): string[] {
  const isFirst = l.index === first && l.index >= 0;
  return [
    l.index < 0 ? 'input' : String(l.index),
    l.op,
    l.name,
    `${l.dtype}[${l.shape.join('×')}]`,
    `${l.status}${isFirst ? ' (first)' : ''}`,
    fmt(l.mismatches),
    fmt(l.maxAbsDiffLsb),
    fmt(l.estCycles),
    ...(hasCycles ? [fmt(l.measuredCycles)] : []),
    fmt(l.measuredUs),
    l.share === undefined ? '' : `${(l.share * 100).toFixed(1)}%`,
  ];
}

/** The one-line verdict (plain text). */
export function verdictText(r: CompareResult): { ok: boolean; text: string } {
  const ops = r.layers.filter((l) => l.index >= 0);
  if (r.allMatch)
    return {
      ok: true,
      text:
        r.verdict?.kind === 'within-tolerance'
          ? `${r.verdict.text[0].toUpperCase() + r.verdict.text.slice(1)}.`
          : `All ${ops.length} layers match bit for bit.`,
    };
  const bad = ops.filter((l) => l.status !== 'match').length;
  const first = r.firstDivergent;
  const f = first === null ? undefined : ops.find((l) => l.index === first);
  return {
    ok: false,
    text:
      `${bad} of ${ops.length} layers differ. First divergent layer: #${first} ${f?.op ?? ''} '${f?.name ?? ''}' ` +
      `(${fmt(f?.mismatches)} element${f?.mismatches === 1 ? '' : 's'}, max |Δ| ${fmt(f?.maxAbsDiffLsb)} LSB)` +
      `${r.verdict ? `: ${r.verdict.text}` : ''}.`,
  };
}

/** Totals with units and clock; an estimate on another scale is stated beside, never compared. */
export function timingText(r: CompareResult): string {
  const t = r.timing;
  const unit = t.measuredUnit === 'host µs' ? 'host µs' : 'µs';
  const measured =
    `Measured ${fmt(t.totalUs)} ${unit} (${fmt(t.totalTicks)} ticks` +
    `${t.totalCycles !== undefined ? `, ${fmt(t.totalCycles)} ${measuredHead(r)}` : ''}; clock: ${t.clockSource ?? r.board.tickSource})`;
  const est =
    t.estCycles === undefined
      ? ''
      : `; estimate ${fmt(t.estCycles)} ${t.estUnit ?? 'cycles'}${t.estClockMHz ? ` = ${fmt(t.estCycles / t.estClockMHz)} µs` : ''} on ${t.profile ?? ''}` +
        (t.comparable === false ? ` — ${t.note ?? 'not comparable'}` : '');
  return `${measured}${est}.`;
}

export interface TimingBar {
  index: number;
  op: string;
  name: string;
  /** Output diverged: its label is marked. */
  bad: boolean;
  est?: number;
  meas?: number;
}

/**
 * The timing chart's values: per layer the host estimate and the measured time in µs, or, when
 * the board's CPU clock is unknown (the virtual board runs far faster than any MCU profile), each
 * as its share of its own total in %.
 */
export function timingBars(r: CompareResult): { unit: 'µs' | '%'; max: number; bars: TimingBar[] } {
  const ops = r.layers.filter((l) => l.index >= 0);
  const mhz = r.timing.estClockMHz;
  const shares = !(r.board.cpuHz > 0);
  const estTotal = ops.reduce((a, l) => a + (l.estCycles ?? 0), 0);
  const measTotal = ops.reduce((a, l) => a + (l.measuredUs ?? 0), 0);
  const est = (cycles?: number) =>
    cycles === undefined || !mhz ? undefined : shares ? (100 * cycles) / Math.max(1, estTotal) : cycles / mhz;
  const meas = (us?: number) =>
    us === undefined ? undefined : shares ? (100 * us) / Math.max(1e-9, measTotal) : us;
  const bars = ops.map((l) => ({
    index: l.index,
    op: l.op,
    name: l.name,
    bad: l.status === 'mismatch' || l.status === 'missing',
    est: est(l.estCycles),
    meas: meas(l.measuredUs),
  }));
  const max = Math.max(1e-9, ...bars.map((b) => Math.max(b.meas ?? 0, b.est ?? 0)));
  return { unit: shares ? '%' : 'µs', max, bars };
}

/** A differing layer's Δ histogram without the 0 bin; `height` is log-scaled to 0..1. */
export function deltaBars(l: LayerComparison): { label: string; count: number; height: number }[] {
  const bins = (l.diff?.histogram ?? []).filter((b) => !(b.lo === 0 && b.hi === 0));
  const max = Math.max(1, ...bins.map((b) => b.count));
  return bins.map((b) => ({
    label: binLabel(b),
    count: b.count,
    height: b.count ? Math.log1p(b.count) / Math.log1p(max) : 0,
  }));
}

/** The "Differences explained" class cell: the class in words and what pins it down. */
export function diffClassText(l: LayerComparison): { words: string; detail: string } {
  const d = l.diff;
  if (!d) return { words: '', detail: '' };
  const extra =
    d.class === 'offset'
      ? `, offset ${d.offsetLsb?.toFixed(2)} LSB`
      : d.class === 'saturation'
        ? `, ${d.pinned} pinned at the rail`
        : d.class === 'wrong-channel'
          ? `, channel(s) ${d.channels?.join(', ')}`
          : '';
  return { words: CLASS_WORDS[d.class], detail: `${extra}${l.withinTolerance ? ' — within tolerance' : ''}` };
}
