/** Filtering and sorting of layer rows for the layer table. Pure. */
import type { LayerSummary } from '../../src-main/shared/summary.ts';
import { formatOptions, formatShape } from './format.ts';

export type SortKey = 'index' | 'op' | 'macs' | 'params' | 'output';
export interface SortSpec {
  key: SortKey;
  descending: boolean;
}

function outputElements(l: LayerSummary): number {
  return l.outputs.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0);
}

const compare: Record<SortKey, (a: LayerSummary, b: LayerSummary) => number> = {
  index: (a, b) => a.index - b.index,
  op: (a, b) => a.op.localeCompare(b.op) || a.index - b.index,
  macs: (a, b) => a.macs - b.macs || a.index - b.index,
  params: (a, b) => a.params - b.params || a.index - b.index,
  output: (a, b) => outputElements(a) - outputElements(b) || a.index - b.index,
};

/** Text a filter query is matched against: index, op, tensor names, shapes, dtypes, options. */
export function searchText(l: LayerSummary): string {
  const tensors = [...l.inputs, ...l.outputs].map((t) => `${t.name} ${formatShape(t.shape)} ${t.dtype}`);
  return [`#${l.index}`, l.op, l.supported ? '' : 'unsupported', ...tensors, ...formatOptions(l.options)]
    .join(' ')
    .toLowerCase();
}

/**
 * Layers matching every whitespace-separated term of `query` (case-insensitive), sorted.
 * A term like "#12" matches the layer index exactly.
 */
export function queryLayers(layers: readonly LayerSummary[], query: string, sort: SortSpec): LayerSummary[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches =
    terms.length === 0
      ? layers.slice()
      : layers.filter((l) => {
          const text = searchText(l);
          return terms.every((t) => (/^#\d+$/.test(t) ? `#${l.index}` === t : text.includes(t)));
        });
  const cmp = compare[sort.key];
  matches.sort(sort.descending ? (a, b) => cmp(b, a) : cmp);
  return matches;
}

/** Next sort spec when a header is clicked: same key flips direction, a new key starts ascending
 *  (numeric cost columns start descending: the biggest layers are what one looks for). */
export function nextSort(current: SortSpec, key: SortKey): SortSpec {
  if (current.key === key) return { key, descending: !current.descending };
  return { key, descending: key === 'macs' || key === 'params' || key === 'output' };
}
