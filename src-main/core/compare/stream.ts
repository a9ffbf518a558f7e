/**
 * A stream's comparison: one CompareResult per invocation (the state kept between them), and where
 * host and board first part: the first invocation with a divergent layer, and that layer.
 */
import type { CompareResult, StreamDivergence, StreamSummary } from './types.ts';

export function firstStreamDivergence(runs: readonly CompareResult[]): StreamDivergence | null {
  for (let k = 0; k < runs.length; k++) {
    const r = runs[k];
    if (r.allMatch) continue;
    const row = r.layers.find((l) => l.status === 'mismatch' || l.status === 'missing');
    const layer = r.firstDivergent ?? row?.index ?? -1;
    return { invocation: k, layer, op: r.layers.find((l) => l.index === layer)?.op ?? row?.op ?? '' };
  }
  return null;
}

/**
 * The comparison of a whole stream: the first divergent invocation's (else the first one's), so a
 * gate on allMatch / firstDivergent sees the divergence, with `stream` holding every invocation.
 */
export function streamCompare(runs: CompareResult[], resetState: boolean): CompareResult {
  if (runs.length === 0) throw new Error('a stream comparison needs at least one invocation');
  const numbered = runs.map((r, k) => ({ ...r, invocation: k }));
  const first = firstStreamDivergence(numbered);
  const stream: StreamSummary = {
    invocations: runs.length,
    resetState,
    runs: numbered,
    firstDivergence: first,
  };
  const top = numbered[first ? first.invocation : 0];
  return {
    ...top,
    input: `${top.input} (invocation ${top.invocation} of a stream of ${runs.length})`,
    stream,
  };
}
