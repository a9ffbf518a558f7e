/**
 * Keras Conv2D / DepthwiseConv2D / Dense weights in the TFLite layouts: kernel HWIO → OHWI,
 * depthwise [kh, kw, in, mult] (already [1, kh, kw, in·mult] in memory), Dense [in, out] → [out, in].
 */
import type { KerasNode, Shape } from '../graph.ts';
import type { KerasWeight } from '../types.ts';

export interface ConvWeights {
  kernel: Float32Array;
  kernelShape: number[];
  bias: Float32Array;
  outChannels: number;
}

export function convertWeights(
  node: KerasNode,
  weights: KerasWeight[],
  input: Shape | null,
  who: string,
): ConvWeights {
  const cfg = node.config;
  const [kw, bw] = weights;
  if (!kw) throw new Error(`Keras layer ${who}: no weights stored`);
  if (Number(cfg.groups ?? 1) !== 1)
    throw new Error(`Keras layer ${who}: grouped convolution is not supported`);
  const s = kw.shape;
  if (node.className === 'Dense') {
    if (!input || input.length !== 2)
      throw new Error(
        `Keras layer ${who}: Dense on a rank-${input?.length} input is not supported (flatten first)`,
      );
    const [nin, nout] = s;
    const kernel = new Float32Array(nin * nout);
    for (let i = 0; i < nin; i++) for (let o = 0; o < nout; o++) kernel[o * nin + i] = kw.data[i * nout + o];
    return {
      kernel,
      kernelShape: [nout, nin],
      bias: bw ? bw.data : new Float32Array(nout),
      outChannels: nout,
    };
  }
  if (node.className === 'DepthwiseConv2D') {
    const [kh, kwid, ci, m] = s;
    return {
      kernel: kw.data,
      kernelShape: [1, kh, kwid, ci * m],
      bias: bw ? bw.data : new Float32Array(ci * m),
      outChannels: ci * m,
    };
  }
  const [kh, kwid, ci, co] = s;
  const kernel = new Float32Array(kw.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kwid; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++)
          kernel[((o * kh + y) * kwid + x) * ci + i] = kw.data[((y * kwid + x) * ci + i) * co + o];
  return {
    kernel,
    kernelShape: [co, kh, kwid, ci],
    bias: bw ? bw.data : new Float32Array(co),
    outChannels: co,
  };
}
