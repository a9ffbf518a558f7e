/**
 * Builtin option tables of the TFLite schema, as compact field lists, and their decoding into
 * plain `{snake_case: value}` objects (enums as their schema names).
 *
 * Each entry of OPTION_TABLES is one member of the schema's `BuiltinOptions` union, in union order
 * (union type = index + 1). A field is `name:type` or `name:type=default`; `-` marks a deprecated
 * slot that still takes a field id. Types: int uint long float bool, [int] [float] [long], string,
 * or an enum name from ENUMS (stored as a byte).
 */
import type { OptionValue } from './ir.ts';
import type { Table } from './fb-reader.ts';
import { ENUMS } from './tflite-schema.ts';

const ACT = 'fused_activation_function:ActivationFunctionType';

const SPEC = `
Conv2DOptions padding:Padding stride_w:int stride_h:int ${ACT} dilation_w_factor:int=1 dilation_h_factor:int=1 quantized_bias_type:TensorType
DepthwiseConv2DOptions padding:Padding stride_w:int stride_h:int depth_multiplier:int ${ACT} dilation_w_factor:int=1 dilation_h_factor:int=1
ConcatEmbeddingsOptions num_channels:int num_columns_per_channel:[int] embedding_dim_per_channel:[int]
LSHProjectionOptions type:LSHProjectionType
Pool2DOptions padding:Padding stride_w:int stride_h:int filter_width:int filter_height:int ${ACT}
SVDFOptions rank:int ${ACT} asymmetric_quantize_inputs:bool
RNNOptions ${ACT} asymmetric_quantize_inputs:bool
FullyConnectedOptions ${ACT} weights_format:FullyConnectedOptionsWeightsFormat keep_num_dims:bool asymmetric_quantize_inputs:bool quantized_bias_type:TensorType
SoftmaxOptions beta:float
ConcatenationOptions axis:int ${ACT}
AddOptions ${ACT} pot_scale_int16:bool=1
L2NormOptions ${ACT}
LocalResponseNormalizationOptions radius:int bias:float alpha:float beta:float
LSTMOptions ${ACT} cell_clip:float proj_clip:float kernel_type:LSTMKernelType asymmetric_quantize_inputs:bool
ResizeBilinearOptions - - align_corners:bool half_pixel_centers:bool
CallOptions subgraph:uint
ReshapeOptions new_shape:[int]
SkipGramOptions ngram_size:int max_skip_size:int include_all_ngrams:bool
SpaceToDepthOptions block_size:int
EmbeddingLookupSparseOptions combiner:CombinerType
MulOptions ${ACT}
PadOptions
GatherOptions axis:int batch_dims:int
BatchToSpaceNDOptions
SpaceToBatchNDOptions
TransposeOptions
ReducerOptions keep_dims:bool
SubOptions ${ACT} pot_scale_int16:bool=1
DivOptions ${ACT}
SqueezeOptions squeeze_dims:[int]
SequenceRNNOptions time_major:bool ${ACT} asymmetric_quantize_inputs:bool
StridedSliceOptions begin_mask:int end_mask:int ellipsis_mask:int new_axis_mask:int shrink_axis_mask:int offset:bool
ExpOptions
TopKV2Options
SplitOptions num_splits:int
LogSoftmaxOptions
CastOptions in_data_type:TensorType out_data_type:TensorType
DequantizeOptions
MaximumMinimumOptions
ArgMaxOptions output_type:TensorType
LessOptions
NegOptions
PadV2Options
GreaterOptions
GreaterEqualOptions
LessEqualOptions
SelectOptions
SliceOptions
TransposeConvOptions padding:Padding stride_w:int stride_h:int ${ACT} quantized_bias_type:TensorType
SparseToDenseOptions validate_indices:bool
TileOptions
ExpandDimsOptions
EqualOptions
NotEqualOptions
ShapeOptions out_type:TensorType
PowOptions
ArgMinOptions output_type:TensorType
FakeQuantOptions min:float max:float num_bits:int narrow_range:bool
PackOptions values_count:int axis:int
LogicalOrOptions
OneHotOptions axis:int
LogicalAndOptions
LogicalNotOptions
UnpackOptions num:int axis:int
FloorDivOptions
SquareOptions
ZerosLikeOptions
FillOptions
BidirectionalSequenceLSTMOptions ${ACT} cell_clip:float proj_clip:float merge_outputs:bool time_major:bool=1 asymmetric_quantize_inputs:bool
BidirectionalSequenceRNNOptions time_major:bool ${ACT} merge_outputs:bool asymmetric_quantize_inputs:bool
UnidirectionalSequenceLSTMOptions ${ACT} cell_clip:float proj_clip:float time_major:bool asymmetric_quantize_inputs:bool diagonal_recurrent_tensors:bool
FloorModOptions
RangeOptions
ResizeNearestNeighborOptions align_corners:bool half_pixel_centers:bool
LeakyReluOptions alpha:float
SquaredDifferenceOptions
MirrorPadOptions mode:MirrorPadMode
AbsOptions
SplitVOptions num_splits:int
UniqueOptions idx_out_type:TensorType=2
ReverseV2Options
AddNOptions
GatherNdOptions
CosOptions
WhereOptions
RankOptions
ReverseSequenceOptions seq_dim:int batch_dim:int
MatrixDiagOptions
QuantizeOptions
MatrixSetDiagOptions
HardSwishOptions
IfOptions then_subgraph_index:int else_subgraph_index:int
WhileOptions cond_subgraph_index:int body_subgraph_index:int
DepthToSpaceOptions block_size:int
NonMaxSuppressionV4Options
NonMaxSuppressionV5Options
ScatterNdOptions
SelectV2Options
DensifyOptions
SegmentSumOptions
BatchMatMulOptions adj_x:bool adj_y:bool asymmetric_quantize_inputs:bool
CumsumOptions exclusive:bool reverse:bool
CallOnceOptions init_subgraph_index:int
BroadcastToOptions
Rfft2dOptions
Conv3DOptions padding:Padding stride_d:int stride_w:int stride_h:int ${ACT} dilation_d_factor:int=1 dilation_w_factor:int=1 dilation_h_factor:int=1
HashtableOptions table_id:int key_dtype:TensorType value_dtype:TensorType
HashtableFindOptions
HashtableImportOptions
HashtableSizeOptions
VarHandleOptions container:string shared_name:string
ReadVariableOptions
AssignVariableOptions
RandomOptions seed:long seed2:long
BucketizeOptions boundaries:[float]
GeluOptions approximate:bool
DynamicUpdateSliceOptions
UnsortedSegmentProdOptions
UnsortedSegmentMaxOptions
UnsortedSegmentMinOptions
UnsortedSegmentSumOptions
ATan2Options
SignOptions
BitcastOptions
BitwiseXorOptions
RightShiftOptions
`;

export interface OptionField {
  /** Field id in the table (its position, deprecated slots included). */
  id: number;
  name: string;
  type: string;
  dflt: number;
}

export interface OptionTable {
  /** BuiltinOptions union type (1-based). */
  unionType: number;
  name: string;
  fields: OptionField[];
}

export const OPTION_TABLES: readonly OptionTable[] = SPEC.trim()
  .split('\n')
  .map((line, i) => {
    const [name, ...specs] = line.trim().split(/\s+/);
    const fields: OptionField[] = [];
    specs.forEach((s, id) => {
      if (s === '-') return;
      const [nameType, dflt] = s.split('=');
      const [fname, type] = nameType.split(':');
      fields.push({ id, name: fname, type, dflt: dflt === undefined ? 0 : Number(dflt) });
    });
    return { unionType: i + 1, name, fields };
  });

const BY_NAME = new Map(OPTION_TABLES.map((t) => [t.name, t]));

export function optionTableByName(name: string): OptionTable | undefined {
  return BY_NAME.get(name);
}

export function optionTableByType(unionType: number): OptionTable | undefined {
  return OPTION_TABLES[unionType - 1];
}

/** Decode a builtin options table into `{field: value}`; absent vectors/strings are null. */
export function decodeOptions(spec: OptionTable, t: Table): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const f of spec.fields) {
    switch (f.type) {
      case 'int':
        out[f.name] = t.i32(f.id, f.name, f.dflt);
        break;
      case 'uint':
        out[f.name] = t.u32(f.id, f.name, f.dflt);
        break;
      case 'long':
        out[f.name] = t.i64(f.id, f.name, f.dflt);
        break;
      case 'float':
        out[f.name] = t.f32(f.id, f.name, f.dflt);
        break;
      case 'bool':
        out[f.name] = t.bool(f.id, f.name, f.dflt !== 0);
        break;
      case '[int]':
        out[f.name] = t.numbers(f.id, f.name, 'i32');
        break;
      case '[float]':
        out[f.name] = t.numbers(f.id, f.name, 'f32');
        break;
      case '[long]':
        out[f.name] = t.numbers(f.id, f.name, 'i64');
        break;
      case 'string':
        out[f.name] = t.string(f.id, f.name);
        break;
      default: {
        // Enum stored as a byte: its schema name, or the raw number when out of range.
        const v = t.i8(f.id, f.name, f.dflt);
        out[f.name] = ENUMS[f.type]?.[v] ?? v;
      }
    }
  }
  return out;
}

/** The builtin options table each recognized op uses (ops absent here carry no options). */
export const OPTIONS_FOR_OP: Readonly<Record<string, string>> = {
  CONV_2D: 'Conv2DOptions',
  DEPTHWISE_CONV_2D: 'DepthwiseConv2DOptions',
  FULLY_CONNECTED: 'FullyConnectedOptions',
  AVERAGE_POOL_2D: 'Pool2DOptions',
  MAX_POOL_2D: 'Pool2DOptions',
  RESHAPE: 'ReshapeOptions',
  SOFTMAX: 'SoftmaxOptions',
  ADD: 'AddOptions',
  SUB: 'SubOptions',
  MUL: 'MulOptions',
  MEAN: 'ReducerOptions',
  SUM: 'ReducerOptions',
  REDUCE_MAX: 'ReducerOptions',
  REDUCE_MIN: 'ReducerOptions',
  REDUCE_PROD: 'ReducerOptions',
  BATCH_MATMUL: 'BatchMatMulOptions',
  PAD: 'PadOptions',
  PADV2: 'PadV2Options',
  CONCATENATION: 'ConcatenationOptions',
  TRANSPOSE: 'TransposeOptions',
  RESIZE_NEAREST_NEIGHBOR: 'ResizeNearestNeighborOptions',
  RESIZE_BILINEAR: 'ResizeBilinearOptions',
  LEAKY_RELU: 'LeakyReluOptions',
  HARD_SWISH: 'HardSwishOptions',
  QUANTIZE: 'QuantizeOptions',
  DEQUANTIZE: 'DequantizeOptions',
  SHAPE: 'ShapeOptions',
  STRIDED_SLICE: 'StridedSliceOptions',
  PACK: 'PackOptions',
  UNPACK: 'UnpackOptions',
  SQUEEZE: 'SqueezeOptions',
  EXPAND_DIMS: 'ExpandDimsOptions',
  SPLIT: 'SplitOptions',
  ARG_MAX: 'ArgMaxOptions',
  TRANSPOSE_CONV: 'TransposeConvOptions',
  UNIDIRECTIONAL_SEQUENCE_LSTM: 'UnidirectionalSequenceLSTMOptions',
  DIV: 'DivOptions',
  L2_NORMALIZATION: 'L2NormOptions',
  CAST: 'CastOptions',
  LOG_SOFTMAX: 'LogSoftmaxOptions',
  SQUARED_DIFFERENCE: 'SquaredDifferenceOptions',
  MAXIMUM: 'MaximumMinimumOptions',
  MINIMUM: 'MaximumMinimumOptions',
  LESS: 'LessOptions',
  LESS_EQUAL: 'LessEqualOptions',
  GREATER: 'GreaterOptions',
  GREATER_EQUAL: 'GreaterEqualOptions',
  EQUAL: 'EqualOptions',
  NOT_EQUAL: 'NotEqualOptions',
  LOGICAL_AND: 'LogicalAndOptions',
  LOGICAL_OR: 'LogicalOrOptions',
  LOGICAL_NOT: 'LogicalNotOptions',
  SELECT_V2: 'SelectV2Options',
  EXP: 'ExpOptions',
  NEG: 'NegOptions',
  ABS: 'AbsOptions',
  SQUARE: 'SquareOptions',
  FLOOR_DIV: 'FloorDivOptions',
  FLOOR_MOD: 'FloorModOptions',
};

/** Schema defaults of an options table as a decoded options object (for building new operators). */
export function defaultOptions(tableName: string): Record<string, OptionValue> {
  const spec = optionTableByName(tableName);
  if (!spec) throw new Error(`unknown builtin options table '${tableName}'`);
  const out: Record<string, OptionValue> = {};
  for (const f of spec.fields) {
    if (f.type.startsWith('[') || f.type === 'string') out[f.name] = null;
    else if (f.type === 'bool') out[f.name] = f.dflt !== 0;
    else if (ENUMS[f.type]) out[f.name] = ENUMS[f.type][f.dflt] ?? f.dflt;
    else out[f.name] = f.dflt;
  }
  return out;
}
