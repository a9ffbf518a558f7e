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

type Reduce = 'avg' | 'max';

function pool(
  p: PoolParams,
  input: ArrayLike<number>,
  output: { [i: number]: number },
  mode: Reduce,
  quantized: boolean,
): void {
  const { inH, inW, channels: C, outH, outW, filterH, filterW, strideH, strideW } = p;
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
        acc.fill(mode === 'max' ? -Infinity : 0);
        for (let fy = fyStart; fy < fyEnd; fy++) {
          for (let fx = fxStart; fx < fxEnd; fx++) {
            const xi = inBase + ((iy0 + fy) * inW + ix0 + fx) * C;
            if (mode === 'max') {
              for (let c = 0; c < C; c++) if (input[xi + c] > acc[c]) acc[c] = input[xi + c];
            } else {
              for (let c = 0; c < C; c++) acc[c] += input[xi + c];
            }
          }
        }
        const count = (fyEnd - fyStart) * (fxEnd - fxStart);
        for (let c = 0; c < C; c++) {
          let v = acc[c];
          if (mode === 'avg') {
            if (quantized) {
              const half = Math.trunc(count / 2);
              v = Math.trunc(v > 0 ? (v + half) / count : (v - half) / count);
            } else {
              v = Math.fround(v) / count;
            }
          }
          if (v < p.actMin) v = p.actMin;
          else if (v > p.actMax) v = p.actMax;
          output[o++] = v;
        }
      }
    }
  }
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

/** Float pools: the float sum is accumulated in float32 order by the float kernel file instead. */
export function maxPoolFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  pool(p, input, output, 'max', false);
}

export function averagePoolFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  pool(p, input, output, 'avg', false);
}
