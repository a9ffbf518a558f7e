/** float32 element-wise activations and SOFTMAX (TFLite reference formulas). */

export type FloatUnary =
  | 'LOGISTIC'
  | 'TANH'
  | 'RELU'
  | 'RELU6'
  | 'RELU_N1_TO_1'
  | 'HARD_SWISH'
  | 'LEAKY_RELU';

export function unaryFloat(kind: FloatUnary, input: Float32Array, output: Float32Array, alpha = 0): void {
  const n = input.length;
  switch (kind) {
    case 'LOGISTIC':
      for (let i = 0; i < n; i++) output[i] = 1 / (1 + Math.exp(-input[i]));
      break;
    case 'TANH':
      for (let i = 0; i < n; i++) output[i] = Math.tanh(input[i]);
      break;
    case 'RELU':
      for (let i = 0; i < n; i++) output[i] = input[i] > 0 ? input[i] : 0;
      break;
    case 'RELU6':
      for (let i = 0; i < n; i++) output[i] = Math.min(6, Math.max(0, input[i]));
      break;
    case 'RELU_N1_TO_1':
      for (let i = 0; i < n; i++) output[i] = Math.min(1, Math.max(-1, input[i]));
      break;
    case 'HARD_SWISH':
      for (let i = 0; i < n; i++) {
        const x = input[i];
        output[i] = (x * Math.min(6, Math.max(0, x + 3))) / 6;
      }
      break;
    case 'LEAKY_RELU':
      for (let i = 0; i < n; i++) output[i] = input[i] > 0 ? input[i] : Math.fround(alpha) * input[i];
      break;
  }
}

/** Softmax over the last dimension: exp((x - max) * beta) / sum. */
export function softmaxFloat(beta: number, depth: number, input: Float32Array, output: Float32Array): void {
  const outer = input.length / depth;
  for (let r = 0; r < outer; r++) {
    const base = r * depth;
    let max = -Infinity;
    for (let c = 0; c < depth; c++) if (input[base + c] > max) max = input[base + c];
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const e = Math.exp((input[base + c] - max) * beta);
      output[base + c] = e;
      sum += e;
    }
    for (let c = 0; c < depth; c++) output[base + c] /= sum;
  }
}
