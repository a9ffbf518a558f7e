/**
 * What a layer lowering sees of the conversion in progress (built per layer call by to-tflite.ts):
 * the layer, its inputs as IR tensors with concrete shapes (batch 1), its weights, and helpers that
 * add ops the way the converter records them (so activations can fuse and BatchNorm can fold).
 */
import type { OptionValue } from '../../ir.ts';
import type { KerasNode } from '../graph.ts';
import type { IrBuilder } from '../ir-builder.ts';
import type { KerasWeight } from '../types.ts';
import type { InputAffine } from './affine.ts';

export type Cfg = Record<string, unknown>;
export type Options = Record<string, OptionValue>;

/** A CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED a following BatchNormalization may fold into. */
export interface FoldTarget {
  kernel: number;
  bias: number;
  outChannels: number;
  /** Output channel last in the kernel's layout (DEPTHWISE_CONV_2D), else first. */
  last: boolean;
}

export interface LayerContext {
  b: IrBuilder;
  node: KerasNode;
  /** "path (Class)", for messages. */
  who: string;
  cfg: Cfg;
  /** IR tensor of each Keras input, in call order. */
  inputs: number[];
  /** Their shapes with batch 1. */
  inShapes: number[][];
  /** The layer's output shape with batch 1. */
  outShape: number[];
  weights: KerasWeight[];
  /** "2.13.1", "3.3.3" ("" when the file does not say). */
  kerasVersion: string;
  /** Add an op whose output is the layer's output (named after the layer); returns that tensor. */
  emit(op: string, inputs: number[], options?: Options, name?: string): number;
  /** Add an op with a new intermediate float32 tensor `path/suffix` of `shape`; returns it. */
  step(op: string, inputs: number[], shape: number[], options: Options, suffix: string): number;
  /** A float32 (or int32) constant named `path/suffix`. */
  constant(suffix: string, shape: number[], values: Float32Array | Int32Array): number;
  /** Apply a Keras activation by name to `src`, ending in the layer's output. */
  activate(src: number, act: string): void;
  /** Make `t` the layer's output without an op. */
  setOutput(t: number): void;
  /**
   * Record that `t` (e.g. the RESHAPE after a Conv1D's CONV_2D) may take a fused activation or a
   * BatchNorm fold in `op`: both commute with the reshapes around it.
   */
  foldable(t: number, op: number, target: FoldTarget): void;
  /** The operator index that wrote tensor `t`, if an op did. */
  producerOf(t: number): number | undefined;
  /** How many layers (and graph outputs) read this layer's output. */
  readers(): number;
  /** The layers that read this layer's output. */
  nextLayers(): KerasNode[];
  /** An affine map the layer before left for this layer's first input to fold (see affine.ts). */
  inputAffine(): InputAffine | undefined;
  /** Output = input, with `affine` left for the one next layer to fold into its weights. */
  deferAffine(affine: InputAffine): void;
  /** Throw a conversion error naming the layer. */
  fail(message: string): never;
}

export const act = (cfg: Cfg): string => String(cfg.activation ?? 'linear');

/** `[a, b]`, `a` or the default, as a pair. */
export const pair = (v: unknown, d: number): [number, number] =>
  Array.isArray(v)
    ? [Number(v[0]), Number(v[v.length > 1 ? 1 : 0])]
    : typeof v === 'number'
      ? [v, v]
      : [d, d];

/** First element of a list, the number itself, or the default. */
export const single = (v: unknown, d: number): number =>
  Array.isArray(v) ? Number(v[0] ?? d) : typeof v === 'number' ? v : d;

/** The (only) axis a layer works on, as a non-negative index into a rank-`rank` shape. */
export function axisOf(ctx: LayerContext, v: unknown, rank: number, dflt = -1): number {
  const list = Array.isArray(v) ? v : [v ?? dflt];
  if (list.length !== 1) ctx.fail(`more than one axis (${JSON.stringify(v)}) is not supported`);
  const a = Number(list[0]);
  if (!Number.isInteger(a) || a < -rank || a >= rank) ctx.fail(`axis ${a} is outside rank ${rank}`);
  return (a + rank) % rank;
}

export const i32 = (values: number[]): Int32Array => Int32Array.from(values);
export const f32 = (values: ArrayLike<number>): Float32Array => Float32Array.from(values);

export const NO_ACT: Options = { fused_activation_function: 'NONE' };

/** RESHAPE `x` to `shape` as an intermediate tensor (or the output when `last`). */
export function reshape(ctx: LayerContext, x: number, shape: number[], suffix: string, last = false): number {
  const s = ctx.constant(`${suffix}_shape`, [shape.length], i32(shape));
  return last
    ? ctx.emit('RESHAPE', [x, s], { new_shape: shape })
    : ctx.step('RESHAPE', [x, s], shape, { new_shape: shape }, suffix);
}

/** The Keras major version of the file (2 when it does not say). */
export const kerasMajor = (ctx: LayerContext): number => Number(ctx.kerasVersion.split('.')[0]) || 2;
