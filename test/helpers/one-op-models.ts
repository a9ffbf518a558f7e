/**
 * One-op .tflite models for kernel tests: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and the
 * 2-D pools, int8 (per-tensor or per-channel weights) or float32, with random geometry drawn
 * from a seeded PRNG. Built through the IR and writeTflite, so they are ordinary model files.
 */
import type { Model, OptionValue, Quantization, Tensor } from '../../src-main/core/model/ir.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';

/** Seeded PRNG (xorshift32): the same seed gives the same cases on every machine. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let s = this.s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s >>> 0;
    return this.s;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.next() % xs.length];
  }
  /** Log-uniform in [lo, hi]. */
  logUniform(lo: number, hi: number): number {
    return lo * Math.pow(hi / lo, this.next() / 2 ** 32);
  }
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
}

export type Kind =
  | 'CONV_2D'
  | 'DEPTHWISE_CONV_2D'
  | 'FULLY_CONNECTED'
  | 'MAX_POOL_2D'
  | 'AVERAGE_POOL_2D'
  | 'QUANTIZE'
  | 'ADD'
  | 'SUB'
  | 'MUL'
  | 'LOGISTIC'
  | 'TANH';
const CODES: Record<Kind, number> = {
  QUANTIZE: 114,
  LOGISTIC: 14,
  TANH: 28,
  ADD: 0,
  SUB: 41,
  MUL: 18,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  AVERAGE_POOL_2D: 1,
};
const OPTION_TABLES: Record<Kind, string | undefined> = {
  QUANTIZE: undefined,
  LOGISTIC: undefined,
  TANH: undefined,
  ADD: 'AddOptions',
  SUB: 'SubOptions',
  MUL: 'MulOptions',
  CONV_2D: 'Conv2DOptions',
  DEPTHWISE_CONV_2D: 'DepthwiseConv2DOptions',
  FULLY_CONNECTED: 'FullyConnectedOptions',
  MAX_POOL_2D: 'Pool2DOptions',
  AVERAGE_POOL_2D: 'Pool2DOptions',
};
export const ACTS = ['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1'] as const;
/** Channel counts that stress vector tails (1, 3, 5, 17) next to multiples of 4 and 8. */
const CHANNELS = [1, 2, 3, 4, 5, 8, 16, 17, 24] as const;

export interface OneOpCase {
  name: string;
  model: Uint8Array;
  /** Input 0 byte length. */
  inputBytes: number;
  /** float32: weights drawn with floatValue(r, wild); inputs should be too. */
  wild?: boolean;
}

/** Tensors and buffers of a model being built (buffer 0 is the empty one). */
export interface Draft {
  tensors: Tensor[];
  buffers: Uint8Array[];
}

export function addTensor(
  d: Draft,
  dtype: 'int8' | 'int32' | 'float32',
  shape: number[],
  quantization: Quantization | null,
  data: Uint8Array | null = null,
): number {
  const index = d.tensors.length;
  let buffer = 0;
  if (data) {
    buffer = d.buffers.length;
    d.buffers.push(data);
  }
  d.tensors.push({ index, name: `t${index}`, dtype, shape, buffer, data, quantization, isVariable: false });
  return index;
}

/** The .tflite bytes of a model running one `kind` op; graph inputs default to op input 0. */
export function oneOpModel(
  kind: Kind,
  d: Draft,
  inputs: number[],
  output: number,
  options: Record<string, OptionValue>,
  graphInputs: number[] = [inputs[0]],
): Uint8Array {
  const code = CODES[kind];
  const model: Model = {
    version: 3,
    description: 'one-op test model',
    buffers: d.buffers,
    metadata: [],
    signatureDefs: [],
    parameters: {},
    operatorCodes: [{ builtinCode: code, deprecatedBuiltinCode: code, version: 1 }],
    subgraphs: [
      {
        name: 'main',
        inputs: graphInputs,
        outputs: [output],
        tensors: d.tensors,
        operators: [
          {
            index: 0,
            opcodeIndex: 0,
            builtinCode: code,
            op: kind,
            known: true,
            inputs,
            outputs: [output],
            intermediates: [],
            options,
            optionsTable: OPTION_TABLES[kind],
          },
        ],
      },
    ],
  };
  return writeTflite(model);
}

export const q = (scale: number[], zeroPoint: number[], axis = 0): Quantization => ({
  scale,
  zeroPoint,
  axis,
});

/** int8 weights: random, or (sometimes) only the extremes -128 / 127 / -127. */
export function int8Data(r: Rng, n: number, extremes: boolean): Uint8Array {
  const a = new Int8Array(n);
  for (let i = 0; i < n; i++) a[i] = extremes ? r.pick([-128, 127, -127]) : r.int(-128, 127);
  return new Uint8Array(a.buffer);
}

/**
 * A float32 test value. `wild` values are +-{1, 1.5} * 2^{-6, 0, 27} or a zero of either
 * sign: products near 2^54 often cancel exactly while terms 2^54 times smaller are lost beside
 * them, so a change in summation order shows up in the float32 result (with tame values a
 * reordered double sum almost never rounds differently).
 */
export function floatValue(r: Rng, wild: boolean): number {
  if (!wild) return (r.int(-1_000_000, 1_000_000) / 250_000) * r.pick([0.01, 1, 1, 100]);
  if (r.chance(0.1)) return r.pick([0, -0]);
  return r.pick([1, -1]) * 2 ** r.pick([-6, 0, 27]) * r.pick([1, 1, 1.5]);
}

function floatData(r: Rng, n: number, wild: boolean): Uint8Array {
  return new Uint8Array(Float32Array.from({ length: n }, () => floatValue(r, wild)).buffer);
}

/** Output size for SAME / VALID (null when VALID leaves nothing). */
function outSize(same: boolean, n: number, k: number, stride: number, dilation: number): number {
  const eff = (k - 1) * dilation + 1;
  return same ? Math.ceil(n / stride) : n >= eff ? Math.floor((n - eff) / stride) + 1 : 0;
}

/** A random one-op model of `kind` (int8 unless `float`). */
export function randomOneOp(r: Rng, kind: Kind, float: boolean): OneOpCase {
  const d: Draft = { tensors: [], buffers: [new Uint8Array(0)] };
  const act = r.pick(ACTS);
  const extremes = r.chance(0.2);
  const wild = float && r.chance(0.5);
  const inZp = r.pick([-128, 127, 0, r.int(-128, 127)]);
  const outZp = r.pick([-128, 127, 0, r.int(-128, 127)]);
  const inScale = r.logUniform(1e-3, 1);
  const dt = float ? 'float32' : 'int8';
  const inQ = float ? null : q([inScale], [inZp]);
  let inShape: number[];
  let outShape: number[];
  const inputs: number[] = [];
  let options: Record<string, OptionValue>;
  let name: string;
  // Scales so that in * w / out spans right shifts up to ~20 and left shifts up to ~8. A per-channel
  // scale past the first is 0 now and then: TFLM accepts it (multiplier 0, that channel outputs the
  // output zero point), and the SIMD requantization lanes must agree.
  const wScales = (n: number) =>
    Array.from({ length: n }, (_, i) => (i > 0 && r.chance(0.08) ? 0 : r.logUniform(1e-3, 0.1)));
  const outScaleFor = (w: number[]) => (inScale * w[0]) / r.logUniform(2 ** -20, 2 ** 8);
  const biasData = (n: number) =>
    float
      ? floatData(r, n, wild)
      : new Uint8Array(
          Int32Array.from({ length: n }, () =>
            r.chance(0.15)
              ? r.pick([2 ** 31 - 1 - r.int(0, 5000), -(2 ** 31) + r.int(0, 5000)])
              : r.int(-50000, 50000),
          ).buffer,
        );

  if (kind === 'FULLY_CONNECTED') {
    const batches = r.int(1, 3);
    const k = r.chance(0.1) ? r.int(200, 700) : r.int(1, 70);
    const oc = r.pick([...CHANNELS, r.int(1, 40)]);
    const perChannel = !float && r.chance(0.5);
    const w = wScales(perChannel ? oc : 1);
    const wZp = !float && !perChannel && r.chance(0.3) ? r.int(-128, 127) : 0;
    inShape = [batches, k];
    outShape = [batches, oc];
    inputs.push(addTensor(d, dt, inShape, inQ));
    inputs.push(
      addTensor(
        d,
        dt,
        [oc, k],
        float
          ? null
          : q(
              w,
              w.map(() => wZp),
            ),
        float ? floatData(r, oc * k, wild) : int8Data(r, oc * k, extremes),
      ),
    );
    if (r.chance(0.8)) inputs.push(addTensor(d, float ? 'float32' : 'int32', [oc], null, biasData(oc)));
    options = { fused_activation_function: act };
    name = `FC b${batches} k${k} oc${oc}${perChannel ? ' per-channel' : ''}${wZp ? ` wzp${wZp}` : ''}`;
    const out = addTensor(d, dt, outShape, float ? null : q([outScaleFor(w)], [outZp]));
    return {
      name: `${float ? 'f32' : 'int8'} ${name} ${act}${wild ? ' wild' : ''}`,
      wild,
      model: oneOpModel(kind, d, inputs, out, options),
      inputBytes: batches * k * (float ? 4 : 1),
    };
  }

  const n = r.chance(0.15) ? 2 : 1;
  const pool = kind === 'MAX_POOL_2D' || kind === 'AVERAGE_POOL_2D';
  // now and then a global pool with more than 256 taps (the int32 window sums)
  const big = pool && r.chance(0.15);
  const ih = big ? r.int(16, 24) : r.int(1, 12);
  const iw = big ? r.int(16, 24) : r.int(1, 12);
  const same = r.chance(0.5);
  const sh = r.int(1, 3);
  const sw = r.int(1, 3);
  if (pool) {
    const c = r.pick(CHANNELS);
    const fh = big ? ih : r.int(1, Math.min(4, ih));
    const fw = big ? iw : r.int(1, Math.min(4, iw));
    const oh = outSize(same, ih, fh, sh, 1);
    const ow = outSize(same, iw, fw, sw, 1);
    inShape = [n, ih, iw, c];
    outShape = [n, oh, ow, c];
    inputs.push(addTensor(d, dt, inShape, inQ));
    const out = addTensor(d, dt, outShape, float ? null : q([inScale], [inZp]));
    options = {
      padding: same ? 'SAME' : 'VALID',
      stride_w: sw,
      stride_h: sh,
      filter_width: fw,
      filter_height: fh,
      fused_activation_function: act,
    };
    name = `${kind} ${n}x${ih}x${iw}x${c} f${fh}x${fw} s${sh}x${sw} ${same ? 'SAME' : 'VALID'}`;
    return {
      name: `${float ? 'f32' : 'int8'} ${name} ${act}${wild ? ' wild' : ''}`,
      wild,
      model: oneOpModel(kind, d, inputs, out, options),
      inputBytes: n * ih * iw * c * (float ? 4 : 1),
    };
  }

  const kh = r.int(1, 3);
  const kw = r.int(1, 3);
  const dh = r.chance(0.25) ? 2 : 1;
  const dw = r.chance(0.25) ? 2 : 1;
  // VALID only where the dilated filter fits the image
  const pad = same || ih < (kh - 1) * dh + 1 || iw < (kw - 1) * dw + 1 ? 'SAME' : 'VALID';
  const ohF = outSize(pad === 'SAME', ih, kh, sh, dh);
  const owF = outSize(pad === 'SAME', iw, kw, sw, dw);
  let ic: number;
  let oc: number;
  let fShape: number[];
  let dm = 1;
  let groups = 1;
  if (kind === 'CONV_2D') {
    const kc = r.chance(0.1) ? r.int(30, 80) : r.pick(CHANNELS);
    groups = r.chance(0.15) ? r.int(2, 3) : 1;
    ic = kc * groups;
    oc = r.pick(CHANNELS) * groups;
    fShape = [oc, kh, kw, kc];
  } else {
    ic = r.pick(CHANNELS);
    dm = r.pick([1, 1, 1, 2, 3, 4]);
    oc = ic * dm;
    fShape = [1, kh, kw, oc];
  }
  const perChannel = !float && r.chance(0.6);
  const w = wScales(perChannel ? oc : 1);
  const axis = kind === 'CONV_2D' ? 0 : 3;
  inShape = [n, ih, iw, ic];
  outShape = [n, ohF, owF, oc];
  inputs.push(addTensor(d, dt, inShape, inQ));
  const fCount = fShape.reduce((a, b) => a * b, 1);
  inputs.push(
    addTensor(
      d,
      dt,
      fShape,
      float
        ? null
        : q(
            w,
            w.map(() => 0),
            axis,
          ),
      float ? floatData(r, fCount, wild) : int8Data(r, fCount, extremes),
    ),
  );
  if (r.chance(0.85)) inputs.push(addTensor(d, float ? 'float32' : 'int32', [oc], null, biasData(oc)));
  const out = addTensor(d, dt, outShape, float ? null : q([outScaleFor(w)], [outZp]));
  options = {
    padding: pad,
    stride_w: sw,
    stride_h: sh,
    fused_activation_function: act,
    dilation_w_factor: dw,
    dilation_h_factor: dh,
  };
  if (kind === 'DEPTHWISE_CONV_2D') options.depth_multiplier = dm;
  name = `${kind} ${n}x${ih}x${iw}x${ic} -> ${oc} k${kh}x${kw} s${sh}x${sw} d${dh}x${dw} ${pad}${dm > 1 ? ` dm${dm}` : ''}${groups > 1 ? ` groups${groups}` : ''}${perChannel ? ' per-channel' : ''}`;
  return {
    name: `${float ? 'f32' : 'int8'} ${name} ${act}${wild ? ' wild' : ''}`,
    wild,
    model: oneOpModel(kind, d, inputs, out, options),
    inputBytes: n * ih * iw * ic * (float ? 4 : 1),
  };
}

/**
 * FULLY_CONNECTED int8 with per-channel weight scales spread so the rescale factors span shifts
 * from about -31 to +29, and biases of every magnitude up to int32: the requantization edge
 * cases (wrapping left shifts, rounding at every right shift, saturation), 64 channels a row.
 */
export function requantSweepFc(r: Rng): OneOpCase {
  const d: Draft = { tensors: [], buffers: [new Uint8Array(0)] };
  const batches = r.int(1, 4);
  const k = r.int(1, 4);
  const oc = 64;
  const inScale = 0.5;
  const outScale = 1;
  // real = inScale * w / outScale in [2^-31, 2^29]
  // half the models shift every channel right (real < 1/2: the all-right-shift requantize)
  const rightOnly = r.chance(0.5);
  const w = Array.from({ length: oc }, () =>
    rightOnly ? r.logUniform(2 ** -31, 0.99) : r.logUniform(2 ** -30, 2 ** 30),
  );
  const inputs = [
    addTensor(d, 'int8', [batches, k], q([inScale], [r.int(-128, 127)])),
    addTensor(
      d,
      'int8',
      [oc, k],
      q(
        w,
        w.map(() => 0),
      ),
      int8Data(r, oc * k, r.chance(0.3)),
    ),
    addTensor(
      d,
      'int32',
      [oc],
      null,
      new Uint8Array(Int32Array.from({ length: oc }, () => (r.next() | 0) >> r.int(0, 31)).buffer),
    ),
  ];
  const out = addTensor(d, 'int8', [batches, oc], q([outScale], [r.int(-128, 127)]));
  const act = r.pick(ACTS);
  return {
    name: `requant sweep FC b${batches} k${k} ${act}${rightOnly ? ' right shifts only' : ''}`,
    model: oneOpModel('FULLY_CONNECTED', d, inputs, out, { fused_activation_function: act }),
    inputBytes: batches * k,
  };
}
