/**
 * The model summary: what `quantscope summary --json` prints and what the renderer shows.
 * Keys are snake_case and stable: other tools and checks read them.
 */
import type { InterpreterVerdict } from '../core/simulate/interpreter.ts';

export type { InterpreterVerdict };

export interface QuantizationSummary {
  scale: number[];
  zero_point: number[];
  /** quantized_dimension; meaningful for per-channel (scale.length > 1). */
  axis: number;
}

export interface TensorSummary {
  tensor: number;
  name: string;
  dtype: string;
  shape: number[];
  quantization: QuantizationSummary | null;
  /** True when the tensor holds constant data (weights, bias). */
  constant: boolean;
}

export interface LayerSummary {
  index: number;
  /** TFLite builtin name in upper case (or the custom code). */
  op: string;
  /** False when the model reader does not decode the op's options (shown, never fatal; whether the core runs the model is `interpreter`). */
  supported: boolean;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  options: Record<string, unknown>;
  macs: number;
  params: number;
}

export interface ModelTotals {
  ops: number;
  params: number;
  weights_bytes: number;
  macs: number;
  /** Peak activation memory from a lifetime-based arena plan. */
  arena_bytes: number;
}

/** One subgraph of a multi-subgraph file (WHILE/IF bodies, CALL_ONCE init graphs). */
export interface SubgraphSummary {
  index: number;
  name: string;
  ops: number;
  inputs: number;
  outputs: number;
}

export interface ModelSummary {
  /** TFLite only: the interpreter core's load verdict (a model it refuses still opens for reading). */
  interpreter?: InterpreterVerdict;
  /** Files with more than one subgraph only: every subgraph (layers and totals describe subgraph 0,
   * the main graph; the others run inside its WHILE, IF or CALL_ONCE ops). */
  subgraphs?: SubgraphSummary[];
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  layers: LayerSummary[];
  totals: ModelTotals;
  metadata: {
    description: string;
    /** MLTK model parameters (SL_PARAMSv1), decoded; Uint8Array values are base64 strings here. */
    parameters: Record<string, unknown>;
    /** Names of all metadata entries in the file. */
    entries: string[];
  };
}
