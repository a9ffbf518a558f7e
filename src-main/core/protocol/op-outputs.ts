/**
 * An op's streamed outputs split per output tensor (PROTOCOL.md §3, ALL_OUTPUTS): a board with the
 * feature sends an op's outputs as one byte range, their concatenation in output order, named by
 * the first output; the model's tensor sizes say where each output starts.
 */
import type { Model } from '../model/ir.ts';
import { tensorBytes } from '../model/tensor-size.ts';
import { ProtocolError } from './errors.ts';

export interface StreamedOp {
  index: number;
  tensor: number;
  ticks: number;
  data: Uint8Array;
}

/**
 * One entry per output of every op (subgraph 0, the one the board runs), in op then output order.
 * An op whose bytes are not the sum of its outputs' sizes is a board or model mix-up: a clear
 * error naming the op, never bytes split at the wrong place.
 */
export function splitOpOutputs(model: Model, ops: readonly StreamedOp[]): StreamedOp[] {
  const sg = model.subgraphs[0];
  const out: StreamedOp[] = [];
  for (const op of ops) {
    const tensors = (sg?.operators[op.index]?.outputs ?? []).filter((t) => t >= 0);
    if (tensors.length <= 1) {
      out.push(op);
      continue;
    }
    const sizes = tensors.map((t) => tensorBytes(sg.tensors[t]));
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (tensors[0] !== op.tensor || sum !== op.data.length)
      throw new ProtocolError(
        'BAD_REPLY',
        `layer ${op.index}: the board sent ${op.data.length} bytes named tensor ${op.tensor} for its ${tensors.length} outputs (tensors ${tensors.join(', ')}: ${sum} bytes); different models?`,
      );
    let at = 0;
    tensors.forEach((t, k) => {
      out.push({ index: op.index, tensor: t, ticks: op.ticks, data: op.data.subarray(at, at + sizes[k]) });
      at += sizes[k];
    });
  }
  return out;
}
