/** Filter text and sort order of the layer table; the visible rows follow from them. */
import type { LayerSummary } from '../../../src-main/shared/summary.ts';
import { nextSort, queryLayers, type SortKey, type SortSpec } from '../../lib/layer-query.ts';

export class LayerTableState {
  query = $state('');
  sort = $state<SortSpec>({ key: 'index', descending: false });
  // Read lazily by `rows` (a $derived), so the constructor assignment is what it sees.
  #layers: () => readonly LayerSummary[] = () => [];

  constructor(layers: () => readonly LayerSummary[]) {
    this.#layers = layers;
  }

  rows = $derived(queryLayers(this.#layers(), this.query, this.sort));

  sortBy(key: SortKey): void {
    this.sort = nextSort(this.sort, key);
  }

  filterOp(op: string): void {
    this.query = this.query.trim().toLowerCase() === op.toLowerCase() ? '' : op;
  }
}
