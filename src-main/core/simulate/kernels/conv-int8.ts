/**
 * int8 CONV_2D and DEPTHWISE_CONV_2D, per-channel quantized, as TFLite Micro's reference
 * kernels (reference_integer_ops::ConvPerChannel / DepthwiseConvPerChannel): padding taps are
 * skipped (they contribute real zero), acc = sum(filter * (input + input_offset)) + bias, then
 * MultiplyByQuantizedMultiplier per output channel, + output_offset, clamp.
 *
 * Speed: the input is first widened once to Int16 with the offset already added, and the valid
 * filter window is computed per output pixel so the inner loops carry no bounds checks.
 */
import { dotRows, dotRowsPacked, dotRowsPacked2, PACK } from './dot.ts';
import { makeRequantizer, requantizeRow, type Requantizer } from './requantize.ts';

export { packFilterPairs } from './dot.ts';

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
  scratch?: ConvScratch;
}

export interface DepthwiseInt8Params extends ConvInt8Params {
  depthMultiplier: number;
}

/** Per-op work buffers, allocated once at prepare so the run allocates nothing. */
export interface ConvScratch {
  x?: Int16Array;
  patch?: Int16Array;
  patchB?: Int16Array;
  acc?: Int32Array;
  accB?: Int32Array;
  /** Depthwise: filter transposed to [outC][taps] for the per-channel patch path. */
  filterT?: Int8Array;
  rowAcc?: Int32Array;
  /** Depthwise stride-1: pixel-pair packed input, valid for the call stamped `pairsStamp`. */
  pairs?: Float64Array;
  pairsOf?: Int16Array;
  pairsStamp?: number;
  stamp?: number;
  rq?: Requantizer;
}

/**
 * Pixel-pair packed input for stride-1 depthwise rows: pk[i] = x[i] + x[i + C] * 2^27 (the next
 * pixel of the same row and channel). A 3x3 tap sum over pk holds both neighbours' sums,
 * |each| <= 9 * 128 * 255 < 2^26, so they separate exactly (see dot.ts for the argument).
 * Built once per call for the whole input (its last column is never read as a pair).
 */
function packPixelPairs(
  x: Int16Array,
  inH: number,
  inW: number,
  C: number,
  scratch: ConvScratch,
): Float64Array {
  const n = x.length;
  const pk =
    scratch.pairs && scratch.pairs.length === n ? scratch.pairs : (scratch.pairs = new Float64Array(n));
  if (scratch.pairsOf === x && scratch.pairsStamp === scratch.stamp) return pk;
  const rowLen = inW * C;
  for (let rowStart = 0; rowStart < n; rowStart += rowLen) {
    const last = rowStart + rowLen - C;
    for (let i = rowStart; i < last; i++) pk[i] = x[i] + x[i + C] * PACK;
    for (let i = last; i < rowStart + rowLen; i++) pk[i] = x[i];
  }
  scratch.pairsOf = x;
  scratch.pairsStamp = scratch.stamp;
  void inH;
  return pk;
}

/** The input plus its offset, widened to int16 into the op's scratch buffer. */
function offsetInput(input: Int8Array, offset: number, scratch: ConvScratch): Int16Array {
  let buf = scratch.x;
  if (!buf || buf.length !== input.length) buf = scratch.x = new Int16Array(input.length);
  for (let i = 0; i < input.length; i++) buf[i] = input[i] + offset;
  return buf;
}

/**
 * Dot products of `outC` filter rows (length k, starting at 0, k, 2k...) with src[base .. base+k),
 * four output channels at a time so each input load feeds four accumulators.
 */
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
  const scratch = p.scratch ?? (p.scratch = {});
  const x = offsetInput(input, p.inputOffset, scratch);
  const { multipliers, shifts, outputOffset, actMin, actMax } = p;
  const k = filterH * filterW * inC;
  const packed = p.packed ?? null;
  const pairs = outC >> 1;
  const direct =
    filterH === 1 && filterW === 1 && strideH === 1 && strideW === 1 && p.padTop === 0 && p.padLeft === 0;
  const patchA =
    scratch.patch && scratch.patch.length === k ? scratch.patch : (scratch.patch = new Int16Array(k));
  const patchB =
    scratch.patchB && scratch.patchB.length === k ? scratch.patchB : (scratch.patchB = new Int16Array(k));
  const accA =
    scratch.acc && scratch.acc.length === outC ? scratch.acc : (scratch.acc = new Int32Array(outC));
  const accB =
    scratch.accB && scratch.accB.length === outC ? scratch.accB : (scratch.accB = new Int32Array(outC));
  const npix = outH * outW;
  let inBase = 0;
  /** Fill `buf` with pixel `pix`'s receptive field (or point into x); returns the base offset. */
  const gather = (pix: number, buf: Int16Array): number => {
    const oy = (pix / outW) | 0;
    const ox = pix - oy * outW;
    if (direct) return inBase + (oy * inW + ox) * inC;
    const iy0 = oy * strideH - p.padTop;
    const ix0 = ox * strideW - p.padLeft;
    let pi = 0;
    for (let fy = 0; fy < filterH; fy++) {
      const iy = iy0 + fy * dilationH;
      for (let fx = 0; fx < filterW; fx++) {
        const ix = ix0 + fx * dilationW;
        if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
          buf.fill(0, pi, pi + inC);
        } else {
          const xi = inBase + (iy * inW + ix) * inC;
          for (let c = 0; c < inC; c++) buf[pi + c] = x[xi + c];
        }
        pi += inC;
      }
    }
    return 0;
  };
  const rq = scratch.rq ?? (scratch.rq = makeRequantizer(multipliers, shifts));
  const store = (acc: Int32Array, o: number): void =>
    requantizeRow(rq, acc, 0, bias, outC, outputOffset, actMin, actMax, output, o);
  for (let b = 0; b < p.batches; b++) {
    inBase = b * inH * inW * inC;
    let o = b * npix * outC;
    let pix = 0;
    if (packed && pairs > 0) {
      // Two output pixels per pass share every packed weight load.
      const srcA = direct ? x : patchA;
      const srcB = direct ? x : patchB;
      for (; pix + 1 < npix; pix += 2) {
        const baseA = gather(pix, patchA);
        const baseB = gather(pix + 1, patchB);
        dotRowsPacked2(packed, k, pairs, srcA, baseA, srcB, baseB, accA, accB);
        if (outC & 1) {
          const f = (outC - 1) * k;
          let a = 0;
          let c = 0;
          for (let i = 0; i < k; i++) {
            a += filter[f + i] * srcA[baseA + i];
            c += filter[f + i] * srcB[baseB + i];
          }
          accA[outC - 1] = a;
          accB[outC - 1] = c;
        }
        store(accA, o);
        store(accB, o + outC);
        o += 2 * outC;
      }
    }
    for (; pix < npix; pix++) {
      const base = gather(pix, patchA);
      const src = direct ? x : patchA;
      if (packed) dotRowsPacked(filter, packed, k, outC, src, base, accA);
      else dotRows(filter, k, outC, src, base, accA);
      store(accA, o);
      o += outC;
    }
  }
}

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
  const scratch = p.scratch ?? (p.scratch = {});
  scratch.stamp = (scratch.stamp ?? 0) + 1;
  const x = offsetInput(input, p.inputOffset, scratch);
  const { multipliers, shifts, outputOffset, actMin, actMax } = p;
  const kt = filterH * filterW;
  const tapX = new Int32Array(Math.max(9, kt));
  const tapF = new Int32Array(kt);
  const small = kt === 9 && dm === 1;
  // General path: per input channel, the kt taps (0 for padding) in a patch, dotted with each of
  // the channel's dm filter rows, pre-transposed to [outC][kt].
  let filterT = scratch.filterT;
  if (!small && (!filterT || filterT.length !== kt * outC)) {
    filterT = scratch.filterT = new Int8Array(kt * outC);
    for (let t = 0; t < kt; t++)
      for (let oc = 0; oc < outC; oc++) filterT[oc * kt + t] = filter[t * outC + oc];
  }
  const patch =
    scratch.patch && scratch.patch.length === kt ? scratch.patch : (scratch.patch = new Int16Array(kt));
  const acc = scratch.acc && scratch.acc.length === outC ? scratch.acc : (scratch.acc = new Int32Array(outC));
  const rq = scratch.rq ?? (scratch.rq = makeRequantizer(multipliers, shifts));
  // 3x3 rows: output columns whose whole window is inside the input.
  const oxA = Math.min(outW, Math.ceil(p.padLeft / strideW));
  const oxB = Math.max(oxA, Math.min(outW, Math.floor((inW - 1 - 2 * dilationW + p.padLeft) / strideW) + 1));
  const rowAcc =
    scratch.rowAcc && scratch.rowAcc.length === outW * outC
      ? scratch.rowAcc
      : (scratch.rowAcc = new Int32Array(outW * outC));
  for (let b = 0; b < p.batches; b++) {
    const inBase = b * inH * inW * inC;
    let o = b * outH * outW * outC;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - p.padTop;
      const rowFast = small && iy0 >= 0 && iy0 + 2 * dilationH < inH && oxB > oxA;
      if (rowFast) {
        // Channel outer, pixels inner: the channel's 9 weights stay in registers, each output
        // costs 9 input loads.
        const rowStep = dilationH * inW * outC;
        const colStep = dilationW * outC;
        const pixStep = strideW * outC;
        // Stride 1: pairs of output columns through the pixel-pair packed input (one multiply
        // feeds two outputs, see packPixelPairs); a leftover column uses x directly.
        const pairs = strideW === 1 ? (oxB - oxA) >> 1 : 0;
        const pk = pairs > 0 ? packPixelPairs(x, inH, inW, outC, scratch) : null;
        for (let c = 0; c < outC; c++) {
          const w0 = filter[c];
          const w1 = filter[outC + c];
          const w2 = filter[2 * outC + c];
          const w3 = filter[3 * outC + c];
          const w4 = filter[4 * outC + c];
          const w5 = filter[5 * outC + c];
          const w6 = filter[6 * outC + c];
          const w7 = filter[7 * outC + c];
          const w8 = filter[8 * outC + c];
          let xi = inBase + (iy0 * inW + oxA * strideW - p.padLeft) * outC + c;
          let ox = oxA;
          let r = oxA * outC + c;
          if (pk !== null) {
            for (let k = 0; k < pairs; k++, ox += 2, r += 2 * outC, xi += 2 * outC) {
              const r1 = xi + rowStep;
              const r2 = r1 + rowStep;
              const sum =
                w0 * pk[xi] +
                w1 * pk[xi + colStep] +
                w2 * pk[xi + 2 * colStep] +
                w3 * pk[r1] +
                w4 * pk[r1 + colStep] +
                w5 * pk[r1 + 2 * colStep] +
                w6 * pk[r2] +
                w7 * pk[r2 + colStep] +
                w8 * pk[r2 + 2 * colStep];
              const hi = Math.round(sum / PACK);
              rowAcc[r] = sum - hi * PACK;
              rowAcc[r + outC] = hi;
            }
          }
          for (; ox < oxB; ox++, r += outC, xi += pixStep) {
            const r1 = xi + rowStep;
            const r2 = r1 + rowStep;
            rowAcc[r] =
              w0 * x[xi] +
              w1 * x[xi + colStep] +
              w2 * x[xi + 2 * colStep] +
              w3 * x[r1] +
              w4 * x[r1 + colStep] +
              w5 * x[r1 + 2 * colStep] +
              w6 * x[r2] +
              w7 * x[r2 + colStep] +
              w8 * x[r2 + 2 * colStep];
          }
        }
      }
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - p.padLeft;
        if (rowFast && ox >= oxA && ox < oxB) {
          requantizeRow(rq, rowAcc, ox * outC, bias, outC, outputOffset, actMin, actMax, output, o);
          o += outC;
          continue;
        }
        if (!small) {
          // Taps in filter order with padding as 0 (exact: x holds input + offset).
          for (let ic = 0; ic < inC; ic++) {
            let t = 0;
            for (let fy = 0; fy < filterH; fy++) {
              const iy = iy0 + fy * dilationH;
              for (let fx = 0; fx < filterW; fx++, t++) {
                const ix = ix0 + fx * dilationW;
                patch[t] =
                  iy < 0 || iy >= inH || ix < 0 || ix >= inW ? 0 : x[inBase + (iy * inW + ix) * inC + ic];
              }
            }
            for (let m = 0; m < dm; m++) {
              const oc = ic * dm + m;
              const f = oc * kt;
              let a = 0;
              for (let i = 0; i < kt; i++) a += filterT![f + i] * patch[i];
              acc[oc] = a;
            }
          }
          requantizeRow(rq, acc, 0, bias, outC, outputOffset, actMin, actMax, output, o);
          o += outC;
          continue;
        }
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
        const full9 = taps === 9;
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
          let sum = 0;
          if (full9) {
            // Interior 3x3 pixel: filter tap t of channel oc is at t * outC + oc.
            const c2 = 2 * outC + oc;
            const c5 = 5 * outC + oc;
            sum =
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
            for (let t = 0; t < taps; t++) sum += filter[tapF[t] + oc] * x[tapX[t] + ic];
          }
          acc[oc] = sum;
        }
        requantizeRow(rq, acc, 0, bias, outC, outputOffset, actMin, actMax, output, o);
        o += outC;
      }
    }
  }
}
