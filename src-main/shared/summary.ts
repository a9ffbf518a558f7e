/**
 * The model summary: what `quantscope summary --json` prints and what the renderer shows.
 * Keys are snake_case and stable: other tools and checks read them.
 */

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
  /** False when QuantScope does not recognize the op (shown, never fatal). */
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

export interface ModelSummary {
  /** TFLite only: the interpreter core's load verdict (a model it refuses still opens for reading). */
  interpreter?: InterpreterVerdict;
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
