/**
 * int8 element-wise unary ops. Each one maps 256 possible inputs to 256 outputs, so prepare
 * evaluates TFLite Micro's exact reference arithmetic once per input value into a table
 * (index q + 128) and the run is a table lookup. The arithmetic below is the reference's.
 */
import {
  calculateInputRadius,
  frexp,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  rdbpot,
  roundHalfAway,
} from '../quant-math.ts';
import { logisticFixed, tanhFixed } from '../fixed-point.ts';

export type Int8Table = Int8Array;

function table(f: (q: number) => number): Int8Table {
  const t = new Int8Array(256);
  for (let q = -128; q < 128; q++) t[q + 128] = Math.max(-128, Math.min(127, f(q)));
  return t;
}

export function applyTable(t: Int8Table, input: Int8Array, output: Int8Array): void {
  for (let i = 0; i < input.length; i++) output[i] = t[input[i] + 128];
}

/** Prepare of LOGISTIC/TANH int8: input rescaled to Q4.27 by frexp of scale * 2^27. */
function q4InputParams(inputScale: number): { multiplier: number; shift: number; radius: number } {
  const { fraction, exponent } = frexp(inputScale * 2 ** (31 - 4));
  const multiplier = roundHalfAway(fraction * 2 ** 31);
  return { multiplier, shift: exponent, radius: calculateInputRadius(4, exponent, 31) };
}

/** LOGISTIC int8 (output zero point -128, scale 1/256). */
export function logisticTable(inputScale: number, inputZeroPoint: number): Int8Table {
  const { multiplier, shift, radius } = q4InputParams(inputScale);
  return table((q) => {
    const x = q - inputZeroPoint;
    if (x <= -radius) return -128;
    if (x >= radius) return 127;
    const inQ4 = multiplyByQuantizedMultiplier(x, multiplier, shift);
    return rdbpot(logisticFixed(inQ4, 4), 31 - 8) - 128;
  });
}

/** TANH int8 (output zero point 0, scale 1/128). */
export function tanhTable(inputScale: number, inputZeroPoint: number): Int8Table {
  const { multiplier, shift, radius } = q4InputParams(inputScale);
  return table((q) => {
    const x = q - inputZeroPoint;
    if (x <= -radius) return -128;
    if (x >= radius) return 127;
    const inQ4 = multiplyByQuantizedMultiplier(x, multiplier, shift);
    return rdbpot(tanhFixed(inQ4, 4), 31 - 7);
  });
}

/** RELU int8 (micro ReluQuantized): requantize to the output scale, clamp at quantized 0. */
export function reluTable(inScale: number, inZp: number, outScale: number, outZp: number): Int8Table {
  const { multiplier, shift } = quantizeMultiplier(inScale / outScale);
  const min = Math.max(-128, outZp + roundHalfAway(Math.fround(0 / outScale)));
  return table((q) => Math.max(min, outZp + multiplyByQuantizedMultiplier(q - inZp, multiplier, shift)));
}

/** RELU6 int8 (micro Relu6Quantized): clamp the input between quantized 0 and 6 (input scale). */
export function relu6Table(inScale: number, inZp: number): Int8Table {
  const six = Math.max(-128, Math.min(127, roundHalfAway(Math.fround(6 / Math.fround(inScale))) + inZp));
  return table((q) => Math.min(six, Math.max(inZp, q)));
}

/** LEAKY_RELU int8: identity / alpha multipliers computed from float32 products as micro does. */
export function leakyReluTable(
  alpha: number,
  inScale: number,
  inZp: number,
  outScale: number,
  outZp: number,
): Int8Table {
  const f = Math.fround;
  const alphaM = quantizeMultiplier(f(f(f(inScale) * f(alpha)) / f(outScale)));
  const identM = quantizeMultiplier(f(f(inScale) / f(outScale)));
  return table((q) => {
    const x = q - inZp;
    const m = x >= 0 ? identM : alphaM;
    return outZp + multiplyByQuantizedMultiplier(x, m.multiplier, m.shift);
  });
}

/** QUANTIZE int8 -> int8 (Requantize): MultiplyByQuantizedMultiplier of in_scale / out_scale. */
export function requantizeTable(inScale: number, inZp: number, outScale: number, outZp: number): Int8Table {
  const { multiplier, shift } = quantizeMultiplier(inScale / outScale);
  return table((q) => multiplyByQuantizedMultiplier(q - inZp, multiplier, shift) + outZp);
}

const sat16 = (v: number): number => Math.max(-32768, Math.min(32767, v));

/** gemmlowp int16 SaturatingRoundingDoublingHighMul. */
function srdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  return Math.trunc((ab + (ab >= 0 ? 1 << 14 : 1 - (1 << 14))) / 32768);
}

/** int16 SaturatingDoublingHighMul (no rounding nudge). */
function sdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  return Math.trunc((a * b) / 32768);
}

/** DownScaleInt32ToInt16Multiplier: round a Q0.31 multiplier to Q0.15. */
function downScaleToInt16(m: number): number {
  if (m >= 2147483647 - (1 << 15)) return 32767;
  return (m + (1 << 15)) >> 16;
}

/** HARD_SWISH int8 (reference_ops::HardSwish with micro's float32 prepare). */
export function hardSwishTable(inScale: number, inZp: number, outScale: number, outZp: number): Int8Table {
  const f = Math.fround;
  const hiresInputScale = f(f(1 / 128) * f(inScale));
  const reluishScale = f(3 / 32768);
  const outM = quantizeMultiplier(f(hiresInputScale / f(outScale)));
  const reluM = quantizeMultiplier(f(hiresInputScale / reluishScale));
  if (outM.shift > 0) {
    throw new Error(
      `HARD_SWISH needs input_scale / 128 / output_scale <= 1 (TFLite Micro requires it), got exponent ${outM.shift}`,
    );
  }
  const outFixed = downScaleToInt16(outM.multiplier);
  const reluFixed = downScaleToInt16(reluM.multiplier);
  return table((q) => {
    const x = q - inZp;
    const hires = x * 128;
    const preshiftOut = srdhm16(hires, outFixed);
    let reluish = hires;
    if (reluM.shift > 0) reluish = sat16(reluish * 2 ** (reluM.shift - 1));
    reluish = srdhm16(reluish, reluFixed);
    if (reluM.shift > 0) reluish = sat16(reluish * 2);
    if (reluM.shift < 0) reluish = rdbpot(reluish, -reluM.shift);
    reluish = (reluish + (1 << 15)) >> 1;
    const preshiftOutput = sdhm16(reluish, preshiftOut);
    return rdbpot(preshiftOutput, -outM.shift) + outZp;
  });
}

/** DEQUANTIZE int8 -> float32: float(scale_double * (q - zp)), also a 256-entry table. */
export function dequantizeTable(scale: number, zp: number): Float32Array {
  const t = new Float32Array(256);
  for (let q = -128; q < 128; q++) t[q + 128] = scale * (q - zp);
  return t;
}

export function applyFloatTable(t: Float32Array, input: Int8Array, output: Float32Array): void {
  for (let i = 0; i < input.length; i++) output[i] = t[input[i] + 128];
}

/**
 * QUANTIZE float32 -> int8: round(x / scale) in float32, half away from zero, + zp, clamp.
 * The float32 quotient is fround of the double quotient (double has enough precision for that
 * to be the correctly rounded float division). Values outside [-2^30, 2^30] clamp anyway and are
 * cut there first so the rounding stays on small numbers.
 */
export function quantizeFloatToInt8(scale: number, zp: number, input: Float32Array, output: Int8Array): void {
  const s = Math.fround(scale);
  const n = input.length;
  for (let i = 0; i < n; i++) {
    let q = Math.fround(input[i] / s);
    if (q > 1073741824) q = 1073741824;
    else if (q < -1073741824) q = -1073741824;
    // NaN stays NaN and stores as 0 like static_cast of the reference's undefined case.
    const r = q >= 0 ? Math.floor(q + 0.5) : -Math.floor(0.5 - q);
    let v = r + zp;
    if (v < -128) v = -128;
    else if (v > 127) v = 127;
    output[i] = v;
  }
}
