/**
 * Rescaling and Normalization are per-channel affine maps x·s + t. When the only reader is a
 * Dense / Conv1D / Conv2D / DepthwiseConv2D, the map folds into its weights, as the converter's
 * constant folding does:
 *   W·(x·s + t) + b = (W·s)·x + (b + Σ W·t)      (s, t per input channel)
 * exact for Dense and for VALID windows; with SAME or causal padding the zeros padded in would be
 * x = 0 instead of (x·s + t) = 0, so the fold needs t = 0 there. Otherwise the map is MUL / ADD.
 */
import type { KerasNode } from '../graph.ts';

export interface InputAffine {
  /** Per input channel (the last axis), length C. */
  scale: Float32Array;
  offset: Float32Array;
}

/** Whether `next` can absorb the affine map applied to its (rank-`rank`) input. */
export function affineFoldsInto(next: KerasNode, affine: InputAffine, rank: number): boolean {
  const zeroOffset = affine.offset.every((v) => v === 0);
  switch (next.className) {
    case 'Dense':
      return rank === 2;
    case 'Conv1D':
    case 'Conv2D':
    case 'DepthwiseConv2D':
      return next.config.padding === 'valid' || zeroOffset;
    default:
      return false;
  }
}

export type FoldOp = 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED';

/**
 * New kernel and bias with the input affine map folded in (TFLite layouts: CONV_2D OHWI and
 * FULLY_CONNECTED [out, in] have the input channel innermost; DEPTHWISE_CONV_2D [1, kh, kw, C·m]
 * has output channel c·m + j reading input channel c).
 */
export function foldInputAffine(
  op: FoldOp,
  target: { kernel: Float32Array; bias: Float32Array; outChannels: number },
  affine: InputAffine,
): { kernel: Float32Array; bias: Float32Array } {
  const n = target.outChannels;
  const c = affine.scale.length;
  const kernel = new Float32Array(target.kernel.length);
  const sums = new Float64Array(n);
  const per = target.kernel.length / n;
  for (let i = 0; i < kernel.length; i++) {
    let out: number;
    let ch: number;
    if (op === 'DEPTHWISE_CONV_2D') {
      out = i % n;
      ch = Math.floor(out / (n / c));
    } else {
      out = Math.floor(i / per);
      ch = i % c;
    }
    sums[out] += target.kernel[i] * affine.offset[ch];
    kernel[i] = target.kernel[i] * affine.scale[ch];
  }
  const bias = Float32Array.from(target.bias, (b, o) => b + sums[o]);
  return { kernel, bias };
}
