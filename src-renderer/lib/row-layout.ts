/**
 * Row geometry for the virtualized layer table. Rows have different heights (one text line per
 * tensor), known up front from the data, so visible rows are found by binary search over the
 * prefix sums instead of measuring the DOM.
 */
export interface RowLayout {
  /** offsets[i] = top of row i; offsets[n] = total height. */
  offsets: Float64Array;
}

export function buildRowLayout(
  lineCounts: readonly number[],
  lineHeight: number,
  padding: number,
): RowLayout {
  const offsets = new Float64Array(lineCounts.length + 1);
  for (let i = 0; i < lineCounts.length; i++) {
    offsets[i + 1] = offsets[i] + Math.max(1, lineCounts[i]) * lineHeight + padding;
  }
  return { offsets };
}

/** Index of the row containing pixel `y` (clamped to the valid range). */
export function rowAt(layout: RowLayout, y: number): number {
  const n = layout.offsets.length - 1;
  if (n <= 0) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (layout.offsets[mid] <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows [start, end) to render for a viewport, with `overscan` extra rows on each side. */
export function visibleRange(
  layout: RowLayout,
  scrollTop: number,
  viewportHeight: number,
  overscan = 6,
): { start: number; end: number } {
  const n = layout.offsets.length - 1;
  if (n <= 0) return { start: 0, end: 0 };
  const start = Math.max(0, rowAt(layout, scrollTop) - overscan);
  const end = Math.min(n, rowAt(layout, scrollTop + viewportHeight) + 1 + overscan);
  return { start, end };
}
