/**
 * Summarize a Keras model in the same `ModelSummary` shape as a .tflite: one layer per leaf-layer
 * call (InputLayers become the model inputs, nested models are expanded inline), shapes inferred from
 * the config with batch 1, params from the weights, MACs with the TFLite formulas.
 */
import type { LayerSummary, ModelSummary, TensorSummary } from '../../../shared/summary.ts';
import { flattenKeras, type KerasNode, type Shape } from './graph.ts';
import { outputShape } from './shapes.ts';
import { planArena } from '../arena-plan.ts';
import type { Operator, Subgraph, Tensor } from '../ir.ts';
import type { KerasModel } from './types.ts';

/** Config keys that describe training, not the computation: left out of the options. */
const HIDDEN_OPTION =
  /(_initializer|_regularizer|_constraint)$|^(name|trainable|dtype|batch_input_shape|quantization_config)$/;

function layerOptions(cfg: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cfg).filter(([k]) => !HIDDEN_OPTION.test(k)));
}

/** Shapes with the batch dimension fixed to 1, as the TFLite converter does; [] = unknown. */
function concrete(shape: Shape | null): number[] {
  if (!shape) return [];
  return shape.map((d, i) => (d === null && i === 0 ? 1 : (d ?? -1)));
}

function elements(shape: number[]): number {
  return shape.length === 0 || shape.some((d) => d < 0) ? 0 : shape.reduce((a, b) => a * b, 1);
}

function pairOf(v: unknown): [number, number] {
  return Array.isArray(v) ? [Number(v[0]), Number(v[v.length > 1 ? 1 : 0])] : [Number(v), Number(v)];
}

/** Multiply-accumulates of one call, per inference (batch 1). */
export function kerasMacs(node: KerasNode, input: number[], output: number[]): number {
  if (input.length === 0 || output.length === 0) return 0;
  const cfg = node.config;
  const last = (s: number[]) => s[cfg.data_format === 'channels_first' ? 1 : s.length - 1];
  const spatialOut = elements(output) / Math.max(1, last(output));
  switch (node.className) {
    case 'Conv2D': {
      const [kh, kw] = pairOf(cfg.kernel_size);
      const groups = Number(cfg.groups ?? 1) || 1;
      return elements(output) * kh * kw * (last(input) / groups);
    }
    case 'Conv1D': {
      const k = pairOf(cfg.kernel_size)[0];
      return elements(output) * k * (last(input) / (Number(cfg.groups ?? 1) || 1));
    }
    case 'DepthwiseConv2D': {
      const [kh, kw] = pairOf(cfg.kernel_size);
      return elements(output) * kh * kw;
    }
    case 'SeparableConv2D': {
      const [kh, kw] = pairOf(cfg.kernel_size);
      const mid = last(input) * Number(cfg.depth_multiplier ?? 1);
      return spatialOut * mid * kh * kw + elements(output) * mid;
    }
    case 'Conv2DTranspose': {
      const [kh, kw] = pairOf(cfg.kernel_size);
      return elements(input) * kh * kw * last(output);
    }
    case 'Dense':
      return elements(output) * input[input.length - 1];
    case 'LSTM':
    case 'GRU':
    case 'SimpleRNN': {
      // per step, each gate multiplies the input and the previous output by its weights
      const [, steps, features] = input;
      const units = Number(cfg.units);
      const gates = node.className === 'LSTM' ? 4 : node.className === 'GRU' ? 3 : 1;
      return steps * gates * units * (features + units);
    }
    default:
      return 0;
  }
}

export function summarizeKeras(model: KerasModel): ModelSummary {
  const graph = flattenKeras(model.config);
  const shapes = new Map<string, Shape | null>();
  const tensors = new Map<string, TensorSummary>();
  let next = 0;
  const addTensor = (id: string | null, name: string, shape: number[], constant: boolean): TensorSummary => {
    const t: TensorSummary = { tensor: next++, name, dtype: 'float32', shape, quantization: null, constant };
    if (id) tensors.set(id, t);
    return t;
  };
  for (const input of graph.inputs) {
    shapes.set(input.id, input.shape);
    addTensor(input.id, input.name, concrete(input.shape), false);
  }
  const layers: LayerSummary[] = [];
  let weightsBytes = 0;
  for (const node of graph.nodes) {
    const ins = node.inputs.map((id) => tensors.get(id)!);
    const weights = node.call === 0 ? (model.weights.get(node.path) ?? []) : [];
    const weightTensors = weights.map((w) =>
      addTensor(null, `${node.path}/${w.name.split('/').pop()}`, w.shape, true),
    );
    const shape = outputShape(
      node.className,
      node.config,
      node.inputs.map((id) => shapes.get(id) ?? null),
    );
    const name = node.call > 0 ? `${node.path}_call${node.call}` : node.path;
    const outs = node.outputs.map((id) => {
      shapes.set(id, shape ?? null);
      return addTensor(id, name, concrete(shape ?? null), false);
    });
    const params = weights.reduce((a, w) => a + w.data.length, 0);
    weightsBytes += params * 4;
    layers.push({
      index: layers.length,
      op: node.className,
      supported: shape !== undefined,
      inputs: [...ins, ...weightTensors],
      outputs: outs,
      options: layerOptions(node.config),
      macs: kerasMacs(node, ins[0]?.shape ?? [], outs[0]?.shape ?? []),
      params,
    });
  }
  const inputs = graph.inputs.map((i) => tensors.get(i.id)!);
  const outputs = graph.outputs.map((id) => tensors.get(id)!);
  return {
    inputs,
    outputs,
    layers,
    totals: {
      ops: layers.length,
      params: layers.reduce((a, l) => a + l.params, 0),
      weights_bytes: weightsBytes,
      macs: layers.reduce((a, l) => a + l.macs, 0),
      arena_bytes: kerasArenaBytes(layers, inputs, outputs, next),
    },
    metadata: {
      // A Keras 3 .keras file records no backend (the weights are backend-neutral).
      description: `Keras ${model.className} "${model.name}" (keras ${model.kerasVersion || '?'}${model.kerasVersion.startsWith('3') && !model.backend ? '' : `, ${model.backend || '?'}`})`,
      parameters: {},
      entries: [],
    },
  };
}

/**
 * Arena bytes from the same lifetime-based greedy planner the .tflite summary uses, over a
 * minimal subgraph of the float32 activations (weights are constants and take no arena).
 */
function kerasArenaBytes(
  layers: LayerSummary[],
  inputs: TensorSummary[],
  outputs: TensorSummary[],
  count: number,
): number {
  const tensors: Tensor[] = Array.from({ length: count }, (_, index) => ({
    index,
    name: '',
    dtype: 'float32',
    shape: [0],
    buffer: 0,
    data: null,
    quantization: null,
    isVariable: false,
  }));
  const add = (t: TensorSummary) => {
    tensors[t.tensor] = {
      ...tensors[t.tensor],
      name: t.name,
      shape: t.shape,
      data: t.constant ? new Uint8Array(0) : null,
    };
  };
  for (const l of layers) [...l.inputs, ...l.outputs].forEach(add);
  inputs.forEach(add);
  const operators: Operator[] = layers.map((l) => ({
    index: l.index,
    opcodeIndex: 0,
    builtinCode: 0,
    op: l.op,
    known: l.supported,
    inputs: l.inputs.map((t) => t.tensor),
    outputs: l.outputs.map((t) => t.tensor),
    intermediates: [],
    options: {},
  }));
  const sg: Subgraph = {
    name: 'keras',
    tensors,
    operators,
    inputs: inputs.map((t) => t.tensor),
    outputs: outputs.map((t) => t.tensor),
  };
  return planArena(sg).size;
}
