/**
 * int8 CONV_2D and DEPTHWISE_CONV_2D, per-channel quantized, as TFLite Micro's reference
 * kernels (reference_integer_ops::ConvPerChannel / DepthwiseConvPerChannel): padding taps are
 * skipped (they contribute real zero), acc = sum(filter * (input + input_offset)) + bias, then
 * MultiplyByQuantizedMultiplier per output channel, + output_offset, clamp.
 *
 * Speed: the input is first widened once to Int16 with the offset already added, and the valid
 * filter window is computed per output pixel so the inner loops carry no bounds checks.
 */
import { multiplyByQuantizedMultiplier } from '../quant-math.ts';

export interface ConvGeometry {
  batches: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
}

export interface ConvInt8Params extends ConvGeometry {
  inputOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
  /** packFilterPairs(filter) when the filter depth allows it (CONV_2D only). */
  packed?: Float64Array | null;
}

/**
 * Two output channels' weights packed in one double: w[2j] + w[2j+1] * 2^27. One multiply by an
 * input value then accumulates both channels: S = Sa + Sb * 2^27, exact while |S| < 2^53. With
 * |Sa| <= k * 128 * 255 < 2^26 (k <= 2048), Sb = round(S / 2^27) and Sa = S - Sb * 2^27 exactly.
 */
export const PACK = 134217728; // 2^27
export const PACK_MAX_DEPTH = 2048;

export function packFilterPairs(filter: Int8Array, outC: number, k: number): Float64Array | null {
  if (k > PACK_MAX_DEPTH) return null;
  const pairs = outC >> 1;
  const packed = new Float64Array(pairs * k);
  for (let j = 0; j < pairs; j++) {
    const a = 2 * j * k;
    for (let i = 0; i < k; i++) packed[j * k + i] = filter[a + i] + filter[a + k + i] * PACK;
  }
  return packed;
}

export interface DepthwiseInt8Params extends ConvInt8Params {
  depthMultiplier: number;
}

/** The input plus its offset, widened to int16 (reused between calls of the same size). */
function offsetInput(input: Int8Array, offset: number, scratch: { buf?: Int16Array }): Int16Array {
  let buf = scratch.buf;
  if (!buf || buf.length !== input.length) buf = scratch.buf = new Int16Array(input.length);
  for (let i = 0; i < input.length; i++) buf[i] = input[i] + offset;
  return buf;
}

const convScratch: { buf?: Int16Array } = {};

/**
 * Dot products of `outC` filter rows (length k, starting at 0, k, 2k...) with src[base .. base+k),
 * four output channels at a time so each input load feeds four accumulators.
 */
/** As dotRows, with pair-packed weights: 8 output channels per pass, 4 multiplies per input load. */
function dotRowsPacked(w: Int8Array, packed: Float64Array, k: number, outC: number, src: Int16Array, base: number, acc: Int32Array): void {
  const pairs = outC >> 1;
  let j = 0;
  for (; j + 3 < pairs; j += 4) {
    const f0 = j * k;
    const f1 = f0 + k;
    const f2 = f1 + k;
    const f3 = f2 + k;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < k; i++) {
      const v = src[base + i];
      s0 += packed[f0 + i] * v;
      s1 += packed[f1 + i] * v;
      s2 += packed[f2 + i] * v;
      s3 += packed[f3 + i] * v;
    }
    const oc = 2 * j;
    let hi = Math.round(s0 / PACK);
    acc[oc] = s0 - hi * PACK;
    acc[oc + 1] = hi;
    hi = Math.round(s1 / PACK);
    acc[oc + 2] = s1 - hi * PACK;
    acc[oc + 3] = hi;
    hi = Math.round(s2 / PACK);
    acc[oc + 4] = s2 - hi * PACK;
    acc[oc + 5] = hi;
    hi = Math.round(s3 / PACK);
    acc[oc + 6] = s3 - hi * PACK;
    acc[oc + 7] = hi;
  }
  for (; j < pairs; j++) {
    const f = j * k;
    let sum = 0;
    for (let i = 0; i < k; i++) sum += packed[f + i] * src[base + i];
    const hi = Math.round(sum / PACK);
    acc[2 * j] = sum - hi * PACK;
    acc[2 * j + 1] = hi;
  }
  if (outC & 1) {
    const f = (outC - 1) * k;
    let a = 0;
    for (let i = 0; i < k; i++) a += w[f + i] * src[base + i];
    acc[outC - 1] = a;
  }
}

function dotRows(w: Int8Array, k: number, outC: number, src: Int16Array, base: number, acc: Int32Array): void {
  let oc = 0;
  for (; oc + 3 < outC; oc += 4) {
    const f0 = oc * k;
    const f1 = f0 + k;
    const f2 = f1 + k;
    const f3 = f2 + k;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let i = 0; i < k; i++) {
      const v = src[base + i];
      a0 += w[f0 + i] * v;
      a1 += w[f1 + i] * v;
      a2 += w[f2 + i] * v;
      a3 += w[f3 + i] * v;
    }
    acc[oc] = a0;
    acc[oc + 1] = a1;
    acc[oc + 2] = a2;
    acc[oc + 3] = a3;
  }
  for (; oc < outC; oc++) {
    const f = oc * k;
    let a = 0;
    for (let i = 0; i < k; i++) a += w[f + i] * src[base + i];
    acc[oc] = a;
  }
}

/**
 * Filter OHWI [outC, fh, fw, inC]; bias int32 [outC] or null; NHWC tensors.
 * Per output pixel the receptive field is gathered into a patch (im2col); padding taps hold 0,
 * which is exact because the patch holds input + input_offset, i.e. the real value's numerator,
 * and the reference skips those taps (adds nothing). 1x1 stride-1 unpadded convs read the input
 * in place.
 */
export function convInt8(
  p: ConvInt8Params,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW } = p;
  const x = offsetInput(input, p.inputOffset, convScratch);
  const { multipliers, shifts, outputOffset, actMin, actMax } = p;
  const k = filterH * filterW * inC;
  const packed = p.packed ?? null;
  const direct = filterH === 1 && filterW === 1 && strideH === 1 && strideW === 1 && p.padTop === 0 && p.padLeft === 0;
  const patch = new Int16Array(direct ? 0 : k);
  const acc = new Int32Array(outC);
  for (let b = 0; b < p.batches; b++) {
    const inBase = b * inH * inW * inC;
    let o = b * outH * outW * outC;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - p.padTop;
      for (let ox = 0; ox < outW; ox++) {
        let src = x;
        let base = inBase + (oy * inW + ox) * inC;
        if (!direct) {
          const ix0 = ox * strideW - p.padLeft;
          let pi = 0;
          for (let fy = 0; fy < filterH; fy++) {
            const iy = iy0 + fy * dilationH;
            for (let fx = 0; fx < filterW; fx++) {
              const ix = ix0 + fx * dilationW;
              if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
                patch.fill(0, pi, pi + inC);
              } else {
                const xi = inBase + (iy * inW + ix) * inC;
                for (let c = 0; c < inC; c++) patch[pi + c] = x[xi + c];
              }
              pi += inC;
            }
          }
          src = patch;
          base = 0;
        }
        if (packed) dotRowsPacked(filter, packed, k, outC, src, base, acc);
        else dotRows(filter, k, outC, src, base, acc);
        for (let oc = 0; oc < outC; oc++) {
          const a = bias !== null ? acc[oc] + bias[oc] : acc[oc];
          let v = multiplyByQuantizedMultiplier(a, multipliers[oc], shifts[oc]) + outputOffset;
          if (v < actMin) v = actMin;
          else if (v > actMax) v = actMax;
          output[o++] = v;
        }
      }
    }
  }
}

const dwScratch: { buf?: Int16Array } = {};


/**
 * Filter [1, fh, fw, outC] with outC = inC * depthMultiplier; NHWC tensors.
 * Per output pixel the valid taps' input and filter offsets are listed once; each output channel
 * then sums over its taps in a register (no accumulator array traffic).
 */
export function depthwiseConvInt8(
  p: DepthwiseInt8Params,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW } = p;
  const dm = p.depthMultiplier;
  const x = offsetInput(input, p.inputOffset, dwScratch);
  const { multipliers, shifts, outputOffset, actMin, actMax } = p;
  const tapX = new Int32Array(Math.max(9, filterH * filterW));
  const tapF = new Int32Array(filterH * filterW);
  for (let b = 0; b < p.batches; b++) {
    const inBase = b * inH * inW * inC;
    let o = b * outH * outW * outC;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - p.padTop;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - p.padLeft;
        let taps = 0;
        for (let fy = 0; fy < filterH; fy++) {
          const iy = iy0 + fy * dilationH;
          if (iy < 0 || iy >= inH) continue;
          for (let fx = 0; fx < filterW; fx++) {
            const ix = ix0 + fx * dilationW;
            if (ix < 0 || ix >= inW) continue;
            tapX[taps] = inBase + (iy * inW + ix) * inC;
            tapF[taps] = (fy * filterW + fx) * outC;
            taps++;
          }
        }
        const full9 = taps === 9 && dm === 1;
        const x0 = tapX[0];
        const x1 = tapX[1];
        const x2 = tapX[2];
        const x3 = tapX[3];
        const x4 = tapX[4];
        const x5 = tapX[5];
        const x6 = tapX[6];
        const x7 = tapX[7];
        const x8 = tapX[8];
        for (let oc = 0; oc < outC; oc++) {
          let acc = bias !== null ? bias[oc] : 0;
          if (full9) {
            // Interior 3x3 pixel: filter tap t of channel oc is at t * outC + oc.
            const c2 = 2 * outC + oc;
            const c5 = 5 * outC + oc;
            acc +=
              filter[oc] * x[x0 + oc] +
              filter[outC + oc] * x[x1 + oc] +
              filter[c2] * x[x2 + oc] +
              filter[c2 + outC] * x[x3 + oc] +
              filter[c2 + 2 * outC] * x[x4 + oc] +
              filter[c5] * x[x5 + oc] +
              filter[c5 + outC] * x[x6 + oc] +
              filter[c5 + 2 * outC] * x[x7 + oc] +
              filter[c5 + 3 * outC] * x[x8 + oc];
          } else {
            const ic = dm === 1 ? oc : (oc / dm) | 0;
            for (let t = 0; t < taps; t++) acc += filter[tapF[t] + oc] * x[tapX[t] + ic];
          }
          let v = multiplyByQuantizedMultiplier(acc, multipliers[oc], shifts[oc]) + outputOffset;
          if (v < actMin) v = actMin;
          else if (v > actMax) v = actMax;
          output[o++] = v;
        }
      }
    }
  }
}
