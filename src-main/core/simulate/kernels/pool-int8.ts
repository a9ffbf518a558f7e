/**
 * int8 AVERAGE_POOL_2D and MAX_POOL_2D as TFLite Micro's reference kernels. The window is clipped
 * to the input (padding is excluded from the count); the average rounds half away from zero with
 * C integer division: (sum ± count/2) / count.
 */
export interface PoolParams {
  batches: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  actMin: number;
  actMax: number;
}

/** int8 pooling, monomorphic: channel-inner loops with an Int32 accumulator row. */
function poolInt8(p: PoolParams, input: Int8Array, output: Int8Array, max: boolean): void {
  const { inH, inW, channels: C, outH, outW, filterH, filterW, strideH, strideW, actMin, actMax } = p;
  const acc = new Int32Array(C);
  for (let b = 0; b < p.batches; b++) {
    const inBase = b * inH * inW * C;
    let o = b * outH * outW * C;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - p.padTop;
      const fyStart = Math.max(0, -iy0);
      const fyEnd = Math.min(filterH, inH - iy0);
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - p.padLeft;
        const fxStart = Math.max(0, -ix0);
        const fxEnd = Math.min(filterW, inW - ix0);
        acc.fill(max ? -128 : 0);
        for (let fy = fyStart; fy < fyEnd; fy++) {
          for (let fx = fxStart; fx < fxEnd; fx++) {
            const xi = inBase + ((iy0 + fy) * inW + ix0 + fx) * C;
            if (max) {
              for (let c = 0; c < C; c++) {
                const v = input[xi + c];
                if (v > acc[c]) acc[c] = v;
              }
            } else {
              for (let c = 0; c < C; c++) acc[c] += input[xi + c];
            }
          }
        }
        const count = (fyEnd - fyStart) * (fxEnd - fxStart);
        const half = (count / 2) | 0;
        for (let c = 0; c < C; c++) {
          let v = acc[c];
          // Average: (sum +- count/2) / count with C truncating division.
          if (!max) v = v > 0 ? ((v + half) / count) | 0 : ((v - half) / count) | 0;
          if (v < actMin) v = actMin;
          else if (v > actMax) v = actMax;
          output[o++] = v;
        }
      }
    }
  }
}

export function averagePoolInt8(p: PoolParams, input: Int8Array, output: Int8Array): void {
  poolInt8(p, input, output, false);
}

export function maxPoolInt8(p: PoolParams, input: Int8Array, output: Int8Array): void {
  poolInt8(p, input, output, true);
}

/**
 * float32 pooling, monomorphic over Float32Array (a generic ArrayLike loop
 * was several times slower). Same arithmetic: max of the window; average = the window sum in double,
 * rounded to float32, divided by the count (in double), stored as float32; then clamp.
 */
function poolFloat(p: PoolParams, input: Float32Array, output: Float32Array, max: boolean): void {
  const { inH, inW, channels: C, outH, outW, filterH, filterW, strideH, strideW, actMin, actMax } = p;
  const acc = new Float64Array(C);
  for (let b = 0; b < p.batches; b++) {
    const inBase = b * inH * inW * C;
    let o = b * outH * outW * C;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - p.padTop;
      const fyStart = Math.max(0, -iy0);
      const fyEnd = Math.min(filterH, inH - iy0);
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - p.padLeft;
        const fxStart = Math.max(0, -ix0);
        const fxEnd = Math.min(filterW, inW - ix0);
        acc.fill(max ? -Infinity : 0);
        for (let fy = fyStart; fy < fyEnd; fy++) {
          for (let fx = fxStart; fx < fxEnd; fx++) {
            const xi = inBase + ((iy0 + fy) * inW + ix0 + fx) * C;
            if (max) {
              for (let c = 0; c < C; c++) {
                const v = input[xi + c];
                if (v > acc[c]) acc[c] = v;
              }
            } else {
              for (let c = 0; c < C; c++) acc[c] += input[xi + c];
            }
          }
        }
        const count = (fyEnd - fyStart) * (fxEnd - fxStart);
        for (let c = 0; c < C; c++) {
          let v = max ? acc[c] : Math.fround(acc[c]) / count;
          if (v < actMin) v = actMin;
          else if (v > actMax) v = actMax;
          output[o++] = v;
        }
      }
    }
  }
}

export function maxPoolFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  poolFloat(p, input, output, true);
}

export function averagePoolFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  poolFloat(p, input, output, false);
}
