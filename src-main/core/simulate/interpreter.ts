/**
 * The host simulator: the interpreter core (firmware/core) compiled to WebAssembly, driven op by
 * op. `prepare(model)` hands the model's bytes to the core, whose loader validates every op
 * (types, shapes, quantization) and plans the arena: a model it refuses is refused here with its
 * message (layer, tensor, rule), exactly as the virtual and real boards would refuse it. No op
 * arithmetic and no model check lives in TypeScript.
 *
 * Taps: with `taps: true` every op output is copied out right after the op ran (the core reuses
 * activation memory, so it cannot be read afterwards); with `taps: false` only the graph outputs
 * are returned (lean mode).
 */
import type { Model, Subgraph, Tensor } from '../model/ir.ts';
import { writeTflite } from '../model/tflite-writer.ts';
import { CoreEngine, CoreLoadError, type CoreRefusal } from './engine/core-engine.ts';
import {
  copyOut,
  heapView,
  planTaps,
  viewOf,
  type HeapViews,
  type TapLayout,
  type TensorCtor,
} from './engine/memory-views.ts';
import { SimulateError, UnsupportedOpError } from './errors.ts';
import { parseGateTaps, type LstmGateTaps } from './gate-taps.ts';
import { allocate, elementCount, fromBytes, type TensorData } from './tensor-data.ts';

/** What the interpreter core (the simulator and every board) says of a model at load. */
export type InterpreterVerdict =
  | { runs: true; /** arena the core plans on the host (tables + activations) */ arena_bytes: number }
  | {
      runs: false;
      /** The core's message, naming layer, tensor and rule. */
      message: string;
      /** Operator index the core refused, when it names one. */
      layer?: number;
      tensor?: number;
    };

export interface PrepareOptions {
  /** The model's file bytes, when the caller has them (else the IR is serialized for the core). */
  bytes?: Uint8Array;
  /** Another build of the core (tests compare builds); default: the embedded one. */
  core?: WebAssembly.Module;
}

export interface PreparedStep {
  opIndex: number;
  op: string;
  outputs: number[];
  /** Per output: what every LayerOutput of it repeats (built once; the shape array is frozen). */
  outputInfo: TensorInfo[];
}

interface TensorInfo {
  tensor: number;
  name: string;
  dtype: string;
  shape: number[];
  /** Typed-array class of dtype (null: a type the simulator cannot hand back as values). */
  ctor: TensorCtor;
}

export interface PreparedModel {
  model: Model;
  subgraph: Subgraph;
  steps: PreparedStep[];
  inputs: Tensor[];
  outputs: Tensor[];
  /** For each graph output, the step that produces it (undefined for a pass-through input). */
  outputProducers: (PreparedStep | undefined)[];
  /** For each graph output an op produces, its index in a tapped run's `layers` (one per op output). */
  outputLayers: (number | undefined)[];
  /** Per graph output, like PreparedStep.outputInfo. */
  outputInfo: TensorInfo[];
  /** Per graph input: its typed-array class and element count (checked on every invoke). */
  inputInfo: { ctor: TensorCtor; elements: number }[];
  /** The core instance holding this model (one per prepared model). */
  engine: CoreEngine;
  /** Arena bytes the core planned (tables + activations). */
  arenaBytes: number;
  /** Where each op's output lands in the core's tap buffer (laid out on the first tapped run). */
  tapLayout?: TapLayout;
  /** Whole-memory views per element type (rebuilt when the core's memory is replaced). */
  views: HeapViews;
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
  /** Called after each op with each of its outputs (a view valid only during the call when taps is off). */
  onLayer?: (layer: LayerOutput) => void;
  /** Also record every LSTM step's gate activations and cell state (InvokeResult.gates). */
  gates?: boolean;
}

export interface InvokeResult {
  outputs: LayerOutput[];
  /** One per op output, in op order (SPLIT, SPLIT_V and UNPACK give several with one opIndex). */
  layers: LayerOutput[];
  /** Values by tensor index: the graph inputs, and every op output when taps are on. */
  tensors: Map<number, TensorData>;
  /** With `gates: true`: per UNIDIRECTIONAL_SEQUENCE_LSTM op, its gates and cell state per step. */
  gates?: LstmGateTaps[];
}

/** The message a refusal of the core reads as, naming layer, op, tensor and rule. */
export function refusalMessage(subgraph: Subgraph, r: CoreRefusal): string {
  const op = r.op >= 0 ? subgraph.operators[r.op] : undefined;
  const t = r.tensor >= 0 ? subgraph.tensors[r.tensor] : undefined;
  const where: string[] = [];
  if (r.op >= 0) where.push(`layer ${r.op} (${op?.op ?? 'unknown op'})`);
  if (r.tensor >= 0) where.push(`tensor ${r.tensor}${t ? ` '${t.name}'` : ''}`);
  return `${where.length ? `${where.join(', ')}: ` : ''}${r.message}`;
}

function modelBytes(model: Model, given?: Uint8Array): Uint8Array {
  if (given) return given;
  try {
    return writeTflite(model);
  } catch (e) {
    throw new SimulateError(`the model cannot be handed to the interpreter core: ${(e as Error).message}`);
  }
}

export function prepare(model: Model, subgraphIndex = 0, options: PrepareOptions = {}): PreparedModel {
  const subgraph = model.subgraphs[subgraphIndex];
  if (!subgraph) throw new SimulateError(`model has no subgraph ${subgraphIndex}`);
  if (subgraphIndex !== 0)
    throw new SimulateError('the interpreter core runs subgraph 0 (the main graph) only');
  let engine: CoreEngine;
  try {
    engine = CoreEngine.load(modelBytes(model, options.bytes), options.core);
  } catch (e) {
    if (!(e instanceof CoreLoadError)) throw e;
    const msg = refusalMessage(subgraph, e.refusal);
    const where = { op: e.refusal.op, tensor: e.refusal.tensor };
    if (e.refusal.statusName === 'UNSUPPORTED') throw new UnsupportedOpError(msg, where);
    throw new SimulateError(msg, 'MODEL', where);
  }
  if (engine.opCount !== subgraph.operators.length) {
    throw new SimulateError(
      `the interpreter core sees ${engine.opCount} ops, the model reader ${subgraph.operators.length}`,
    );
  }
  const steps: PreparedStep[] = subgraph.operators.map((op) => ({
    opIndex: op.index,
    op: op.op,
    outputs: op.outputs,
    outputInfo: op.outputs.map((o) => tensorInfo(subgraph.tensors[o])),
  }));
  const producer = new Map<number, PreparedStep>();
  const layerIndex = new Map<number, number>();
  for (const s of steps)
    for (const o of s.outputs) {
      producer.set(o, s);
      layerIndex.set(o, layerIndex.size);
    }
  const graphOutputs = subgraph.outputs.map((i) => subgraph.tensors[i]);
  return {
    model,
    subgraph,
    steps,
    inputs: subgraph.inputs.map((i) => subgraph.tensors[i]),
    outputs: graphOutputs,
    outputProducers: subgraph.outputs.map((i) => producer.get(i)),
    outputLayers: subgraph.outputs.map((i) => layerIndex.get(i)),
    outputInfo: graphOutputs.map(tensorInfo),
    inputInfo: subgraph.inputs.map((i) => {
      const t = subgraph.tensors[i];
      return { ctor: tensorInfo(t).ctor, elements: elementCount(t.shape) };
    }),
    engine,
    arenaBytes: engine.arenaUsed(),
    views: { buffer: null, byCtor: new Map() },
  };
}

function tensorInfo(t: Tensor): TensorInfo {
  return {
    tensor: t.index,
    name: t.name,
    dtype: t.dtype,
    shape: Object.freeze(t.shape.slice()) as number[],
    ctor: allocate(t.dtype, 0).constructor as TensorCtor,
  };
}

function layerOutput(step: { opIndex: number; op: string }, info: TensorInfo, data: TensorData): LayerOutput {
  // The shape array is shared by every output of this tensor and frozen: copy it to change it.
  return {
    opIndex: step.opIndex,
    op: step.op,
    tensor: info.tensor,
    name: info.name,
    dtype: info.dtype,
    shape: info.shape,
    data,
  };
}

/** Copy caller inputs (one typed array per graph input, matching dtype and size) into the core. */
export function setInputs(pm: PreparedModel, inputs: readonly TensorData[]): void {
  if (inputs.length !== pm.inputs.length) {
    throw new SimulateError(`model has ${pm.inputs.length} input(s), got ${inputs.length}`, 'INPUT');
  }
  for (let i = 0; i < inputs.length; i++) {
    const t = pm.inputs[i];
    const src = inputs[i];
    if (src.constructor !== pm.inputInfo[i].ctor) {
      throw new SimulateError(`input ${i} '${t.name}' is ${t.dtype}; got a ${src.constructor.name}`, 'INPUT');
    }
    const n = pm.inputInfo[i].elements;
    if (src.length !== n || src.byteLength !== pm.engine.inputByteLength(i)) {
      throw new SimulateError(
        `input ${i} '${t.name}' has ${n} elements [${t.shape}], got ${src.length}`,
        'INPUT',
      );
    }
    pm.engine.writeInput(i, new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
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
  const onLayer = options.onLayer;
  const steps = pm.steps;
  const engine = pm.engine;
  const gates = options.gates === true && engine.setGateTaps(true);
  if (taps) {
    const lay = (pm.tapLayout ??= planTaps(engine));
    engine.invokeBuffered();
    const buf = engine.memory();
    const shared =
      lay.sharedEnd > lay.tinyEnd ? buf.slice(lay.ptr + lay.tinyEnd, lay.ptr + lay.sharedEnd) : null;
    // one layer per op output (the tap buffer's slots), op by op in output order
    let slot = 0;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      for (const info of step.outputInfo) {
        const off = lay.offsets[slot];
        const len = lay.lengths[slot++];
        const C = info.ctor;
        const n = len / C.BYTES_PER_ELEMENT;
        let data: TensorData;
        if (off < lay.tinyEnd) {
          // a typed-array slice this small stays on V8's heap: cheaper than any view
          const at = (lay.ptr + off) / C.BYTES_PER_ELEMENT;
          data = heapView(pm.views, buf, C).slice(at, at + n) as TensorData;
        } else if (off < lay.sharedEnd) data = new C(shared as ArrayBuffer, off - lay.tinyEnd, n);
        else data = new C(buf.slice(lay.ptr + off, lay.ptr + off + len), 0, n);
        const layer = layerOutput(step, info, data);
        layers.push(layer);
        if (onLayer) onLayer(layer);
      }
    }
  } else if (onLayer) {
    const buf = engine.memory(); // invoke never grows memory: valid for the whole run
    engine.invokeRaw((op, tensor, ptr, len) => {
      const step = steps[op];
      const info =
        step.outputInfo.length === 1 ? step.outputInfo[0] : step.outputInfo.find((o) => o.tensor === tensor)!;
      onLayer(layerOutput(step, info, viewOf(info, buf, ptr, len)));
    });
  } else {
    engine.invokeRaw(null);
  }
  const buf = engine.memory();
  const outputs: LayerOutput[] = [];
  for (let i = 0; i < pm.outputs.length; i++) {
    const s = pm.outputProducers[i];
    const info = pm.outputInfo[i];
    const at = pm.outputLayers[i];
    if (taps && at !== undefined) {
      // already copied out as its op's tap: the output is that layer (the same values object)
      outputs.push(layers[at]);
      continue;
    }
    const C = info.ctor;
    const ptr = engine.outputOffset(i);
    const data =
      ptr % C.BYTES_PER_ELEMENT === 0
        ? (heapView(pm.views, buf, C).slice(
            ptr / C.BYTES_PER_ELEMENT,
            (ptr + engine.outputByteLength(i)) / C.BYTES_PER_ELEMENT,
          ) as TensorData)
        : copyOut(info, buf, ptr, engine.outputByteLength(i));
    outputs.push(layerOutput(s ?? INPUT_STEP, info, data));
  }
  const result = new RunResult(outputs, layers, pm.inputs, inputs);
  if (gates) {
    result.gates = parseGateTaps(engine.gateTaps(), pm.subgraph);
    engine.setGateTaps(false);
  }
  return result;
}

const INPUT_STEP = { opIndex: -1, op: 'INPUT' };

/** InvokeResult with `tensors` built on first use (most callers never need it). */
class RunResult implements InvokeResult {
  private byTensor: Map<number, TensorData> | null = null;
  gates?: LstmGateTaps[];
  constructor(
    readonly outputs: LayerOutput[],
    readonly layers: LayerOutput[],
    private readonly graphInputs: Tensor[],
    private readonly inputValues: readonly TensorData[],
  ) {}
  get tensors(): Map<number, TensorData> {
    if (!this.byTensor) {
      const m = new Map<number, TensorData>();
      this.graphInputs.forEach((t, i) => m.set(t.index, this.inputValues[i]));
      for (const l of this.layers) m.set(l.tensor, l.data);
      this.byTensor = m;
    }
    return this.byTensor;
  }
}

/** Back to the state at load (variable tensors, op state): the next invoke starts a new stream. */
export function resetState(pm: PreparedModel): void {
  pm.engine.resetState();
}

/**
 * A stream: one invoke per frame (each frame one typed array per graph input) WITHOUT resetting the
 * state in between, as firmware calls Invoke once per frame; `resetState`: every frame from the
 * state at load instead. The first frame starts from the state at load either way.
 */
export function invokeStream(
  pm: PreparedModel,
  frames: readonly (readonly TensorData[])[],
  options: InvokeOptions & { resetState?: boolean } = {},
): InvokeResult[] {
  pm.engine.resetState();
  return frames.map((inputs, k) => {
    if (k > 0 && options.resetState) pm.engine.resetState();
    return invoke(pm, inputs, options);
  });
}

/** The value of tensor `index` in a tapped run (a graph input or an op output); names it when absent. */
export function tensorValue(tensors: ReadonlyMap<number, TensorData>, index: number): TensorData {
  const v = tensors.get(index);
  if (!v)
    throw new SimulateError(`tensor ${index} is neither a graph input nor an op output of the tapped run`);
  return v;
}

/** The core's load verdict for a model (for the model view and `summary`: the model still opens). */
export function interpreterVerdict(model: Model, bytes: Uint8Array): InterpreterVerdict {
  try {
    const pm = prepare(model, 0, { bytes });
    return { runs: true, arena_bytes: pm.arenaBytes };
  } catch (e) {
    if (!(e instanceof SimulateError)) throw e;
    const w = e.where;
    return {
      runs: false,
      message: e.message,
      ...(w && w.op >= 0 ? { layer: w.op } : {}),
      ...(w && w.tensor >= 0 ? { tensor: w.tensor } : {}),
    };
  }
}
