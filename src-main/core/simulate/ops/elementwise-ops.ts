/** Prepare ADD, SUB, MUL (int8 and float32, numpy broadcasting). */
import { wasmBinaryTable } from '../wasm/table-wasm.ts';
import { activationRangeFloat, activationRangeQuantized, quantizeMultiplier } from '../quant-math.ts';
import {
  addSubInt8,
  applyBinaryTable,
  binaryTable,
  broadcastIndex,
  mulInt8,
} from '../kernels/elementwise-int8.ts';
import type { PrepareContext, Run } from './context.ts';

type Kind = 'ADD' | 'SUB' | 'MUL';

function broadcastShape(ctx: PrepareContext, a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) ctx.fail(`shapes [${a}] and [${b}] cannot be broadcast`);
    out.push(Math.max(da, db));
  }
  return out;
}

function prepareBinary(ctx: PrepareContext, kind: Kind): Run {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const output = ctx.output();
  const shape = broadcastShape(ctx, a.shape, b.shape);
  if (shape.length !== output.shape.length || shape.some((d, i) => d !== output.shape[i])) {
    ctx.fail(`output shape [${output.shape}] differs from the broadcast shape [${shape}]`);
  }
  const aIndex = broadcastIndex(shape, a.shape);
  const bIndex = broadcastIndex(shape, b.shape);
  const activation = ctx.option('fused_activation_function', 'NONE');
  if (a.dtype === 'float32') {
    ctx.requireType(b, 'float32');
    ctx.requireType(output, 'float32');
    const { min, max } = activationRangeFloat(activation);
    const x = ctx.inputData<Float32Array>(0);
    const y = ctx.inputData<Float32Array>(1);
    const z = ctx.outputData<Float32Array>();
    return () => {
      for (let i = 0; i < z.length; i++) {
        const u = x[aIndex === null ? i : aIndex[i]];
        const v = y[bIndex === null ? i : bIndex[i]];
        const r = Math.fround(kind === 'ADD' ? u + v : kind === 'SUB' ? u - v : u * v);
        z[i] = r < min ? min : r > max ? max : r;
      }
    };
  }
  ctx.requireType(a, 'int8');
  ctx.requireType(b, 'int8');
  ctx.requireType(output, 'int8');
  const qa = ctx.quant(a);
  const qb = ctx.quant(b);
  const qo = ctx.quant(output);
  const range = activationRangeQuantized(activation, qo.scale, qo.zeroPoint);
  const x = ctx.inputData<Int8Array>(0);
  const y = ctx.inputData<Int8Array>(1);
  const z = ctx.outputData<Int8Array>();
  if (kind === 'MUL') {
    const m = quantizeMultiplier((qa.scale * qb.scale) / qo.scale);
    const p = {
      input1Offset: -qa.zeroPoint,
      input2Offset: -qb.zeroPoint,
      outputOffset: qo.zeroPoint,
      outputMultiplier: m.multiplier,
      outputShift: m.shift,
      actMin: range.min,
      actMax: range.max,
    };
    const t = binaryTable((a1, b1, out) => mulInt8(p, a1, b1, null, null, out));
    if (ctx.wasm && aIndex === null && bIndex === null) return wasmBinaryTable(ctx.wasm, t, x, y, z);
    return () => applyBinaryTable(t, x, y, aIndex, bIndex, z);
  }
  // add_common / sub_common: both inputs rescaled to twice the larger scale, after << 20.
  const leftShift = 20;
  const twiceMax = 2 * Math.max(qa.scale, qb.scale);
  const m1 = quantizeMultiplier(qa.scale / twiceMax);
  const m2 = quantizeMultiplier(qb.scale / twiceMax);
  const mo = quantizeMultiplier(twiceMax / (2 ** leftShift * qo.scale));
  const p = {
    leftShift,
    input1Offset: -qa.zeroPoint,
    input2Offset: -qb.zeroPoint,
    outputOffset: qo.zeroPoint,
    input1Multiplier: m1.multiplier,
    input1Shift: m1.shift,
    input2Multiplier: m2.multiplier,
    input2Shift: m2.shift,
    outputMultiplier: mo.multiplier,
    outputShift: mo.shift,
    actMin: range.min,
    actMax: range.max,
    sign: kind === 'SUB' ? (-1 as const) : (1 as const),
  };
  const t = binaryTable((a1, b1, out) => addSubInt8(p, a1, b1, null, null, out));
  if (ctx.wasm && aIndex === null && bIndex === null) return wasmBinaryTable(ctx.wasm, t, x, y, z);
  return () => applyBinaryTable(t, x, y, aIndex, bIndex, z);
}

export const prepareAdd = (ctx: PrepareContext): Run => prepareBinary(ctx, 'ADD');
export const prepareSub = (ctx: PrepareContext): Run => prepareBinary(ctx, 'SUB');
export const prepareMul = (ctx: PrepareContext): Run => prepareBinary(ctx, 'MUL');
