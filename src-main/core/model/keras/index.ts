/** Keras models (.h5, Keras 3 .keras): read (h5wasm, fflate), flatten, summarize. */
export { isHdf5, readKerasH5 } from './h5.ts';
export { isZip, readKeras3, snakeCase } from './keras3.ts';
export { isKerasFile, readKeras } from './read.ts';
export { flattenKeras, NESTED_MODEL_CLASSES } from './graph.ts';
export type { KerasGraph, KerasNode, Shape } from './graph.ts';
export { SHAPE_RULES, outputShape } from './shapes.ts';
export { summarizeKeras, kerasMacs } from './summary.ts';
export type { KerasLayerConfig, KerasModel, KerasWeight } from './types.ts';
export { kerasToTflite } from './to-tflite.ts';
export { kerasToTfjs, predictTfjs, predictLayerOutputs } from './tfjs-model.ts';
