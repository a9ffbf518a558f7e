/**
 * Facts from the TFLite flatbuffer schema (tensorflow/lite/schema/schema.fbs): builtin operator
 * codes, tensor types and the small enums used by builtin options. Written by hand from the
 * schema; the order of every list below is the schema's numbering.
 */
import type { DType } from './ir.ts';

export const FILE_IDENTIFIER = 'TFL3';

/** BuiltinOperator names, index = builtin code (0..209); code 225 is added separately. */
const OPS_0_TO_209 = `ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE
EMBEDDING_LOOKUP FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D
LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE
RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM
EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE
MEAN SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT
LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER
GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG
SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND
LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD RANGE
RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL REVERSE_V2 ADD_N
GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE
NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL
PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM CALL_ONCE BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS HASHTABLE
HASHTABLE_FIND HASHTABLE_IMPORT HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE
ASSIGN_VARIABLE BROADCAST_ARGS RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM MULTINOMIAL GELU
DYNAMIC_UPDATE_SLICE RELU_0_TO_1 UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2
UNSORTED_SEGMENT_MIN SIGN BITCAST BITWISE_XOR RIGHT_SHIFT STABLEHLO_LOGISTIC STABLEHLO_ADD STABLEHLO_DIVIDE
STABLEHLO_MULTIPLY STABLEHLO_MAXIMUM STABLEHLO_RESHAPE STABLEHLO_CLAMP STABLEHLO_CONCATENATE
STABLEHLO_BROADCAST_IN_DIM STABLEHLO_CONVOLUTION STABLEHLO_SLICE STABLEHLO_CUSTOM_CALL STABLEHLO_REDUCE
STABLEHLO_ABS STABLEHLO_AND STABLEHLO_COSINE STABLEHLO_EXPONENTIAL STABLEHLO_FLOOR STABLEHLO_LOG
STABLEHLO_MINIMUM STABLEHLO_NEGATE STABLEHLO_OR STABLEHLO_POWER STABLEHLO_REMAINDER STABLEHLO_RSQRT
STABLEHLO_SELECT STABLEHLO_SUBTRACT STABLEHLO_TANH STABLEHLO_SCATTER STABLEHLO_COMPARE STABLEHLO_CONVERT
STABLEHLO_DYNAMIC_SLICE STABLEHLO_DYNAMIC_UPDATE_SLICE STABLEHLO_PAD STABLEHLO_IOTA STABLEHLO_DOT_GENERAL
STABLEHLO_REDUCE_WINDOW STABLEHLO_SORT STABLEHLO_WHILE STABLEHLO_GATHER STABLEHLO_TRANSPOSE DILATE
STABLEHLO_RNG_BIT_GENERATOR REDUCE_WINDOW STABLEHLO_COMPOSITE STABLEHLO_SHIFT_LEFT STABLEHLO_CBRT STABLEHLO_CASE`.split(
  /\s+/,
);

const OP_NAMES = new Map<number, string>(OPS_0_TO_209.map((n, i) => [i, n]));
OP_NAMES.set(225, 'TEMP_STREAMING_CONV_2D');

export const BUILTIN_CUSTOM = 32;
/** Codes at or above this live only in OperatorCode.builtin_code (deprecated_builtin_code is a byte). */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** TFLite builtin name for a code; unknown codes show as `BUILTIN_<code>`. */
export function builtinName(code: number): string {
  return OP_NAMES.get(code) ?? `BUILTIN_${code}`;
}

export function builtinCodeOf(name: string): number | undefined {
  for (const [code, n] of OP_NAMES) if (n === name) return code;
  return undefined;
}

/** The ops QuantScope recognizes with all options decoded (issue 2). */
export const SUPPORTED_OPS: ReadonlySet<string> = new Set(
  `CONV_2D DEPTHWISE_CONV_2D FULLY_CONNECTED AVERAGE_POOL_2D MAX_POOL_2D RESHAPE SOFTMAX ADD SUB MUL MEAN PAD
  PADV2 CONCATENATION TRANSPOSE RESIZE_NEAREST_NEIGHBOR RESIZE_BILINEAR LOGISTIC TANH RELU RELU6 LEAKY_RELU
  HARD_SWISH QUANTIZE DEQUANTIZE SHAPE STRIDED_SLICE PACK UNPACK SQUEEZE EXPAND_DIMS SPLIT ARG_MAX
  TRANSPOSE_CONV UNIDIRECTIONAL_SEQUENCE_LSTM SUM REDUCE_MAX REDUCE_MIN BATCH_MATMUL SVDF CAST DIV MINIMUM
  MAXIMUM`.split(/\s+/),
);

/**
 * Custom ops QuantScope knows, by name, with the code the interpreter core gives each (from 1000 up,
 * firmware/core/src/internal.h): the code a board's HELLO lists for it. Their options are FlexBuffers,
 * kept raw in `customOptions`. TFLite Micro's signal library (the audio front end) is 1001..1014.
 */
export const CUSTOM_OP_CODES: ReadonlyMap<string, number> = new Map([
  ['TFLite_Detection_PostProcess', 1000],
  ['SignalWindow', 1001],
  ['SignalFftAutoScale', 1002],
  ['SignalRfft', 1003],
  ['SignalEnergy', 1004],
  ['SignalFilterBank', 1005],
  ['SignalFilterBankSquareRoot', 1006],
  ['SignalFilterBankSpectralSubtraction', 1007],
  ['SignalFilterBankLog', 1008],
  ['SignalPCAN', 1009],
  ['SignalFramer', 1010],
  ['SignalDelay', 1011],
  ['SignalStacker', 1012],
  ['SignalOverlapAdd', 1013],
  ['SignalIrfft', 1014],
]);

/** Custom ops QuantScope knows (CUSTOM_OP_CODES' names). */
export const SUPPORTED_CUSTOM_OPS: ReadonlySet<string> = new Set(CUSTOM_OP_CODES.keys());

/** TensorType enum order → IR dtype. */
export const TENSOR_TYPES: readonly DType[] = [
  'float32',
  'float16',
  'int32',
  'uint8',
  'int64',
  'string',
  'bool',
  'int16',
  'complex64',
  'int8',
  'float64',
  'complex128',
  'uint64',
  'resource',
  'variant',
  'uint32',
  'uint16',
  'int4',
  'bfloat16',
  'int2',
  'uint4',
  'float8_e4m3fn',
  'float8_e5m2',
];

export function dtypeOf(code: number): DType {
  return TENSOR_TYPES[code] ?? 'unknown';
}

/** IR dtype → TensorType code; throws for 'unknown' (which has no code). */
export function tensorTypeCode(dtype: DType): number {
  const i = TENSOR_TYPES.indexOf(dtype);
  if (i < 0) throw new Error(`dtype '${dtype}' has no TFLite TensorType`);
  return i;
}

/** Enums used by builtin options, by schema name; index = enum value. */
export const ENUMS: Record<string, readonly string[]> = {
  Padding: ['SAME', 'VALID'],
  ActivationFunctionType: ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'],
  TensorType: TENSOR_TYPES.map((t) => t.toUpperCase()),
  FullyConnectedOptionsWeightsFormat: ['DEFAULT', 'SHUFFLED4x16INT8'],
  LSHProjectionType: ['UNKNOWN', 'SPARSE', 'DENSE'],
  LSTMKernelType: ['FULL', 'BASIC'],
  CombinerType: ['SUM', 'MEAN', 'SQRTN'],
  MirrorPadMode: ['REFLECT', 'SYMMETRIC'],
};
