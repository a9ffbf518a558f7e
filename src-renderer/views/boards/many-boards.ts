/**
 * Several boards profiled with the same model and input (one `boards.profile` call each, run at the
 * same time) → the comparison matrix of the CLI's `profile --board A --board B`: each board against
 * the host and every pair of boards, from the host and device bytes each profile returned.
 */
import {
  compareMatrix,
  type CompareMatrix,
  type MatrixBoardRun,
} from '../../../src-main/core/compare/matrix.ts';
import type { HostTensor } from '../../../src-main/core/compare/types.ts';
import type { BoardProfileResult } from '../../../src-main/shared/api.ts';

export type BoardOutcome = { id: string; seconds: number } & (
  | { result: BoardProfileResult }
  | { error: string }
);

/** The host's op outputs as one profile carried them (every profile ran the same host side). */
function hostLayers(r: BoardProfileResult): HostTensor[] {
  return r.compare.layers
    .filter((l) => l.index >= 0)
    .flatMap((l) => {
      const t = r.tensors.find((x) => x.index === l.index && x.tensor === l.tensor);
      return t
        ? [
            {
              index: l.index,
              op: l.op,
              tensor: l.tensor,
              name: l.name,
              dtype: l.dtype,
              shape: l.shape,
              bytes: t.host,
            },
          ]
        : [];
    });
}

export function boardsMatrix(outcomes: readonly BoardOutcome[]): CompareMatrix {
  const first = outcomes.find((o) => 'result' in o);
  const host = first && 'result' in first ? hostLayers(first.result) : [];
  const runs: MatrixBoardRun[] = outcomes.map((o) =>
    'result' in o
      ? {
          id: o.id,
          seconds: o.seconds,
          result: {
            compare: o.result.compare,
            device: o.result.tensors
              .filter((t) => t.index >= 0)
              .map((t) => ({ index: t.index, tensor: t.tensor, ticks: 0, bytes: t.device })),
          },
        }
      : { id: o.id, seconds: o.seconds, error: o.error },
  );
  return compareMatrix(host, runs);
}
