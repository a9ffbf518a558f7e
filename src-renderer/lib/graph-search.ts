/**
 * Graph search: which layers a query names. A query of digits (optionally after `#`) names the
 * layer with that index; any other text matches the op type or a layer output tensor's name,
 * case-insensitively, as a substring. Returns layer indices in graph order.
 */
import type { ModelSummary } from '../../src-main/shared/summary.ts';

export function matchLayers(summary: ModelSummary, query: string): number[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const index = /^#?(\d+)$/.exec(q);
  return summary.layers
    .filter((l) =>
      index
        ? l.index === Number(index[1])
        : l.op.toLowerCase().includes(q) || l.outputs.some((t) => t.name.toLowerCase().includes(q)),
    )
    .map((l) => l.index);
}
