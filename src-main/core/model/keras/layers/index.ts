/** Lowerings of the Keras layer classes kept out of to-tflite.ts, by class name. */
import { conv1d, globalPool, pool1d } from './conv1d.ts';
import { elu, leakyRelu, prelu } from './activation-layers.ts';
import { embedding } from './embedding.ts';
import { concatenate, elementwise } from './merge.ts';
import { multiHeadAttention } from './attention.ts';
import { layerNormalization, normalization, rescaling } from './normalization.ts';
import { permute, repeatVector, resizing, upSampling2d, zeroPadding } from './spatial.ts';
import { lstm, recurrentRefused } from './recurrent.ts';
import type { LayerContext } from './context.ts';

export type { LayerContext, FoldTarget } from './context.ts';
export { lowerActivation } from './activations.ts';
export { foldInputAffine, type InputAffine } from './affine.ts';

export const LAYER_LOWERINGS: Record<string, (ctx: LayerContext) => void> = {
  Conv1D: conv1d,
  MaxPooling1D: pool1d,
  AveragePooling1D: pool1d,
  GlobalAveragePooling1D: globalPool,
  GlobalAveragePooling2D: globalPool,
  GlobalMaxPooling1D: globalPool,
  GlobalMaxPooling2D: globalPool,
  Concatenate: concatenate,
  Multiply: elementwise,
  Maximum: elementwise,
  Minimum: elementwise,
  ZeroPadding1D: zeroPadding,
  ZeroPadding2D: zeroPadding,
  UpSampling2D: upSampling2d,
  Resizing: resizing,
  Permute: permute,
  RepeatVector: repeatVector,
  LeakyReLU: leakyRelu,
  PReLU: prelu,
  ELU: elu,
  LayerNormalization: layerNormalization,
  Rescaling: rescaling,
  Normalization: normalization,
  Embedding: embedding,
  MultiHeadAttention: multiHeadAttention,
  LSTM: lstm,
  GRU: recurrentRefused,
  SimpleRNN: recurrentRefused,
};
