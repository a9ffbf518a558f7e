/**
 * QuantScope graph IR: a plain-object view of a model, independent of the TFLite flatbuffer.
 * Nothing outside `core/model/` touches flatbuffer accessors; everything else uses these types.
 *
 * Conventions
 * - Tensor and operator indices are those of the source file (subgraph-local).
 * - `Operator.options` holds the decoded builtin options with the TFLite schema's field names in
 *   snake_case (e.g. `stride_w`, `padding`, `fused_activation_function`); enum values are the
 *   schema's upper-case names (`'SAME'`, `'RELU6'`, ...). Unknown options are kept raw.
 * - Constant tensor contents are views into the file bytes (`Tensor.data`), little-endian.
 */

export type DType =
  | 'float32'
  | 'float16'
  | 'float64'
  | 'int32'
  | 'uint8'
  | 'int64'
  | 'string'
  | 'bool'
  | 'int16'
  | 'complex64'
  | 'int8'
  | 'uint32'
  | 'uint16'
  | 'int4'
  | 'uint64'
  | 'resource'
  | 'variant'
  | 'complex128'
  | 'bfloat16'
  | 'int2'
  | 'uint4'
  | 'float8_e4m3fn'
  | 'float8_e5m2'
  | 'unknown';

export interface Quantization {
  /** One scale per channel (per-channel) or a single scale (per-tensor). */
  scale: number[];
  zeroPoint: number[];
  /** quantized_dimension from the file (meaningful only when scale.length > 1). */
  axis: number;
  /** Optional recorded float range (schema `min`/`max`). */
  min?: number[];
  max?: number[];
}

export interface Tensor {
  index: number;
  name: string;
  dtype: DType;
  shape: number[];
  shapeSignature?: number[];
  /** Index into Model.buffers (0 = no data). */
  buffer: number;
  /** Constant contents (a view into the model bytes) or null for activations. */
  data: Uint8Array | null;
  quantization: Quantization | null;
  isVariable: boolean;
  /** Schema `has_rank` (distinguishes scalars from unknown rank); absent = false. */
  hasRank?: boolean;
}

export type OptionValue = number | boolean | string | number[] | null | { [k: string]: OptionValue };

export interface Operator {
  index: number;
  /** Index into Model.operatorCodes. */
  opcodeIndex: number;
  /** Builtin operator code (max(deprecated_builtin_code, builtin_code)). */
  builtinCode: number;
  /** Upper-case TFLite builtin name, e.g. 'CONV_2D'; the custom code for CUSTOM ops. */
  op: string;
  /** True when QuantScope knows this op and decoded all of its options. */
  known: boolean;
  inputs: number[]; // -1 = optional input absent
  outputs: number[];
  intermediates: number[];
  options: Record<string, OptionValue>;
  /** Schema name of the builtin options table (e.g. 'Conv2DOptions'); absent when the op has none. */
  optionsTable?: string;
  customOptions?: Uint8Array;
  /** Schema `mutating_variable_inputs` (RNN/LSTM state inputs), when present. */
  mutatingVariableInputs?: boolean[];
}

export interface Subgraph {
  name: string;
  tensors: Tensor[];
  operators: Operator[];
  inputs: number[];
  outputs: number[];
}

export interface OperatorCode {
  builtinCode: number;
  deprecatedBuiltinCode: number;
  customCode?: string;
  version: number;
}

export interface MetadataEntry {
  name: string;
  buffer: number;
}

export interface SignatureTensor {
  name: string;
  tensorIndex: number;
}

export interface SignatureDef {
  signatureKey: string;
  subgraphIndex: number;
  inputs: SignatureTensor[];
  outputs: SignatureTensor[];
}

export interface Model {
  version: number;
  description: string;
  operatorCodes: OperatorCode[];
  subgraphs: Subgraph[];
  /** Raw contents of every buffer (empty Uint8Array for buffer 0 / no data). */
  buffers: Uint8Array[];
  metadata: MetadataEntry[];
  /** Deprecated schema field `metadata_buffer` (buffer indices), when present. */
  metadataBuffer?: number[];
  signatureDefs: SignatureDef[];
  /** Decoded MLTK model parameters (`SL_PARAMSv1` metadata), empty when absent. */
  parameters: Record<string, ParamValue>;
  /** Why `SL_PARAMSv1` could not be decoded (the model itself is still usable), when it could not. */
  parametersError?: string;
  /**
   * Schema features present in the file that this IR does not carry (e.g. "subgraph 0 tensor 3:
   * sparsity"). writeTflite refuses such a model unless told to drop them.
   */
  lossy?: string[];
  /**
   * Keras layers the converter lowered to more than one op (model/keras/to-tflite.ts): the layer's
   * path and its ops (indices into subgraph 0's operators). The quantizer may run such a layer's
   * interior in int16 (quantize/lowering-interior.ts). Absent for a model read from a file.
   */
  lowerings?: { layer: string; ops: number[] }[];
}

export type ParamValue = boolean | number | string | number[] | string[] | Uint8Array;
