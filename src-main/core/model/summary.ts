/** Model → ModelSummary (what `quantscope summary --json` prints and the UI shows). */
import type { Model, Subgraph, Tensor } from './ir.ts';
import type { LayerSummary, ModelSummary, TensorSummary } from '../../shared/summary.ts';
import { planArena } from './arena-plan.ts';
import { customOptions } from './custom-options.ts';
import { operatorMacs, operatorParams } from './layer-cost.ts';
import { elementCount } from './tensor-size.ts';

function tensorSummary(t: Tensor): TensorSummary {
  const q = t.quantization;
  return {
    tensor: t.index,
    name: t.name,
    dtype: t.dtype,
    shape: [...t.shape],
    quantization: q ? { scale: [...q.scale], zero_point: [...q.zeroPoint], axis: q.axis } : null,
    constant: t.data !== null,
  };
}

const listOf = (sg: Subgraph, idx: number[]): TensorSummary[] =>
  idx.filter((i) => i >= 0 && i < sg.tensors.length).map((i) => tensorSummary(sg.tensors[i]));

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Summarize the main subgraph (subgraph 0) of a model. */
export function summarize(model: Model): ModelSummary {
  const sg: Subgraph = model.subgraphs[0] ?? {
    name: '',
    tensors: [],
    operators: [],
    inputs: [],
    outputs: [],
  };
  const layers: LayerSummary[] = sg.operators.map((op) => ({
    index: op.index,
    op: op.op,
    supported: op.known,
    inputs: listOf(sg, op.inputs),
    outputs: listOf(sg, op.outputs),
    options: { ...op.options, ...customOptions(op) },
    macs: operatorMacs(op, sg),
    params: operatorParams(op, sg),
  }));

  // Totals count each constant tensor and each buffer once, even when shared between layers.
  const constTensors = sg.tensors.filter((t) => t.data !== null);
  const constBuffers = new Set(constTensors.map((t) => t.buffer));
  let weightsBytes = 0;
  for (const b of constBuffers) weightsBytes += model.buffers[b]?.length ?? 0;

  const parameters: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(model.parameters))
    parameters[k] = v instanceof Uint8Array ? base64(v) : v;

  return {
    ...(model.subgraphs.length > 1
      ? {
          subgraphs: model.subgraphs.map((g, index) => ({
            index,
            name: g.name,
            ops: g.operators.length,
            inputs: g.inputs.length,
            outputs: g.outputs.length,
          })),
        }
      : {}),
    inputs: listOf(sg, sg.inputs),
    outputs: listOf(sg, sg.outputs),
    layers,
    totals: {
      ops: sg.operators.length,
      params: constTensors.reduce((n, t) => n + elementCount(t.shape), 0),
      weights_bytes: weightsBytes,
      macs: layers.reduce((n, l) => n + l.macs, 0),
      arena_bytes: planArena(sg).size,
    },
    metadata: {
      description: model.description,
      parameters,
      entries: model.metadata.map((e) => e.name),
    },
  };
}
