/**
 * Normalization cases shared by the C test data (params_gen.ts) and the host tests: every raw dtype,
 * random / constant / extreme / ramp / single-sample data, rescale, mean/std, both, float32 and int8
 * targets (the int8 quantizations of rock_paper_scissors' QUANTIZE output and image_example1's input).
 */
import type { Normalization, NormTarget, RawDtype } from '../../src-main/core/normalize/normalize.ts';

export type RawArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Float32Array;
export interface NormCase {
  name: string;
  dtype: RawDtype;
  raw: RawArray;
  norm: Normalization;
  target: NormTarget;
}

const RANGE: Record<RawDtype, [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38],
};

export function rawArray(dtype: RawDtype, values: number[]): RawArray {
  switch (dtype) {
    case 'uint8': return Uint8Array.from(values);
    case 'int8': return Int8Array.from(values);
    case 'uint16': return Uint16Array.from(values);
    case 'int16': return Int16Array.from(values);
    case 'float32': return Float32Array.from(values);
  }
}

/** xorshift32 (as the fixtures' golden inputs), state starting at `seed`. */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

export function sampleData(dtype: RawDtype, kind: string, n: number, seed = 1): RawArray {
  const [lo, hi] = RANGE[dtype];
  const next = xorshift(seed);
  const v: number[] = [];
  for (let i = 0; i < n; i++) {
    if (kind === 'constant') v.push(dtype === 'float32' ? 1234.5 : Math.floor((lo + hi) / 3));
    else if (kind === 'extreme') v.push(i % 3 === 0 ? lo : hi);
    else if (kind === 'max') v.push(hi);
    else if (kind === 'ramp') v.push(lo + ((hi - lo) * i) / Math.max(1, n - 1));
    else if (dtype === 'float32') v.push(((next() / 2 ** 32) * 2 - 1) * 1000);
    else v.push(lo + (next() % (hi - lo + 1)));
  }
  if (dtype !== 'float32') for (let i = 0; i < v.length; i++) v[i] = Math.round(v[i]);
  return rawArray(dtype, v);
}

export const RPS_QUANT: NormTarget = { dtype: 'int8', scale: 0.05110617354512215, zeroPoint: -25 };
export const IMAGE1_INPUT: NormTarget = { dtype: 'int8', scale: 0.03172033280134201, zeroPoint: -4 };

export function normCases(): NormCase[] {
  const cases: NormCase[] = [];
  const norms: [string, Normalization][] = [
    ['rescale', { rescale: Math.fround(1 / 255), meanAndStd: false }],
    ['mean_and_std', { rescale: 0, meanAndStd: true }],
    ['both', { rescale: Math.fround(1 / 65535), meanAndStd: true }],
  ];
  const targets: [string, NormTarget][] = [
    ['float32', { dtype: 'float32' }],
    ['int8 rps', RPS_QUANT],
    ['int8 image1', IMAGE1_INPUT],
  ];
  const dtypes: RawDtype[] = ['uint8', 'int8', 'uint16', 'int16', 'float32'];
  const kinds: [string, number][] = [['random', 97], ['constant', 64], ['extreme', 33], ['max', 5], ['ramp', 300], ['random', 1]];
  let seed = 7;
  for (const dtype of dtypes)
    for (const [kind, n] of kinds)
      for (const [nn, norm] of norms)
        for (const [tn, target] of targets)
          cases.push({ name: `${dtype} ${kind}x${n} ${nn} -> ${tn}`, dtype, raw: sampleData(dtype, kind, n, seed++), norm, target });
  // float32 corner values: denormals, signed zeros, huge magnitudes with mean/std
  const corners = Float32Array.from([1e-45, -1e-45, 0, -0, 1.17549435e-38, 3.4e38, -3.4e38, 0.5, -0.5]);
  for (const [nn, norm] of norms)
    for (const [tn, target] of targets) cases.push({ name: `float32 corners ${nn} -> ${tn}`, dtype: 'float32', raw: corners, norm, target });
  // exact quantization ties: z / scale = k + 0.5 must round away from zero
  const ties = Float32Array.from([0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 127.5, -128.5, 200, -200]);
  cases.push({ name: 'ties rescale 1 -> int8 scale 1', dtype: 'float32', raw: ties, norm: { rescale: 1, meanAndStd: false }, target: { dtype: 'int8', scale: 1, zeroPoint: 0 } });
  return cases;
}
