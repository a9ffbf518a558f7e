/**
 * Multiply-accumulate count and parameter count of one operator, from tensor shapes (NHWC,
 * TFLite weight layouts). Batch is included (N = 1 in every fixture, so the formulas hold):
 *   CONV_2D            N·out_h·out_w·out_c · k_h·k_w·in_c       filter [out_c, k_h, k_w, in_c]
 *   DEPTHWISE_CONV_2D  N·out_h·out_w·out_c · k_h·k_w            filter [1, k_h, k_w, out_c]
 *   FULLY_CONNECTED    rows·out·in                              weights [out, in]; rows = input elements / in
 *   TRANSPOSE_CONV     N·in_h·in_w·in_c · k_h·k_w·out_c         each input pixel is scattered through the kernel
 *   UNIDIRECTIONAL_SEQUENCE_LSTM  steps·Σ(rows·cols) over its constant 2-D weight matrices
 *   BATCH_MATMUL       output elements · depth                  depth: lhs[-1] (lhs[-2] with adj_x)
 *   SVDF               batch·filters·(input + memory)           weights_feature [filters, input] over the
 *                      input, weights_time [filters, memory] over the activation state (filters = units·rank)
 *   SignalWindow       input elements                           one window product per sample
 *   SignalFilterBank   2·Σ channel widths                       weight and unweight per bin (constant widths)
 *   SignalRfft/Irfft   frames · 4·(Σ over kiss_fft's radix-p stages of (p-1)·n/p + n/2)
 *                      n = fft_length / 2 complex points: the twiddle products of each stage and the
 *                      real-FFT post-twiddles, 4 real multiply-adds per complex product
 *   every other op     0
 */
import type { Operator, Subgraph, Tensor } from './ir.ts';
import { elementCount } from './tensor-size.ts';

const dim = (t: Tensor | undefined, i: number): number => {
  if (!t) return 0;
  const d = t.shape[i < 0 ? t.shape.length + i : i];
  return d === undefined || d < 0 ? 1 : d;
};

export function operatorMacs(op: Operator, sg: Subgraph): number {
  const T = (i: number): Tensor | undefined => {
    const k = i < 0 ? op.inputs.length + i : i;
    const idx = op.inputs[k];
    return idx === undefined || idx < 0 ? undefined : sg.tensors[idx];
  };
  const out = op.outputs[0] !== undefined && op.outputs[0] >= 0 ? sg.tensors[op.outputs[0]] : undefined;
  switch (op.op) {
    case 'CONV_2D': {
      const f = T(1);
      if (!out || !f || f.shape.length !== 4 || out.shape.length !== 4) return 0;
      return elementCount(out.shape) * dim(f, 1) * dim(f, 2) * dim(f, 3);
    }
    case 'DEPTHWISE_CONV_2D': {
      const f = T(1);
      if (!out || !f || f.shape.length !== 4) return 0;
      return elementCount(out.shape) * dim(f, 1) * dim(f, 2);
    }
    case 'FULLY_CONNECTED': {
      const input = T(0);
      const w = T(1);
      if (!input || !w || w.shape.length !== 2) return 0;
      const nIn = dim(w, 1);
      const rows = nIn > 0 ? Math.floor(elementCount(input.shape) / nIn) : 0;
      return rows * dim(w, 0) * nIn;
    }
    case 'TRANSPOSE_CONV': {
      // inputs: output_shape, weights [out_c, k_h, k_w, in_c], input [N, h, w, in_c]
      const w = T(1);
      const input = T(2);
      if (!w || !input || w.shape.length !== 4) return 0;
      return elementCount(input.shape) * dim(w, 0) * dim(w, 1) * dim(w, 2);
    }
    case 'BATCH_MATMUL': {
      // out [..., rows, cols] = lhs [..., rows, depth] x rhs [..., depth, cols] (adj_x: lhs transposed)
      const lhs = T(0);
      if (!out || !lhs || lhs.shape.length < 2) return 0;
      return elementCount(out.shape) * dim(lhs, op.options.adj_x === true ? -2 : -1);
    }
    case 'UNIDIRECTIONAL_SEQUENCE_LSTM': {
      const input = T(0);
      if (!input || input.shape.length < 2) return 0;
      const steps = elementCount(input.shape.slice(0, -1));
      let perStep = 0;
      for (let i = 1; i < op.inputs.length; i++) {
        const t = T(i);
        if (t?.data && t.shape.length === 2) perStep += dim(t, 0) * dim(t, 1);
      }
      return steps * perStep;
    }
    case 'SVDF': {
      const input = T(0);
      const feature = T(1);
      const time = T(2);
      if (!input || !feature || !time || feature.shape.length !== 2 || time.shape.length !== 2) return 0;
      const batch = dim(feature, 1) > 0 ? Math.floor(elementCount(input.shape) / dim(feature, 1)) : 0;
      return batch * dim(feature, 0) * (dim(feature, 1) + dim(time, 1));
    }
    case 'SignalWindow': {
      const input = T(0);
      return input ? elementCount(input.shape) : 0;
    }
    case 'SignalFilterBank': {
      const widths = T(5);
      if (!widths?.data || widths.dtype !== 'int16') return 0;
      const w = new DataView(widths.data.buffer, widths.data.byteOffset, widths.data.byteLength);
      let sum = 0;
      for (let i = 0; i + 2 <= w.byteLength; i += 2) sum += Math.max(0, w.getInt16(i, true));
      return 2 * sum;
    }
    case 'SignalRfft':
    case 'SignalIrfft': {
      // fft_length from the shapes: RFFT's output and IRFFT's input hold fft_length + 2 values
      const bins = op.op === 'SignalRfft' ? out : T(0);
      if (!out || !bins || bins.shape.length === 0) return 0;
      const len = dim(bins, -1) - 2;
      const frames = elementCount(out.shape) / dim(out, -1);
      return frames * 4 * fftProducts(len / 2);
    }
    default:
      return 0;
  }
}

/** Complex products of kiss_fft's real FFT of 2n points: mixed radix 4, 2, 3, 5, ... as it factors
 * n, (p - 1) · n / p per radix-p stage, and n / 2 post-twiddles. */
function fftProducts(n: number): number {
  if (!Number.isInteger(n) || n < 2) return 0;
  const root = Math.floor(Math.sqrt(n));
  let rest = n;
  let p = 4;
  let products = Math.floor(n / 2);
  while (rest > 1) {
    while (rest % p) {
      p = p === 4 ? 2 : p === 2 ? 3 : p + 2;
      if (p > root) p = rest;
    }
    rest /= p;
    products += ((p - 1) * n) / p;
  }
  return products;
}

/** Elements of the operator's constant inputs (weights, bias, constant shapes). */
export function operatorParams(op: Operator, sg: Subgraph): number {
  let n = 0;
  for (const i of new Set(op.inputs)) {
    const t = i >= 0 ? sg.tensors[i] : undefined;
    if (t?.data) n += elementCount(t.shape);
  }
  return n;
}
