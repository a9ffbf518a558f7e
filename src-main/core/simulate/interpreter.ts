/**
 * The host interpreter. `prepare(model)` validates every op once (types, shapes, quantization)
 * and precomputes its parameters (multipliers, shifts, tables), allocating one typed array per
 * tensor. `invoke` then only runs the prepared closures in order.
 *
 * Taps: with `taps: true` every op output is copied out after the op runs, keyed by op index and
 * tensor index; with `taps: false` only the graph outputs are returned (lean mode).
 */
import type { Model, Subgraph, Tensor } from '../model/ir.ts';
import { SimulateError, UnsupportedOpError } from './errors.ts';
import { PrepareContext, type Run } from './ops/context.ts';
import { OP_PREPARERS } from './ops/registry.ts';
import { allocate, constantData, elementCount, type TensorData } from './tensor-data.ts';
import { WasmArena } from './wasm/arena.ts';

export interface PrepareOptions {
  /**
   * Compiled sim-kernels.wasm (compileSimWasm): int8 CONV_2D, DEPTHWISE_CONV_2D and
   * FULLY_CONNECTED then run on its SIMD kernels (same bits); without it everything is TypeScript.
   */
  wasm?: WebAssembly.Module | null;
}

export interface PreparedStep {
  opIndex: number;
  op: string;
  outputs: number[];
  run: Run;
  /** Byte offset of each output's tap copy in the per-invoke tap buffer; -1: its own copy. */
  tapOffsets: number[];
  /** Per output: what every LayerOutput of it repeats (built once; the shape array is frozen). */
  outputInfo: TensorInfo[];
}

interface TensorInfo {
  tensor: number;
  name: string;
  dtype: string;
  shape: number[];
}

export interface PreparedModel {
  model: Model;
  subgraph: Subgraph;
  steps: PreparedStep[];
  storage: TensorData[];
  inputs: Tensor[];
  outputs: Tensor[];
  /** For each graph output, the step that produces it (undefined for a pass-through input). */
  outputProducers: (PreparedStep | undefined)[];
  /** Per graph output, like PreparedStep.outputInfo. */
  outputInfo: TensorInfo[];
  /** Size of the buffer that holds every tap of one invoke (one allocation instead of one per layer). */
  tapBytes: number;
}

export interface LayerOutput {
  opIndex: number;
  op: string;
  tensor: number;
  name: string;
  dtype: string;
  shape: number[];
  data: TensorData;
}

export interface InvokeOptions {
  /** Keep every op output (default true). */
  taps?: boolean;
  /** Called after each op with its outputs (views valid only during the call when taps is off). */
  onLayer?: (layer: LayerOutput) => void;
}

export interface InvokeResult {
  outputs: LayerOutput[];
  layers: LayerOutput[];
}

const TAP_SHARED_MAX = 4096;
const TAP_ON_HEAP_MAX = 64;

export function prepare(model: Model, subgraphIndex = 0, options: PrepareOptions = {}): PreparedModel {
  const subgraph = model.subgraphs[subgraphIndex];
  if (!subgraph) throw new SimulateError(`model has no subgraph ${subgraphIndex}`);
  const storage: TensorData[] = subgraph.tensors.map((t) => {
    if (t.shape.some((d) => d < 0)) {
      throw new SimulateError(
        `tensor ${t.index} '${t.name}' has a dynamic shape [${t.shape}]; only static shapes are supported`,
      );
    }
    try {
      return constantData(t) ?? allocate(t.dtype, elementCount(t.shape));
    } catch (e) {
      if (e instanceof SimulateError) throw new SimulateError(`tensor ${t.index} '${t.name}': ${e.message}`);
      throw e;
    }
  });
  const arena = options.wasm ? new WasmArena(options.wasm) : null;
  const steps: PreparedStep[] = subgraph.operators.map((op) => {
    const preparer = OP_PREPARERS[op.op];
    if (!preparer)
      throw new UnsupportedOpError(`layer ${op.index}: op ${op.op} is not supported by the simulator`);
    const ctx = new PrepareContext(model, subgraph, op, storage, arena);
    let run: Run;
    try {
      run = preparer(ctx);
    } catch (e) {
      if (e instanceof SimulateError) throw e;
      throw new SimulateError(`layer ${op.index} (${op.op}): ${(e as Error).message}`);
    }
    return {
      opIndex: op.index,
      op: op.op,
      outputs: op.outputs,
      run,
      tapOffsets: [] as number[],
      outputInfo: op.outputs.map((o) => tensorInfo(subgraph.tensors[o])),
    };
  });
  // Small taps share one buffer per invoke (an off-heap typed-array allocation costs ~0.5 us in
  // V8, more than copying a small tensor); large ones get their own, so handing one layer to
  // another process never clones more than TAP_SHARED_MAX-sized neighbours along with it. Tiny
  // ones (<= 64 bytes) are sliced: V8 keeps those on its heap, which is cheaper still.
  let tapBytes = 0;
  for (const s of steps) {
    for (const o of s.outputs) {
      const n = storage[o].byteLength;
      const shared = n > TAP_ON_HEAP_MAX && n <= TAP_SHARED_MAX;
      s.tapOffsets.push(shared ? tapBytes : -1);
      if (shared) tapBytes += (n + 7) & ~7; // 8-byte aligned for every element type
    }
  }
  const producer = new Map<number, PreparedStep>();
  for (const s of steps) for (const o of s.outputs) producer.set(o, s);
  const graphOutputs = subgraph.outputs.map((i) => subgraph.tensors[i]);
  return {
    model,
    subgraph,
    steps,
    storage,
    inputs: subgraph.inputs.map((i) => subgraph.tensors[i]),
    outputs: graphOutputs,
    outputProducers: subgraph.outputs.map((i) => producer.get(i)),
    outputInfo: graphOutputs.map(tensorInfo),
    tapBytes,
  };
}

function tensorInfo(t: Tensor): TensorInfo {
  return { tensor: t.index, name: t.name, dtype: t.dtype, shape: Object.freeze(t.shape.slice()) as number[] };
}

type TensorDataCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => TensorData;

/**
 * One op output; `copy` is false (a live view), true (a fresh copy) or a tap buffer and byte
 * offset to copy into (small typed-array allocations cost ~1 us each in V8; a view on one
 * per-invoke buffer is far cheaper).
 */
function layerOutput(
  pm: PreparedModel,
  opIndex: number,
  op: string,
  info: TensorInfo,
  copy: boolean | ArrayBuffer,
  offset = 0,
): LayerOutput {
  const data = pm.storage[info.tensor];
  let out = data;
  if (copy === true) out = data.slice();
  else if (copy !== false) {
    out = new (data.constructor as TensorDataCtor)(copy, offset, data.length);
    (out as Int8Array).set(data as Int8Array);
  }
  // The shape array is shared by every output of this tensor and frozen: copy it to change it.
  return {
    opIndex,
    op,
    tensor: info.tensor,
    name: info.name,
    dtype: info.dtype,
    shape: info.shape,
    data: out,
  };
}

/** Copy caller inputs (one typed array per graph input, matching dtype and size) into the model. */
export function setInputs(pm: PreparedModel, inputs: readonly TensorData[]): void {
  if (inputs.length !== pm.inputs.length) {
    throw new SimulateError(`model has ${pm.inputs.length} input(s), got ${inputs.length}`, 'INPUT');
  }
  for (let i = 0; i < inputs.length; i++) {
    const t = pm.inputs[i];
    const dst = pm.storage[t.index];
    const src = inputs[i];
    if (src.constructor !== dst.constructor) {
      throw new SimulateError(`input ${i} '${t.name}' is ${t.dtype}; got a ${src.constructor.name}`, 'INPUT');
    }
    if (src.length !== dst.length) {
      throw new SimulateError(
        `input ${i} '${t.name}' has ${dst.length} elements [${t.shape}], got ${src.length}`,
        'INPUT',
      );
    }
    (dst as Int8Array).set(src as Int8Array);
  }
}

export function invoke(
  pm: PreparedModel,
  inputs: readonly TensorData[],
  options: InvokeOptions = {},
): InvokeResult {
  const taps = options.taps ?? true;
  setInputs(pm, inputs);
  const layers: LayerOutput[] = [];
  const buffer = taps && pm.tapBytes > 0 ? new ArrayBuffer(pm.tapBytes) : null;
  const onLayer = options.onLayer;
  const steps = pm.steps;
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s];
    step.run();
    if (!taps && !onLayer) continue;
    for (let k = 0; k < step.outputs.length; k++) {
      const offset = step.tapOffsets[k];
      const copy = taps ? (offset < 0 || !buffer ? true : buffer) : false;
      const layer = layerOutput(pm, step.opIndex, step.op, step.outputInfo[k], copy, offset);
      if (taps) layers.push(layer);
      onLayer?.(layer);
    }
  }
  const outputs: LayerOutput[] = [];
  for (let i = 0; i < pm.outputs.length; i++) {
    const s = pm.outputProducers[i];
    outputs.push(layerOutput(pm, s?.opIndex ?? -1, s?.op ?? 'INPUT', pm.outputInfo[i], true));
  }
  return { outputs, layers };
}
