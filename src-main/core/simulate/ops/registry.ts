/** Op name -> prepare function. Everything not listed here is reported as unsupported. */
import type { OpPrepare } from './context.ts';
import { prepareConv2d, prepareDepthwiseConv2d } from './conv-ops.ts';
import { prepareAveragePool, prepareFullyConnected, prepareMaxPool } from './fc-pool-ops.ts';
import {
  prepareDequantize,
  prepareHardSwish,
  prepareLeakyRelu,
  prepareLogistic,
  prepareQuantize,
  prepareRelu,
  prepareRelu6,
  prepareSoftmax,
  prepareTanh,
} from './activation-ops.ts';
import { prepareAdd, prepareMul, prepareSub } from './elementwise-ops.ts';
import {
  prepareArgMax,
  prepareConcatenation,
  prepareCopy,
  prepareMean,
  preparePack,
  preparePad,
  prepareResizeNearest,
  prepareShape,
  prepareStridedSlice,
  prepareTranspose,
} from './shape-ops.ts';

export const OP_PREPARERS: Readonly<Record<string, OpPrepare>> = {
  CONV_2D: prepareConv2d,
  DEPTHWISE_CONV_2D: prepareDepthwiseConv2d,
  FULLY_CONNECTED: prepareFullyConnected,
  AVERAGE_POOL_2D: prepareAveragePool,
  MAX_POOL_2D: prepareMaxPool,
  RESHAPE: prepareCopy,
  SQUEEZE: prepareCopy,
  EXPAND_DIMS: prepareCopy,
  SOFTMAX: prepareSoftmax,
  ADD: prepareAdd,
  SUB: prepareSub,
  MUL: prepareMul,
  MEAN: prepareMean,
  PAD: preparePad,
  PADV2: preparePad,
  CONCATENATION: prepareConcatenation,
  TRANSPOSE: prepareTranspose,
  RESIZE_NEAREST_NEIGHBOR: prepareResizeNearest,
  LOGISTIC: prepareLogistic,
  TANH: prepareTanh,
  RELU: prepareRelu,
  RELU6: prepareRelu6,
  LEAKY_RELU: prepareLeakyRelu,
  HARD_SWISH: prepareHardSwish,
  QUANTIZE: prepareQuantize,
  DEQUANTIZE: prepareDequantize,
  SHAPE: prepareShape,
  STRIDED_SLICE: prepareStridedSlice,
  PACK: preparePack,
  ARG_MAX: prepareArgMax,
};

export const SUPPORTED_SIMULATOR_OPS: readonly string[] = Object.keys(OP_PREPARERS);
