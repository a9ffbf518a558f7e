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

export function convFloat(
  p: ConvGeometry & FloatActivation,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): void {
  const { inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW } = p;
  const filterStrideO = filterH * filterW * inC;
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
        for (let oc = 0; oc < outC; oc++) {
          let acc = 0;
          const fBase = oc * filterStrideO;
          for (let fy = fyStart; fy < fyEnd; fy++) {
            const rowIn = inBase + (iy0 + fy * dilationH) * inW * inC;
            const rowF = fBase + fy * filterW * inC;
            for (let fx = fxStart; fx < fxEnd; fx++) {
              let xi = rowIn + (ix0 + fx * dilationW) * inC;
              let fi = rowF + fx * inC;
              const end = fi + inC;
              while (fi < end) acc += filter[fi++] * input[xi++];
            }
          }
          if (bias !== null) acc += bias[oc];
          clampStore(output, o++, Math.fround(acc), p);
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
