/** Coarse op families, used to colour graph nodes so the structure of a network reads at a glance. */
export type OpCategory = 'compute' | 'pool' | 'activation' | 'elementwise' | 'shape' | 'quant' | 'other';

const FAMILY: Record<string, OpCategory> = {
  CONV_2D: 'compute',
  DEPTHWISE_CONV_2D: 'compute',
  FULLY_CONNECTED: 'compute',
  TRANSPOSE_CONV: 'compute',
  UNIDIRECTIONAL_SEQUENCE_LSTM: 'compute',
  AVERAGE_POOL_2D: 'pool',
  MAX_POOL_2D: 'pool',
  MEAN: 'pool',
  SOFTMAX: 'activation',
  LOGISTIC: 'activation',
  TANH: 'activation',
  RELU: 'activation',
  RELU6: 'activation',
  LEAKY_RELU: 'activation',
  HARD_SWISH: 'activation',
  ADD: 'elementwise',
  SUB: 'elementwise',
  MUL: 'elementwise',
  RESHAPE: 'shape',
  SQUEEZE: 'shape',
  EXPAND_DIMS: 'shape',
  TRANSPOSE: 'shape',
  CONCATENATION: 'shape',
  PAD: 'shape',
  PADV2: 'shape',
  STRIDED_SLICE: 'shape',
  PACK: 'shape',
  UNPACK: 'shape',
  SPLIT: 'shape',
  SHAPE: 'shape',
  ARG_MAX: 'shape',
  RESIZE_NEAREST_NEIGHBOR: 'shape',
  RESIZE_BILINEAR: 'shape',
  QUANTIZE: 'quant',
  DEQUANTIZE: 'quant',
};

export function opCategory(op: string): OpCategory {
  return FAMILY[op] ?? 'other';
}

export const CATEGORY_COLOR: Record<OpCategory, string> = {
  compute: '#2f62d0',
  pool: '#1f8a5b',
  activation: '#c2410c',
  elementwise: '#0e7490',
  shape: '#6b7280',
  quant: '#7e3fb0',
  other: '#9ca3af',
};
