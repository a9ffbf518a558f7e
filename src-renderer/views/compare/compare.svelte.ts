/**
 * Compare view state for one profile result: sorting, the selected layer, calibrated estimates
 * and exports. The result itself is immutable; rows are derived.
 */
import type { BoardProfileResult, LayerComparison, ReportFormat } from '../../../src-main/shared/api.ts';
import { withTolerance } from '../../../src-main/core/compare/tolerance.ts';
import { api } from '../../lib/api-client.ts';

export type SortKey = 'index' | 'op' | 'status' | 'mismatches' | 'diff' | 'est' | 'measured' | 'share';

/** Mismatches first when sorting by status; then rows that could not be compared. */
const STATUS_RANK: Record<LayerComparison['status'], number> = {
  mismatch: 0,
  missing: 1,
  'not-compared': 2,
  match: 3,
};

/** A row's identity: the op index, or `in<tensor>` for a model input (several share index -1). */
export function rowKey(l: Pick<LayerComparison, 'index' | 'tensor' | 'status'>): string {
  // an op's row is its index; the other outputs of a multi-output op (not streamed) add the tensor
  if (l.index < 0) return `in${l.tensor}`;
  return l.status === 'not-compared' ? `${l.index}.${l.tensor}` : String(l.index);
}

export class CompareState {
  readonly result: BoardProfileResult;
  /** `rowKey` of the selected row. */
  selected = $state<string | null>(null);
  sort = $state<{ key: SortKey; descending: boolean }>({ key: 'index', descending: false });
  /** Show the cost model fitted to this board's measurements instead of the default one. */
  calibrated = $state(false);
  /** A stream: the invocation shown (starts at the first where host and board part). */
  invocation = $state(0);

  constructor(result: BoardProfileResult) {
    this.result = result;
    const c = result.compare;
    this.invocation = c.invocation ?? 0;
    const start = c.layers.find((l) => l.index === c.firstDivergent) ?? c.layers.at(-1);
    this.selected = start ? rowKey(start) : null;
  }

  /** LSB a layer may differ by and still count as matching (the tolerance field). */
  tolerance = $state(0);
  /** The result under the tolerance: verdict, first divergent (systematic) layer, per-layer flags. */
  toleranced = $derived.by(() =>
    // an empty or bad field reads as 0 (any difference diverges)
    withTolerance(this.result.compare, Math.max(0, Math.floor(Number(this.tolerance) || 0))),
  );
  /** Every invocation of a stream (the state kept between them); null for one invocation. */
  stream = $derived.by(() => this.toleranced.stream ?? null);
  // Deferred (.by) because field initializers run before the constructor sets `result`.
  /** The comparison shown: a stream's current invocation, else the one run. */
  compare = $derived.by(() => {
    const t = this.toleranced;
    const s = t.stream;
    if (!s || this.invocation === t.invocation) return t;
    return s.runs[this.invocation] ?? t;
  });
  /** Host and device values are kept for the invocation the result opened on (the first divergent). */
  tensorsShown = $derived.by(() => !this.stream || this.invocation === this.result.compare.invocation);

  /** Step to invocation k of a stream; the selection moves to its first divergent layer. */
  showInvocation(k: number): void {
    const s = this.stream;
    if (!s || k < 0 || k >= s.invocations) return;
    this.invocation = k;
    const c = s.runs[k];
    const start = c.layers.find((l) => l.index === c.firstDivergent) ?? c.layers.at(-1);
    this.selected = start ? rowKey(start) : null;
  }
  /** Estimated cycles per op index: the calibrated fit when asked for, else the default profile. */
  estimates = $derived.by(() => {
    const cal = this.compare.calibration;
    const out = new Map<number, number>();
    for (const l of this.compare.layers) {
      const e = this.calibrated && cal && l.index >= 0 ? cal.estCycles[l.index] : l.estCycles;
      if (e !== undefined) out.set(l.index, e);
    }
    return out;
  });
  rows = $derived.by(() => {
    const { key, descending } = this.sort;
    const value = (l: LayerComparison): number | string => {
      switch (key) {
        case 'op':
          return l.op;
        case 'status':
          return STATUS_RANK[l.status];
        case 'mismatches':
          return l.mismatches;
        case 'diff':
          return l.maxAbsDiffLsb;
        case 'est':
          return this.estimates.get(l.index) ?? -1;
        case 'measured':
          return l.measuredUs ?? -1;
        case 'share':
          return l.share ?? -1;
        default:
          return l.index;
      }
    };
    const sign = descending ? -1 : 1;
    return this.compare.layers.slice().sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      const d = typeof va === 'string' ? va.localeCompare(vb as string) : va - (vb as number);
      return d !== 0 ? sign * d : a.index - b.index;
    });
  });
  selectedLayer = $derived(this.compare.layers.find((l) => rowKey(l) === this.selected) ?? null);
  selectedTensors = $derived.by(() => {
    const l = this.selectedLayer;
    if (!l || !this.tensorsShown) return null;
    return this.result.tensors.find((t) => t.index === l.index && t.tensor === l.tensor) ?? null;
  });
  /** Op rows only (the model-input rows are not layers), as the exported reports count them. */
  ops = $derived(this.compare.layers.filter((l) => l.index >= 0));
  mismatched = $derived(this.ops.filter((l) => l.status !== 'match').length);
  /** Estimated µs of a cycle count at the cost-model profile's clock. */
  estUs = $derived.by(() => {
    const mhz = this.compare.timing.estClockMHz;
    return (cycles: number): number | undefined => (mhz ? cycles / mhz : undefined);
  });

  /** Estimated µs per op index (the estimate's cycles at the profile clock). */
  estUsByIndex = $derived.by(() => {
    const out = new Map<number, number>();
    for (const [i, c] of this.estimates) {
      const us = this.estUs(c);
      if (us !== undefined) out.set(i, us);
    }
    return out;
  });
  /**
   * Bar scales (µs at full width). One shared axis when the estimate and the board are within 4×
   * of each other in total; otherwise each series gets its own (the virtual board runs at host
   * speed, nothing like the profile's MCU, and one axis would flatten it to nothing).
   */
  scales = $derived.by(() => {
    let mPeak = 0;
    let ePeak = 0;
    let mTotal = 0;
    let eTotal = 0;
    for (const l of this.compare.layers) {
      const m = l.measuredUs ?? 0;
      const e = this.estUsByIndex.get(l.index) ?? 0;
      mPeak = Math.max(mPeak, m);
      ePeak = Math.max(ePeak, e);
      mTotal += m;
      eTotal += e;
    }
    const ratio = mTotal / eTotal;
    const shared = ratio >= 0.25 && ratio <= 4;
    const peak = Math.max(mPeak, ePeak, 1e-9);
    return shared
      ? { shared, measured: peak, est: peak }
      : { shared, measured: Math.max(mPeak, 1e-9), est: Math.max(ePeak, 1e-9) };
  });

  /** Numbers ascend first; the first click on a numeric timing/diff column shows the biggest. */
  sortBy(key: SortKey): void {
    if (this.sort.key === key) this.sort = { key, descending: !this.sort.descending };
    else this.sort = { key, descending: key !== 'index' && key !== 'op' && key !== 'status' };
  }

  /**
   * The report through `report.export`: with a path (Electron's save field) the host writes it
   * atomically; without, the bytes come back and become a browser download.
   */
  async export(format: ReportFormat, path?: string): Promise<string> {
    const r = await api.report.export({ reportId: this.result.reportId, format, ...(path ? { path } : {}) });
    if (r.path) return r.path;
    if (!r.data) throw new Error(`The host returned no ${format} report`);
    const type = {
      html: 'text/html',
      csv: 'text/csv',
      json: 'application/json',
      pdf: 'application/pdf',
      'model-explorer': 'application/zip',
    }[format];
    const url = URL.createObjectURL(new Blob([r.data as Uint8Array<ArrayBuffer>], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = r.fileName;
    a.click();
    // The download has started from the URL by now; free it a little later.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return r.fileName;
  }
}
