/**
 * float32 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (TFLite reference semantics: padding
 * taps skipped, bias added, fused activation clamp). Accumulation is in double and rounded to
 * float32 once, which is at least as accurate as any float32 summation order.
 */
import type { ConvGeometry } from './conv-int8.ts';

export interface FloatActivation {
  actMin: number;
  actMax: number;
}

function clampStore(out: Float32Array, i: number, v: number, a: FloatActivation): void {
  out[i] = v < a.actMin ? a.actMin : v > a.actMax ? a.actMax : v;
}

/** Four filter rows at a time against one patch (each input load feeds four accumulators). */
function dotRowsFloat(
  w: Float32Array,
  k: number,
  outC: number,
  src: Float32Array,
  base: number,
  acc: Float64Array,
): void {
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

/** im2col per output pixel (padding taps as 0.0, which adds nothing), then row dot products. */
export function convFloat(
  p: ConvGeometry & FloatActivation,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): void {
  const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW } = p;
  const k = filterH * filterW * inC;
  const patch = new Float32Array(k);
  const acc = new Float64Array(outC);
  for (let b = 0; b < p.batches; b++) {
    const inBase = b * inH * inW * inC;
    let o = b * outH * outW * outC;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - p.padTop;
      for (let ox = 0; ox < outW; ox++) {
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
              for (let c = 0; c < inC; c++) patch[pi + c] = input[xi + c];
            }
            pi += inC;
          }
        }
        dotRowsFloat(filter, k, outC, patch, 0, acc);
        for (let oc = 0; oc < outC; oc++) {
          const v = bias !== null ? acc[oc] + bias[oc] : acc[oc];
          clampStore(output, o++, Math.fround(v), p);
        }
      }
    }
  }
}

export function depthwiseConvFloat(
  p: ConvGeometry & FloatActivation & { depthMultiplier: number },
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): void {
  const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW } = p;
  const dm = p.depthMultiplier;
  const acc = new Float64Array(outC);
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
        for (let c = 0; c < outC; c++) acc[c] = bias !== null ? bias[c] : 0;
        for (let fy = fyStart; fy < fyEnd; fy++) {
          const iy = iy0 + fy * dilationH;
          for (let fx = fxStart; fx < fxEnd; fx++) {
            const xi = inBase + (iy * inW + ix0 + fx * dilationW) * inC;
            const fi = (fy * filterW + fx) * outC;
            for (let ic = 0, oc = 0; ic < inC; ic++) {
              const xv = input[xi + ic];
              for (let m = 0; m < dm; m++, oc++) acc[oc] += filter[fi + oc] * xv;
            }
          }
        }
        for (let oc = 0; oc < outC; oc++) clampStore(output, o++, Math.fround(acc[oc]), p);
      }
    }
  }
}

export function fullyConnectedFloat(
  p: { batches: number; accumDepth: number; outDepth: number } & FloatActivation,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): void {
  const { batches, accumDepth, outDepth } = p;
  for (let b = 0; b < batches; b++) {
    const inBase = b * accumDepth;
    for (let oc = 0; oc < outDepth; oc++) {
      let acc = 0;
      let fi = oc * accumDepth;
      for (let d = 0; d < accumDepth; d++) acc += filter[fi++] * input[inBase + d];
      if (bias !== null) acc += bias[oc];
      clampStore(output, b * outDepth + oc, Math.fround(acc), p);
    }
  }
}
