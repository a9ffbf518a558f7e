/**
 * RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR and BATCH_MATMUL in the C core against TFLite Micro's
 * arithmetic worked out here (reference/resize_bilinear.h, resize_nearest_neighbor.h,
 * batch_matmul.h): both resize flags, every dtype TFLM has, adj_x / adj_y, broadcast batches.
 */
import { describe, expect, it } from 'vitest';
import type { DType } from '../../../src-main/core/model/ir.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import type { TensorData } from '../../../src-main/core/simulate/tensor-data.ts';
import { oneOpModel } from '../../helpers/compute-op-models.ts';
import { Rng } from '../../helpers/one-op-models.ts';
import { clamp, f32, mbqm, mbqm64, quantizeMultiplier } from '../../helpers/tflm-arith.ts';

const out0 = (m: ReturnType<typeof oneOpModel>, ...x: TensorData[]): number[] =>
  Array.from(invoke(prepare(m), x).outputs[0].data as ArrayLike<number>, Number);

function data(r: Rng, dtype: DType, n: number): TensorData {
  if (dtype === 'int8') return Int8Array.from({ length: n }, () => r.int(-128, 127));
  if (dtype === 'int16') return Int16Array.from({ length: n }, () => r.int(-32768, 32767));
  return Float32Array.from({ length: n }, () => r.int(-100000, 100000) / 997);
}

// ---------- resize ----------
interface Resize {
  op: 'RESIZE_BILINEAR' | 'RESIZE_NEAREST_NEIGHBOR';
  dtype: DType;
  n: number;
  ih: number;
  iw: number;
  c: number;
  oh: number;
  ow: number;
  align: boolean;
  half: boolean;
}

function resizeModel(s: Resize) {
  const q: [number, number] | undefined = s.dtype === 'float32' ? undefined : [0.05, 0];
  return oneOpModel({
    op: s.op,
    tensors: [
      { dtype: s.dtype, shape: [s.n, s.ih, s.iw, s.c], q },
      { dtype: 'int32', shape: [2], data: Int32Array.of(s.oh, s.ow) },
      { dtype: s.dtype, shape: [s.n, s.oh, s.ow, s.c], q },
    ],
    inputs: [0, 1],
    outputs: [2],
    options: { align_corners: s.align, half_pixel_centers: s.half },
  });
}

/** Source row/column and weight per output position, bilinear int8 (10-bit fixed point). */
function lerpInt(v: number, inSize: number, outSize: number, align: boolean, half: boolean) {
  const scale =
    align && outSize > 1
      ? Math.floor((1024 * (inSize - 1) + Math.floor((outSize - 1) / 2)) / (outSize - 1))
      : Math.floor((1024 * inSize + Math.floor(outSize / 2)) / outSize);
  const pos = half ? v * scale + Math.trunc(scale / 2) - 512 : v * scale;
  const i0 = Math.max(Math.trunc(pos / 1024), 0);
  const i1 = Math.min(Math.trunc((pos + 1023) / 1024), inSize - 1);
  return { i0, i1, w: pos - 1024 * i0 };
}

function lerpFloat(v: number, inSize: number, outSize: number, align: boolean, half: boolean) {
  const scale = align && outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : f32(inSize / outSize);
  const pos = half ? f32(f32(f32(v + 0.5) * scale) - 0.5) : f32(v * scale);
  const i0 = Math.max(Math.floor(pos), 0);
  const i1 = Math.min(Math.ceil(pos), inSize - 1);
  return { i0, i1, d: f32(pos - i0) };
}

function nearest(v: number, inSize: number, outSize: number, align: boolean, half: boolean): number {
  const scale = align && outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : f32(inSize / outSize);
  const pos = f32(f32(v + (half ? 0.5 : 0)) * scale);
  const r = Math.min(align ? Math.sign(pos) * Math.round(Math.abs(pos)) : Math.floor(pos), inSize - 1);
  return half ? Math.max(0, r) : r;
}

function resizeReference(s: Resize, x: ArrayLike<number>): number[] {
  const y: number[] = [];
  const at = (b: number, yy: number, xx: number, ch: number) => x[((b * s.ih + yy) * s.iw + xx) * s.c + ch];
  for (let b = 0; b < s.n; b++)
    for (let oy = 0; oy < s.oh; oy++)
      for (let ox = 0; ox < s.ow; ox++)
        for (let ch = 0; ch < s.c; ch++) {
          if (s.op === 'RESIZE_NEAREST_NEIGHBOR') {
            y.push(
              at(b, nearest(oy, s.ih, s.oh, s.align, s.half), nearest(ox, s.iw, s.ow, s.align, s.half), ch),
            );
          } else if (s.dtype === 'int8') {
            const ly = lerpInt(oy, s.ih, s.oh, s.align, s.half);
            const lx = lerpInt(ox, s.iw, s.ow, s.align, s.half);
            const o =
              at(b, ly.i0, lx.i0, ch) * (1024 - ly.w) * (1024 - lx.w) +
              at(b, ly.i1, lx.i0, ch) * ly.w * (1024 - lx.w) +
              at(b, ly.i0, lx.i1, ch) * (1024 - ly.w) * lx.w +
              at(b, ly.i1, lx.i1, ch) * ly.w * lx.w;
            y.push(Math.trunc((o + (o > 0 ? 2 ** 19 : -(2 ** 19))) / 2 ** 20) + 0); // + 0: no -0
          } else {
            const ly = lerpFloat(oy, s.ih, s.oh, s.align, s.half);
            const lx = lerpFloat(ox, s.iw, s.ow, s.align, s.half);
            const ey = f32(1 - ly.d);
            const ex = f32(1 - lx.d);
            const t0 = f32(f32(at(b, ly.i0, lx.i0, ch) * ey) * ex);
            const t1 = f32(f32(at(b, ly.i1, lx.i0, ch) * ly.d) * ex);
            const t2 = f32(f32(at(b, ly.i0, lx.i1, ch) * ey) * lx.d);
            const t3 = f32(f32(at(b, ly.i1, lx.i1, ch) * ly.d) * lx.d);
            y.push(f32(f32(f32(f32(t0 + t1) + t2) + t3) + 0));
          }
        }
  return y;
}

describe('RESIZE_BILINEAR', () => {
  it('int8 2x2 -> 4x4 by hand, default flags', () => {
    // rule: 10-bit scale round(2048/4) = 512; position y*512; weights (1024 - w, w), sum / 2^20
    // rounded half away from zero: row 1 between 0 and 100 is 50, column 3 clamps to the edge
    const s: Resize = {
      op: 'RESIZE_BILINEAR',
      dtype: 'int8',
      n: 1,
      ih: 2,
      iw: 2,
      c: 1,
      oh: 4,
      ow: 4,
      align: false,
      half: false,
    };
    expect(out0(resizeModel(s), Int8Array.of(0, 100, -100, 20))).toEqual([
      0, 50, 100, 100, -50, 5, 60, 60, -100, -40, 20, 20, -100, -40, 20, 20,
    ]);
  });

  it('half_pixel_centers with align_corners is refused, as TFLM does', () => {
    // rule: TFLM's prepare rejects both flags together
    const s: Resize = {
      op: 'RESIZE_BILINEAR',
      dtype: 'int8',
      n: 1,
      ih: 2,
      iw: 2,
      c: 1,
      oh: 3,
      ow: 3,
      align: true,
      half: true,
    };
    expect(() => prepare(resizeModel(s))).toThrow(/half_pixel_centers needs align_corners false/);
  });

  it('int16 is refused by name (TFLM has float32 and int8)', () => {
    // rule: dtypes TFLM refuses are refused with the accepted types named
    const s: Resize = {
      op: 'RESIZE_BILINEAR',
      dtype: 'int16',
      n: 1,
      ih: 2,
      iw: 2,
      c: 1,
      oh: 3,
      ow: 3,
      align: false,
      half: false,
    };
    expect(() => prepare(resizeModel(s))).toThrow(/RESIZE_BILINEAR takes float32 or int8/);
  });

  const r = new Rng(2323);
  for (let k = 0; k < 36; k++) {
    const dtype: DType = k % 2 ? 'float32' : 'int8';
    const flags = k % 6 < 2 ? [false, false] : k % 6 < 4 ? [true, false] : [false, true];
    const s: Resize = {
      op: 'RESIZE_BILINEAR',
      dtype,
      n: r.int(1, 2),
      ih: r.int(1, 9),
      iw: r.int(1, 9),
      c: r.int(1, 4),
      oh: r.int(1, 17),
      ow: r.int(1, 17),
      align: flags[0],
      half: flags[1],
    };
    const x = data(r, dtype, s.n * s.ih * s.iw * s.c);
    it(`${dtype} ${s.ih}x${s.iw} -> ${s.oh}x${s.ow} c${s.c}${s.align ? ' align_corners' : ''}${s.half ? ' half_pixel' : ''}`, () => {
      // rule: integer path for int8 (no float), float32 terms in the reference's order
      expect(out0(resizeModel(s), x)).toEqual(resizeReference(s, x as ArrayLike<number>));
    });
  }
});

describe('RESIZE_NEAREST_NEIGHBOR', () => {
  it('uint8 is refused by name (TFLM has float32, int8 and int16)', () => {
    // rule: dtypes TFLM refuses are refused with the accepted types named
    const s: Resize = {
      op: 'RESIZE_NEAREST_NEIGHBOR',
      dtype: 'uint8',
      n: 1,
      ih: 2,
      iw: 2,
      c: 1,
      oh: 3,
      ow: 3,
      align: false,
      half: false,
    };
    expect(() => prepare(resizeModel(s))).toThrow(/takes float32, int8 or int16/);
  });
  const r = new Rng(4545);
  for (let k = 0; k < 24; k++) {
    const dtype: DType = (['int8', 'int16', 'float32'] as DType[])[k % 3];
    const flags = [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ][k % 4];
    const s: Resize = {
      op: 'RESIZE_NEAREST_NEIGHBOR',
      dtype,
      n: r.int(1, 2),
      ih: r.int(1, 9),
      iw: r.int(1, 9),
      c: r.int(1, 3),
      oh: r.int(1, 17),
      ow: r.int(1, 17),
      align: flags[0],
      half: flags[1],
    };
    const x = data(r, dtype, s.n * s.ih * s.iw * s.c);
    it(`${dtype} ${s.ih}x${s.iw} -> ${s.oh}x${s.ow}${s.align ? ' align_corners' : ''}${s.half ? ' half_pixel' : ''}`, () => {
      // rule: GetNearestNeighbor (float32 scale; round with align_corners, else floor)
      expect(out0(resizeModel(s), x)).toEqual(resizeReference(s, x as ArrayLike<number>));
    });
  }
});

// ---------- BATCH_MATMUL ----------
interface Bmm {
  dtype: DType;
  lshape: number[];
  rshape: number[];
  adjX: boolean;
  adjY: boolean;
  lq?: [number, number];
  rq?: [number, number];
  oq?: [number, number];
  rConst?: boolean;
}

function bmmShapes(s: Bmm) {
  const rank = Math.max(s.lshape.length, s.rshape.length);
  const ext = (sh: number[]) => [...Array(5 - sh.length).fill(1), ...sh];
  const l = ext(s.lshape);
  const r = ext(s.rshape);
  const rows = s.adjX ? l[4] : l[3];
  const depth = s.adjX ? l[3] : l[4];
  const cols = s.adjY ? r[3] : r[4];
  const batch = [0, 1, 2].map((d) => Math.max(l[d], r[d]));
  const out = [...batch.slice(3 - (rank - 2)), rows, cols];
  return { l, r, rows, depth, cols, batch, out };
}

function bmmModel(s: Bmm, rData?: TensorData) {
  const { out } = bmmShapes(s);
  return oneOpModel({
    op: 'BATCH_MATMUL',
    tensors: [
      { dtype: s.dtype, shape: s.lshape, q: s.lq },
      { dtype: s.dtype, shape: s.rshape, q: s.rq, data: rData },
      { dtype: s.dtype, shape: out, q: s.oq },
    ],
    inputs: [0, 1],
    outputs: [2],
    options: { adj_x: s.adjX, adj_y: s.adjY },
  });
}

function bmmReference(s: Bmm, lx: ArrayLike<number>, rx: ArrayLike<number>): number[] {
  const { l, r, rows, depth, cols, batch } = bmmShapes(s);
  const y: number[] = [];
  const quant = s.dtype !== 'float32';
  let mult = 0;
  let shift = 0;
  if (quant) {
    const prod = f32(f32(s.lq![0]) * f32(s.rq![0])); // the scales' product in float32
    ({ mult, shift } = quantizeMultiplier(prod / f32(s.oq![0])));
  }
  for (let b0 = 0; b0 < batch[0]; b0++)
    for (let b1 = 0; b1 < batch[1]; b1++)
      for (let b2 = 0; b2 < batch[2]; b2++) {
        const lb =
          (((l[0] > 1 ? b0 : 0) * l[1] + (l[1] > 1 ? b1 : 0)) * l[2] + (l[2] > 1 ? b2 : 0)) * l[3] * l[4];
        const rb =
          (((r[0] > 1 ? b0 : 0) * r[1] + (r[1] > 1 ? b1 : 0)) * r[2] + (r[2] > 1 ? b2 : 0)) * r[3] * r[4];
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) {
            const L = (k: number) => lx[lb + (s.adjX ? k * rows + i : i * depth + k)];
            const R = (k: number) => rx[rb + (s.adjY ? j * depth + k : k * cols + j)];
            if (!quant) {
              let t = 0;
              for (let k = 0; k < depth; k++) t = f32(t + f32(R(k) * L(k)));
              y.push(t);
            } else if (s.dtype === 'int16') {
              let acc = 0n;
              for (let k = 0; k < depth; k++) acc += BigInt(L(k) * R(k));
              y.push(clamp(mbqm64(acc, mult, shift), -32768, 32767));
            } else {
              let acc = 0;
              for (let k = 0; k < depth; k++) acc = (acc + (R(k) - s.rq![1]) * (L(k) - s.lq![1])) | 0;
              y.push(clamp(mbqm(acc, mult, shift) + s.oq![1], -128, 127));
            }
          }
      }
  return y;
}

describe('BATCH_MATMUL', () => {
  it('int8 2x3 by 3x2 by hand', () => {
    // rule: sum (L - zpL)(R - zpR), scale 0.5*0.25/0.125 = 1, plus the output zero point
    const s: Bmm = {
      dtype: 'int8',
      lshape: [2, 3],
      rshape: [3, 2],
      adjX: false,
      adjY: false,
      lq: [0.5, 1],
      rq: [0.25, -2],
      oq: [0.125, 3],
    };
    // L - 1 = [[0,1,2],[3,4,5]], R + 2 = [[1,2],[3,4],[5,6]] -> [[13,16],[40,52]] + 3
    expect(out0(bmmModel(s), Int8Array.of(1, 2, 3, 4, 5, 6), Int8Array.of(-1, 0, 1, 2, 3, 4))).toEqual([
      16, 19, 43, 55,
    ]);
  });

  it('inputs of different types are refused (no hybrid models)', () => {
    // rule: TFLM needs LHS, RHS and output of one type
    const m = oneOpModel({
      op: 'BATCH_MATMUL',
      tensors: [
        { dtype: 'float32', shape: [2, 2] },
        { dtype: 'int8', shape: [2, 2], q: [1, 0], data: Int8Array.of(1, 2, 3, 4) },
        { dtype: 'float32', shape: [2, 2] },
      ],
      inputs: [0, 1],
      outputs: [2],
    });
    expect(() => prepare(m)).toThrow(/inputs differ in type/);
  });

  it('int16 with a non-zero zero point is refused, as TFLM does', () => {
    // rule: int16 BATCH_MATMUL needs zero points of 0
    const s: Bmm = {
      dtype: 'int16',
      lshape: [2, 2],
      rshape: [2, 2],
      adjX: false,
      adjY: false,
      lq: [1, 1],
      rq: [1, 0],
      oq: [1, 0],
    };
    expect(() => prepare(bmmModel(s))).toThrow(/zero points of 0/);
  });

  const r = new Rng(5656);
  for (let k = 0; k < 40; k++) {
    const dtype: DType = (['int8', 'int16', 'float32'] as DType[])[k % 3];
    const rows = r.int(1, 6);
    const depth = r.chance(0.15) ? r.int(40, 90) : r.int(1, 7);
    const cols = r.int(1, 6);
    const adjX = r.chance(0.5);
    const adjY = r.chance(0.5);
    // batch dims: ranks 2..5, some broadcast (1 on one side), some missing on one side
    const nb = r.int(0, 3);
    const bl = Array.from({ length: nb }, () => r.int(1, 3));
    const br = bl.map((d) => (r.chance(0.3) ? 1 : d));
    const bl2 = bl.map((d, i) => (br[i] !== 1 && r.chance(0.2) ? 1 : d));
    const lshape = [...bl2, ...(adjX ? [depth, rows] : [rows, depth])];
    const rB = r.chance(0.2) ? br.slice(r.int(0, nb)) : br;
    const rshape = [...rB, ...(adjY ? [cols, depth] : [depth, cols])];
    const zr = dtype === 'int8';
    const lq: [number, number] = [r.logUniform(1e-3, 1), zr ? r.int(-128, 127) : 0];
    const rq: [number, number] = [r.logUniform(1e-3, 1), zr ? r.int(-128, 127) : 0];
    const oq: [number, number] = [
      lq[0] * rq[0] * r.logUniform(dtype === 'int16' ? 0.5 : 0.5, depth * 200),
      zr ? r.int(-128, 127) : 0,
    ];
    const s: Bmm = { dtype, lshape, rshape, adjX, adjY, ...(dtype === 'float32' ? {} : { lq, rq, oq }) };
    const rConst = r.chance(0.3);
    const lx = data(
      r,
      dtype,
      lshape.reduce((a, b) => a * b, 1),
    );
    const rx = data(
      r,
      dtype,
      rshape.reduce((a, b) => a * b, 1),
    );
    it(`${dtype} [${lshape}]${adjX ? 'ᵀ' : ''} x [${rshape}]${adjY ? 'ᵀ' : ''}${rConst ? ' const' : ''}`, () => {
      // rule: every output equals TFLM's BatchMatMul (broadcast batches, adj flags, requantization)
      const m = bmmModel(s, rConst ? rx : undefined);
      const got = rConst ? out0(m, lx) : out0(m, lx, rx);
      expect(got).toEqual(bmmReference(s, lx as ArrayLike<number>, rx as ArrayLike<number>));
    });
  }
});
