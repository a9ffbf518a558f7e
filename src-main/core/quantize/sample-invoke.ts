/**
 * One calibration or evaluation sample = one independent inference: a model with variable tensors
 * (an LSTM's hidden and cell state, an SVDF's history) starts every sample from its reset state,
 * as Keras runs a stateless layer per batch, instead of carrying the previous sample's state.
 */
import { invoke, resetState, type InvokeOptions, type PreparedModel } from '../simulate/interpreter.ts';
import type { TensorData } from '../simulate/tensor-data.ts';

export function invokeSample(pm: PreparedModel, inputs: TensorData[], options: InvokeOptions = {}) {
  if (pm.subgraph.tensors.some((t) => t.isVariable)) resetState(pm);
  return invoke(pm, inputs, options);
}

/**
 * Run one calibration sample and hand every float32 op output to `observe`, plus each LSTM's
 * cell state at every step (no op writes it: it comes from the per-step gate taps) under the
 * cell-state tensor (the op's input 19).
 */
export function observeSample(
  pm: PreparedModel,
  inputs: TensorData[],
  observe: (tensor: number, values: Float32Array) => void,
): void {
  const gates = pm.subgraph.operators.some((op) => op.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM');
  const result = invokeSample(pm, inputs, {
    taps: false,
    gates,
    onLayer: (l) => {
      if (l.dtype === 'float32') observe(l.tensor, l.data as Float32Array);
    },
  });
  for (const g of result.gates ?? [])
    for (const step of g.steps) observe(pm.subgraph.operators[g.opIndex].inputs[19], step.cellState);
}
