/**
 * Keras 2 model as read from an HDF5 file: the architecture JSON (`model_config`) and the float
 * weights of every layer, keyed by the layer's path ("conv2d", or "sequential/dense" inside a
 * nested model).
 */

/** One entry of a Keras `layers` list: `{class_name, config, name?, inbound_nodes?}`. */
export interface KerasLayerConfig {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
  /** Functional models only: one entry per call, each a list of `[layer, node, tensor, kwargs]`. */
  inbound_nodes?: unknown[];
}

export interface KerasWeight {
  /** Weight name as stored, e.g. "dense/kernel:0". */
  name: string;
  shape: number[];
  /** Weights are always delivered as float32 (float64 / float16 files are converted). */
  data: Float32Array;
}

export interface KerasModel {
  /** Model name from the config. */
  name: string;
  /** "Sequential", "Functional" or "Model". */
  className: string;
  kerasVersion: string;
  backend: string;
  /** The parsed `model_config` attribute, untouched. */
  config: KerasLayerConfig;
  /** Weights per layer path ("conv2d", "sequential/dense"), in Keras' `layer.weights` order. */
  weights: Map<string, KerasWeight[]>;
}
