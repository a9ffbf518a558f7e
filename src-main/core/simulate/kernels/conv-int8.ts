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

/** Filter OHWI [outC, fh, fw, inC]; bias int32 [outC] or null; NHWC tensors. */
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
  const filterStrideO = filterH * filterW * inC;
  for (let b = 0; b < p.batches; b++) {
    const inBase = b * inH * inW * inC;
    let o = b * outH * outW * outC;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - p.padTop;
      // Valid filter rows: 0 <= iy0 + fy*dil < inH.
      const fyStart = iy0 < 0 ? Math.ceil(-iy0 / dilationH) : 0;
      const fyEnd = Math.min(filterH, Math.ceil((inH - iy0) / dilationH));
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - p.padLeft;
        const fxStart = ix0 < 0 ? Math.ceil(-ix0 / dilationW) : 0;
        const fxEnd = Math.min(filterW, Math.ceil((inW - ix0) / dilationW));
        for (let oc = 0; oc < outC; oc++) {
          let acc = 0;
          const fBase = oc * filterStrideO;
          for (let fy = fyStart; fy < fyEnd; fy++) {
            const iy = iy0 + fy * dilationH;
            const rowIn = inBase + iy * inW * inC;
            const rowF = fBase + fy * filterW * inC;
            for (let fx = fxStart; fx < fxEnd; fx++) {
              let xi = rowIn + (ix0 + fx * dilationW) * inC;
              let fi = rowF + fx * inC;
              const end = fi + inC;
              while (fi < end) acc += filter[fi++] * x[xi++];
            }
          }
          if (bias !== null) acc += bias[oc];
          let v = multiplyByQuantizedMultiplier(acc, multipliers[oc], shifts[oc]) + outputOffset;
          if (v < actMin) v = actMin;
          else if (v > actMax) v = actMax;
          output[o++] = v;
        }
      }
    }
  }
}

const dwScratch: { buf?: Int16Array } = {};

/** Filter [1, fh, fw, outC] with outC = inC * depthMultiplier; NHWC tensors. */
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
  const acc = new Int32Array(outC);
  for (let b = 0; b < p.batches; b++) {
    const inBase = b * inH * inW * inC;
    let o = b * outH * outW * outC;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - p.padTop;
      const fyStart = iy0 < 0 ? Math.ceil(-iy0 / dilationH) : 0;
      const fyEnd = Math.min(filterH, Math.ceil((inH - iy0) / dilationH));
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - p.padLeft;
        const fxStart = ix0 < 0 ? Math.ceil(-ix0 / dilationW) : 0;
        const fxEnd = Math.min(filterW, Math.ceil((inW - ix0) / dilationW));
        if (bias !== null) acc.set(bias);
        else acc.fill(0);
        for (let fy = fyStart; fy < fyEnd; fy++) {
          const iy = iy0 + fy * dilationH;
          for (let fx = fxStart; fx < fxEnd; fx++) {
            const xi = inBase + (iy * inW + ix0 + fx * dilationW) * inC;
            const fi = (fy * filterW + fx) * outC;
            if (dm === 1) {
              for (let c = 0; c < outC; c++) acc[c] += filter[fi + c] * x[xi + c];
            } else {
              for (let ic = 0, oc = 0; ic < inC; ic++) {
                const xv = x[xi + ic];
                for (let m = 0; m < dm; m++, oc++) acc[oc] += filter[fi + oc] * xv;
              }
            }
          }
        }
        for (let oc = 0; oc < outC; oc++) {
          let v = multiplyByQuantizedMultiplier(acc[oc], multipliers[oc], shifts[oc]) + outputOffset;
          if (v < actMin) v = actMin;
          else if (v > actMax) v = actMax;
          output[o++] = v;
        }
      }
    }
  }
}
