/**
 * Fold an inference-mode BatchNormalization into the Conv/Dense/DepthwiseConv before it:
 *   BN(y) = gamma·(y − mean)/sqrt(var + eps) + beta, y = w·x + b
 *        = (w·k)·x + (b − mean)·k + beta,   k = gamma / sqrt(var + eps)   (per output channel)
 * so the int8 model needs no separate BN op and its weights are quantized after the fold.
 */

export interface BatchNormParams {
  /** null when the BN has scale=False (gamma = 1). */
  gamma: Float32Array | null;
  /** null when the BN has center=False (beta = 0). */
  beta: Float32Array | null;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

export interface FoldTarget {
  kernel: Float32Array;
  /** null when the layer has no bias (use_bias=False): folding creates one. */
  bias: Float32Array | null;
  outChannels: number;
  /**
   * Where the output channel sits in the kernel's flat layout: 'last' for Keras HWIO / [in, out] /
   * depthwise [kh, kw, in, mult] and TFLite depthwise [1, kh, kw, out]; 'first' for TFLite CONV_2D
   * OHWI and FULLY_CONNECTED [out, in].
   */
  channelPosition: 'first' | 'last';
}

export function foldBatchNorm(
  target: FoldTarget,
  bn: BatchNormParams,
): { kernel: Float32Array; bias: Float32Array } {
  const n = target.outChannels;
  for (const [name, v] of Object.entries({
    gamma: bn.gamma,
    beta: bn.beta,
    mean: bn.mean,
    variance: bn.variance,
  })) {
    if (v && v.length !== n)
      throw new Error(`BatchNorm ${name} has ${v.length} channels, the layer has ${n}`);
  }
  if (target.kernel.length % n !== 0) {
    throw new Error(`Kernel of ${target.kernel.length} values does not split into ${n} output channels`);
  }
  if (target.bias && target.bias.length !== n)
    throw new Error(`Bias has ${target.bias.length} values, expected ${n}`);
  const k = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    const v = bn.variance[c] + bn.epsilon;
    if (!(v > 0)) throw new Error(`BatchNorm channel ${c}: variance + epsilon = ${v} is not positive`);
    k[c] = (bn.gamma ? bn.gamma[c] : 1) / Math.sqrt(v);
  }
  const per = target.kernel.length / n;
  const kernel = new Float32Array(target.kernel.length);
  for (let i = 0; i < kernel.length; i++) {
    const c = target.channelPosition === 'last' ? i % n : Math.floor(i / per);
    kernel[i] = target.kernel[i] * k[c];
  }
  const bias = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    bias[c] = ((target.bias ? target.bias[c] : 0) - bn.mean[c]) * k[c] + (bn.beta ? bn.beta[c] : 0);
  }
  return { kernel, bias };
}
