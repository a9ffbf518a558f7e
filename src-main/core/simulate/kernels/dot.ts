/**
 * int8 x int16 dot products of filter rows with one input vector, the inner loop of CONV_2D and
 * FULLY_CONNECTED. Exact integer results (accumulated in doubles, which hold every partial sum
 * exactly).
 */

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

/** As dotRows, with pair-packed weights: 8 output channels per pass, 4 multiplies per input load. */
export function dotRowsPacked(
  w: Int8Array,
  packed: Float64Array,
  k: number,
  outC: number,
  src: Int16Array,
  base: number,
  acc: Int32Array,
): void {
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

export function dotRows(
  w: Int8Array,
  k: number,
  outC: number,
  src: Int16Array,
  base: number,
  acc: Int32Array,
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

/**
 * dotRowsPacked for two input vectors at once (two output pixels): each packed weight load feeds
 * both, halving weight traffic. Same exactness argument per vector.
 */
export function dotRowsPacked2(
  packed: Float64Array,
  k: number,
  pairs: number,
  srcA: Int16Array,
  baseA: number,
  srcB: Int16Array,
  baseB: number,
  accA: Int32Array,
  accB: Int32Array,
): void {
  let j = 0;
  for (; j + 1 < pairs; j += 2) {
    const f0 = j * k;
    const f1 = f0 + k;
    let a0 = 0;
    let a1 = 0;
    let b0 = 0;
    let b1 = 0;
    for (let i = 0; i < k; i++) {
      const va = srcA[baseA + i];
      const vb = srcB[baseB + i];
      const w0 = packed[f0 + i];
      const w1 = packed[f1 + i];
      a0 += w0 * va;
      a1 += w1 * va;
      b0 += w0 * vb;
      b1 += w1 * vb;
    }
    const oc = 2 * j;
    let hi = Math.round(a0 / PACK);
    accA[oc] = a0 - hi * PACK;
    accA[oc + 1] = hi;
    hi = Math.round(a1 / PACK);
    accA[oc + 2] = a1 - hi * PACK;
    accA[oc + 3] = hi;
    hi = Math.round(b0 / PACK);
    accB[oc] = b0 - hi * PACK;
    accB[oc + 1] = hi;
    hi = Math.round(b1 / PACK);
    accB[oc + 2] = b1 - hi * PACK;
    accB[oc + 3] = hi;
  }
  for (; j < pairs; j++) {
    const f = j * k;
    let a = 0;
    let b = 0;
    for (let i = 0; i < k; i++) {
      const w = packed[f + i];
      a += w * srcA[baseA + i];
      b += w * srcB[baseB + i];
    }
    const oc = 2 * j;
    let hi = Math.round(a / PACK);
    accA[oc] = a - hi * PACK;
    accA[oc + 1] = hi;
    hi = Math.round(b / PACK);
    accB[oc] = b - hi * PACK;
    accB[oc + 1] = hi;
  }
}
