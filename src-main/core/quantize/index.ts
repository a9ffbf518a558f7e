/**
 * Quantizer core (pure). Entry points:
 * - quantizeWorkflow: float TFLite IR (Keras: kerasToTflite) + raw samples → int8 model + report;
 * - quantizationReport: int8 model (ours or converted elsewhere) + float model + samples → report;
 * building blocks: calibration ranges (min/max, percentile, MSE; autoQuantize picks per model),
 * int8/int32 parameters, quantizeModel (IR → IR), normalization parameters, datasets, advice.
 */
export * from './params.ts';
export * from '../model/keras/bn-fold.ts';
export * from './ranges.ts';
export * from './calibrate.ts';
export { quantizeModel, INT8_OP_VERSIONS, type QuantizeOptions } from './quantize-model.ts';
export { interiorPlan, type InteriorPlan, type InteriorPrecision } from './lowering-interior.ts';
export { autoQuantize, type AutoQuantizeOptions, type AutoQuantizeResult } from './auto-range.ts';
export { parseNormalization, withNormalization, type InputNormalization } from './normalization.ts';
export {
  layerErrors,
  layerErrorsCsv,
  MLTK_COLUMNS,
  type LayerErrorRow,
  type LayerErrorOptions,
} from './layer-error.ts';
export { alignOps, type OpPair } from './op-align.ts';
export { outputMetrics, argmax, type OutputMetrics } from './output-metrics.ts';
export {
  layerAdvice,
  inputAdvice,
  inputStats,
  structureAdvice,
  type Advice,
  type AdviceThresholds,
  type InputStats,
} from './advice.ts';
export {
  quantizeWorkflow,
  quantizationReport,
  type QuantizeRequest,
  type QuantizeOutcome,
  type ReportRequest,
  type QuantReport,
} from './pipeline.ts';
export { dequantize, int8Inputs } from './io-convert.ts';
export { samplesFromArray, labelsFromArray, datasetFromCsv, readNpz, type Dataset } from './dataset.ts';
