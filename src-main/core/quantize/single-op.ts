/**
 * A one-operator model cut out of a float model: the op, its constant inputs (weights, shapes) and
 * its activation inputs as graph inputs. The quantization debugger runs each float op on the
 * dequantized inputs the int8 model actually produced, to measure that op's own (local) error.
 */
import type { Model, Operator, Tensor } from '../model/ir.ts';

export interface SingleOpModel {
  model: Model;
  /** Position in the op's input list of each graph input, in graph input order. */
  inputSlots: number[];
}

export function singleOpModel(float: Model, op: Operator): SingleOpModel {
  const sg = float.subgraphs[0];
  const tensors: Tensor[] = [];
  const remap = new Map<number, number>();
  const take = (i: number): number => {
    if (i < 0) return i;
    let k = remap.get(i);
    if (k === undefined) {
      k = tensors.length;
      tensors.push({ ...sg.tensors[i], index: k });
      remap.set(i, k);
    }
    return k;
  };
  const inputSlots: number[] = [];
  const inputs: number[] = [];
  op.inputs.forEach((i, slot) => {
    const k = take(i);
    // a variable tensor (an LSTM's state) stays the op's own state, reset per sample, not an input
    if (i >= 0 && !sg.tensors[i].data && !sg.tensors[i].isVariable) {
      inputSlots.push(slot);
      inputs.push(k);
    }
  });
  const outputs = op.outputs.map(take);
  const single: Operator = { ...op, index: 0, inputs: op.inputs.map((i) => remap.get(i) ?? i), outputs };
  return {
    model: {
      ...float,
      subgraphs: [{ name: `${op.op}_${op.index}`, tensors, operators: [single], inputs, outputs }],
    },
    inputSlots,
  };
}
