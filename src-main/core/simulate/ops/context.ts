/**
 * What an op's prepare function sees: its tensors, their storage, quantization parameters and a
 * `fail` that throws an error naming the layer index and op. Prepare validates everything once;
 * the returned run closure only computes.
 */
import type { Model, Operator, Subgraph, Tensor } from '../../model/ir.ts';
import { SimulateError } from '../errors.ts';
import type { TensorData } from '../tensor-data.ts';
import type { WasmArena } from '../wasm/arena.ts';

export type Run = () => void;

export class PrepareContext {
  constructor(
    readonly model: Model,
    readonly subgraph: Subgraph,
    readonly op: Operator,
    private readonly storage: TensorData[],
    /** The model's WASM kernel instance, when the caller supplied the module (else pure TS). */
    readonly wasm: WasmArena | null = null,
  ) {}

  /** True when input i is present and constant (its data is known at prepare). */
  isConst(i: number): boolean {
    if (!this.has(i)) return false;
    const t = this.input(i);
    return !!t.data && t.data.byteLength > 0;
  }

  fail(problem: string): never {
    throw new SimulateError(`layer ${this.op.index} (${this.op.op}): ${problem}`);
  }

  get inputCount(): number {
    return this.op.inputs.length;
  }

  /** True when optional input i is present. */
  has(i: number): boolean {
    return i < this.op.inputs.length && this.op.inputs[i] >= 0;
  }

  input(i: number): Tensor {
    if (!this.has(i)) this.fail(`input ${i} is missing`);
    return this.subgraph.tensors[this.op.inputs[i]];
  }

  output(i = 0): Tensor {
    if (i >= this.op.outputs.length) this.fail(`output ${i} is missing`);
    return this.subgraph.tensors[this.op.outputs[i]];
  }

  inputData<T extends TensorData>(i: number): T {
    return this.storage[this.op.inputs[i]] as T;
  }

  outputData<T extends TensorData>(i = 0): T {
    return this.storage[this.op.outputs[i]] as T;
  }

  /** Constant contents of input i (fails if it is not a constant). */
  constInput<T extends TensorData>(i: number, what: string): T {
    const t = this.input(i);
    if (!t.data || t.data.byteLength === 0) this.fail(`${what} (tensor ${t.index}) must be a constant`);
    return this.storage[t.index] as T;
  }

  option<T>(name: string, fallback: T): T {
    const v = this.op.options[name];
    return v === undefined || v === null ? fallback : (v as T);
  }

  requireType(t: Tensor, ...types: string[]): void {
    if (!types.includes(t.dtype)) {
      this.fail(`tensor ${t.index} '${t.name}' has type ${t.dtype}, expected ${types.join(' or ')}`);
    }
  }

  requireRank(t: Tensor, ...ranks: number[]): void {
    if (!ranks.includes(t.shape.length)) {
      this.fail(`tensor ${t.index} '${t.name}' has shape [${t.shape}], expected rank ${ranks.join(' or ')}`);
    }
  }

  /** Per-tensor (scale, zero point); fails when quantization is absent or per-channel. */
  quant(t: Tensor): { scale: number; zeroPoint: number } {
    const q = t.quantization;
    if (!q || q.scale.length === 0)
      this.fail(`tensor ${t.index} '${t.name}' (${t.dtype}) has no quantization parameters`);
    if (!(q.scale[0] > 0) || !Number.isFinite(q.scale[0])) {
      this.fail(`tensor ${t.index} '${t.name}' has invalid scale ${q.scale[0]}`);
    }
    return { scale: q.scale[0], zeroPoint: q.zeroPoint[0] ?? 0 };
  }

  /** Filter scales per output channel (a per-tensor scale is broadcast to `channels`). */
  channelScales(t: Tensor, channels: number): number[] {
    const q = t.quantization;
    if (!q || q.scale.length === 0)
      this.fail(`filter tensor ${t.index} '${t.name}' has no quantization parameters`);
    if (q.scale.length !== 1 && q.scale.length !== channels) {
      this.fail(`filter tensor ${t.index} has ${q.scale.length} scales for ${channels} output channels`);
    }
    for (const s of q.scale) if (!(s > 0)) this.fail(`filter tensor ${t.index} has invalid scale ${s}`);
    return q.scale.length === 1 ? new Array<number>(channels).fill(q.scale[0]) : q.scale;
  }

  requireSameShape(a: Tensor, b: Tensor): void {
    if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
      this.fail(`tensor ${b.index} shape [${b.shape}] does not match tensor ${a.index} shape [${a.shape}]`);
    }
  }
}

export type OpPrepare = (ctx: PrepareContext) => Run;

/** TFLite padding (ComputePaddingHeightWidth): floor of half the total padding, before. */
export function computePadding(
  padding: string,
  inSize: number,
  filterSize: number,
  stride: number,
  dilation: number,
  outSize: number,
): number {
  if (padding !== 'SAME') return 0;
  const effectiveFilter = (filterSize - 1) * dilation + 1;
  const total = (outSize - 1) * stride + effectiveFilter - inSize;
  return total > 0 ? Math.floor(total / 2) : 0;
}

/** Output size of a windowed op for SAME/VALID padding. */
export function computeOutSize(
  padding: string,
  inSize: number,
  filterSize: number,
  stride: number,
  dilation: number,
): number {
  const effectiveFilter = (filterSize - 1) * dilation + 1;
  if (padding === 'SAME') return Math.floor((inSize + stride - 1) / stride);
  return Math.floor((inSize + stride - effectiveFilter) / stride);
}

/** Fused activation of a float op as kernel clamp bounds. */
export function floatClamp(range: { min: number; max: number }): { actMin: number; actMax: number } {
  return { actMin: range.min, actMax: range.max };
}
