/** Public API of the model stage: read/write TFLite, IR types, errors, parameters, summaries. */
import type { Model } from './ir.ts';
import { readTflite } from './tflite-reader.ts';

export type * from './ir.ts';
export { ModelFormatError } from './errors.ts';
export { detectFormat, requireFormat, isHdf5, type ModelFileFormat } from './formats.ts';
export { readTflite } from './tflite-reader.ts';
export { writeTflite, type WriteOptions } from './tflite-writer.ts';
export { matchTflite as match, matchTflite } from './tflite-header.ts';
export { builtinName, builtinCodeOf, SUPPORTED_OPS, TENSOR_TYPES } from './tflite-schema.ts';
export { OPTION_TABLES, OPTIONS_FOR_OP, defaultOptions, optionTableByName } from './tflite-options.ts';
export { fixQuantizedDimensions, type CompatFix } from './tflite-compat.ts';
export {
  PARAMETERS_TAG,
  PARAM_TYPES,
  decodeParameters,
  encodeParameters,
  inferParamType,
  readParameters,
  readTypedParameters,
  withParameters,
  type ParamType,
  type TypedParam,
} from './parameters.ts';
export { summarize } from './summary.ts';
export {
  GREEDY_PLAN_LIMIT,
  planArena,
  tensorLifetimes,
  type ArenaPlan,
  type ArenaEntry,
} from './arena-plan.ts';
export { operatorMacs, operatorParams } from './layer-cost.ts';
export { elementCount, tensorBytes, dtypeBytes } from './tensor-size.ts';

/** Open a TFLite model from its bytes (throws ModelFormatError on malformed input). */
export function open(bytes: Uint8Array): Model {
  return readTflite(bytes);
}
