/**
 * Prepare data-movement ops (RESHAPE, SQUEEZE, EXPAND_DIMS, SHAPE, PAD, PADV2, CONCATENATION,
 * TRANSPOSE, STRIDED_SLICE, PACK, RESIZE_NEAREST_NEIGHBOR) and the reductions ARG_MAX and MEAN.
 * Index maps are computed at prepare time; the run is a gather.
 */
import { concatenate, gather, gatherIndex } from '../kernels/layout.ts';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAway } from '../quant-math.ts';
import { elementCount, type TensorData } from '../tensor-data.ts';
import type { PrepareContext, Run } from './context.ts';

function ints(ctx: PrepareContext, i: number, what: string): number[] {
  const t = ctx.input(i);
  ctx.requireType(t, 'int32', 'int64');
  return Array.from(ctx.constInput<Int32Array | BigInt64Array>(i, what), Number);
}

function requireQuantMatch(ctx: PrepareContext, a: number, out = 0): void {
  const ti = ctx.input(a);
  const to = ctx.output(out);
  if (ti.dtype !== to.dtype) ctx.fail(`input type ${ti.dtype} differs from output type ${to.dtype}`);
}

/** RESHAPE / SQUEEZE / EXPAND_DIMS: the bytes stay, the shape changes. */
export function prepareCopy(ctx: PrepareContext): Run {
  requireQuantMatch(ctx, 0);
  const input = ctx.input(0);
  const output = ctx.output();
  if (elementCount(input.shape) !== elementCount(output.shape)) {
    ctx.fail(`input [${input.shape}] and output [${output.shape}] hold different element counts`);
  }
  const x = ctx.inputData<Int8Array>(0);
  const y = ctx.outputData<Int8Array>();
  return () => y.set(x);
}

export function prepareShape(ctx: PrepareContext): Run {
  const shape = ctx.input(0).shape;
  const y = ctx.outputData<Int32Array | BigInt64Array>();
  if (y.length !== shape.length)
    ctx.fail(`output holds ${y.length} elements for a rank-${shape.length} input`);
  return () => {
    for (let i = 0; i < shape.length; i++)
      (y as Int32Array)[i] = (y instanceof BigInt64Array ? BigInt(shape[i]) : shape[i]) as number;
  };
}

export function preparePad(ctx: PrepareContext): Run {
  requireQuantMatch(ctx, 0);
  const input = ctx.input(0);
  const output = ctx.output();
  const pads = ints(ctx, 1, 'paddings');
  const rank = input.shape.length;
  if (pads.length !== rank * 2) ctx.fail(`paddings hold ${pads.length} values for a rank-${rank} input`);
  const expected = input.shape.map((d, i) => d + pads[2 * i] + pads[2 * i + 1]);
  if (expected.some((d, i) => d !== output.shape[i]))
    ctx.fail(`output shape [${output.shape}] is not the padded [${expected}]`);
  let fill: number | bigint = 0;
  if (ctx.has(2)) {
    fill = ctx.constInput<TensorData>(2, 'constant_values')[0];
  } else if (input.dtype === 'int8') {
    fill = ctx.quant(output).zeroPoint; // PAD of int8 pads with the real value 0
  }
  const index = gatherIndex(output.shape, input.shape, (oc, ic) => {
    for (let d = 0; d < rank; d++) {
      const v = oc[d] - pads[2 * d];
      if (v < 0 || v >= input.shape[d]) return false;
      ic[d] = v;
    }
    return true;
  });
  const x = ctx.inputData(0);
  const y = ctx.outputData();
  return () => gather(index, x, y, fill);
}

export function prepareConcatenation(ctx: PrepareContext): Run {
  const output = ctx.output();
  const rank = output.shape.length;
  let axis = ctx.option('axis', 0);
  if (axis < 0) axis += rank;
  if (ctx.option('fused_activation_function', 'NONE') !== 'NONE')
    ctx.fail('fused activation on CONCATENATION is not supported');
  const inputs = ctx.op.inputs.map((_, i) => ctx.input(i));
  let total = 0;
  for (const t of inputs) {
    if (t.dtype !== output.dtype)
      ctx.fail(`input tensor ${t.index} is ${t.dtype}, output is ${output.dtype}`);
    if (t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== output.shape[i])) {
      ctx.fail(
        `input tensor ${t.index} shape [${t.shape}] does not fit output [${output.shape}] on axis ${axis}`,
      );
    }
    total += t.shape[axis];
  }
  if (total !== output.shape[axis])
    ctx.fail(`inputs sum to ${total} on axis ${axis}, output has ${output.shape[axis]}`);
  const outer = output.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = output.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const xs = inputs.map((_, i) => ctx.inputData(i));
  const sizes = inputs.map((t) => t.shape[axis]);
  const y = ctx.outputData();
  return () => concatenate(xs, sizes, outer, inner, y);
}

export function preparePack(ctx: PrepareContext): Run {
  const output = ctx.output();
  const inputs = ctx.op.inputs.map((_, i) => ctx.input(i));
  let axis = ctx.option('axis', 0);
  if (axis < 0) axis += output.shape.length;
  for (const t of inputs) {
    if (t.dtype !== output.dtype)
      ctx.fail(`input tensor ${t.index} is ${t.dtype}, output is ${output.dtype}`);
    ctx.requireSameShape(inputs[0], t);
  }
  if (output.shape[axis] !== inputs.length)
    ctx.fail(`output dimension ${axis} is ${output.shape[axis]}, ${inputs.length} inputs packed`);
  const outer = output.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = output.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const xs = inputs.map((_, i) => ctx.inputData(i));
  const y = ctx.outputData();
  return () => concatenate(xs, new Array(xs.length).fill(1), outer, inner, y);
}

export function prepareTranspose(ctx: PrepareContext): Run {
  requireQuantMatch(ctx, 0);
  const input = ctx.input(0);
  const output = ctx.output();
  const perm = ints(ctx, 1, 'perm');
  if (perm.length !== input.shape.length)
    ctx.fail(`perm has ${perm.length} entries for rank ${input.shape.length}`);
  if (perm.some((p, i) => output.shape[i] !== input.shape[p]))
    ctx.fail(`output shape [${output.shape}] is not the permuted input`);
  const index = gatherIndex(output.shape, input.shape, (oc, ic) => {
    for (let d = 0; d < perm.length; d++) ic[perm[d]] = oc[d];
    return true;
  });
  const x = ctx.inputData(0);
  const y = ctx.outputData();
  return () => gather(index, x, y, 0);
}

export function prepareStridedSlice(ctx: PrepareContext): Run {
  requireQuantMatch(ctx, 0);
  const input = ctx.input(0);
  const output = ctx.output();
  const rank = input.shape.length;
  const begin = ints(ctx, 1, 'begin');
  const end = ints(ctx, 2, 'end');
  const strides = ints(ctx, 3, 'strides');
  const beginMask = ctx.option('begin_mask', 0);
  const endMask = ctx.option('end_mask', 0);
  const shrinkMask = ctx.option('shrink_axis_mask', 0);
  if (ctx.option('ellipsis_mask', 0) || ctx.option('new_axis_mask', 0))
    ctx.fail('ellipsis_mask and new_axis_mask are not supported');
  const starts: number[] = [];
  const steps: number[] = [];
  const full: number[] = [];
  for (let d = 0; d < rank; d++) {
    const dim = input.shape[d];
    const stride = strides[d] ?? 1;
    if (stride === 0) ctx.fail(`stride of axis ${d} is 0`);
    // Positive strides clamp into [0, dim]; negative strides into [-1, dim - 1] (end exclusive).
    const clampIndex = (v: number): number => {
      const w = v < 0 ? v + dim : v;
      return stride > 0 ? Math.min(Math.max(w, 0), dim) : Math.min(Math.max(w, -1), dim - 1);
    };
    let s = beginMask & (1 << d) ? (stride > 0 ? 0 : dim - 1) : clampIndex(begin[d] ?? 0);
    let e = endMask & (1 << d) ? (stride > 0 ? dim : -1) : clampIndex(end[d] ?? dim);
    if (shrinkMask & (1 << d)) {
      s = (begin[d] ?? 0) < 0 ? (begin[d] ?? 0) + dim : (begin[d] ?? 0);
      e = s + 1;
    }
    const n = Math.max(0, Math.ceil((e - s) / stride));
    starts.push(s);
    steps.push(stride);
    full.push(n);
  }
  if (elementCount(full) !== elementCount(output.shape))
    ctx.fail(`output shape [${output.shape}] does not match the slice [${full}]`);
  const index = gatherIndex(full, input.shape, (oc, ic) => {
    for (let d = 0; d < rank; d++) ic[d] = starts[d] + oc[d] * steps[d];
    return true;
  });
  const x = ctx.inputData(0);
  const y = ctx.outputData();
  return () => gather(index, x, y, 0);
}

export function prepareResizeNearest(ctx: PrepareContext): Run {
  requireQuantMatch(ctx, 0);
  const input = ctx.input(0);
  const output = ctx.output();
  ctx.requireRank(input, 4);
  const [outH, outW] = ints(ctx, 1, 'size');
  if (output.shape[1] !== outH || output.shape[2] !== outW)
    ctx.fail(`output shape [${output.shape}] does not match size [${outH},${outW}]`);
  const alignCorners = ctx.option('align_corners', false);
  const halfPixel = ctx.option('half_pixel_centers', false);
  const [, inH, inW] = input.shape;
  // reference_ops::ResizeNearestNeighbor: scale = in/out (or (in-1)/(out-1) with align_corners).
  const src = (o: number, inSize: number, outSize: number): number => {
    const scale = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
    const offset = halfPixel ? 0.5 : 0;
    const v = Math.fround((o + offset) * Math.fround(scale));
    const r = alignCorners ? roundHalfAway(v) : Math.floor(v);
    return Math.min(r, inSize - 1);
  };
  const index = gatherIndex(output.shape, input.shape, (oc, ic) => {
    ic[0] = oc[0];
    ic[1] = src(oc[1], inH, outH);
    ic[2] = src(oc[2], inW, outW);
    ic[3] = oc[3];
    return true;
  });
  const x = ctx.inputData(0);
  const y = ctx.outputData();
  return () => gather(index, x, y, 0);
}

/** Shared axis handling of ARG_MAX and MEAN: outer x axis x inner views for one reduced axis set. */
function reductionIndex(shape: number[], axes: number[]): { groups: Int32Array[]; count: number } {
  const keep = shape.map((_, d) => !axes.includes(d));
  const outShape = shape.map((d, i) => (keep[i] ? d : 1));
  const outCount = elementCount(outShape);
  const count = elementCount(shape) / outCount;
  const groups = Array.from({ length: outCount }, () => new Int32Array(count));
  const fill = new Int32Array(outCount);
  const coord = new Array<number>(shape.length).fill(0);
  const outStrides = outShape.map((_, d) => outShape.slice(d + 1).reduce((a, b) => a * b, 1));
  for (let i = 0; i < elementCount(shape); i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) if (keep[d]) o += coord[d] * outStrides[d];
    groups[o][fill[o]++] = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coord[d] < shape[d]) break;
      coord[d] = 0;
    }
  }
  return { groups, count };
}

export function prepareArgMax(ctx: PrepareContext): Run {
  const input = ctx.input(0);
  const rank = input.shape.length;
  let axis = ints(ctx, 1, 'axis')[0];
  if (axis < 0) axis += rank;
  const { groups } = reductionIndex(input.shape, [axis]);
  const y = ctx.outputData<Int32Array | BigInt64Array>();
  if (y.length !== groups.length) ctx.fail(`output holds ${y.length} elements, ${groups.length} expected`);
  const x = ctx.inputData<Int8Array | Float32Array>(0);
  const big = y instanceof BigInt64Array;
  return () => {
    for (let g = 0; g < groups.length; g++) {
      const idx = groups[g];
      let best = 0;
      for (let k = 1; k < idx.length; k++) if (x[idx[k]] > x[idx[best]]) best = k;
      if (big) (y as BigInt64Array)[g] = BigInt(best);
      else (y as Int32Array)[g] = best;
    }
  };
}

export function prepareMean(ctx: PrepareContext): Run {
  const input = ctx.input(0);
  const output = ctx.output();
  const rank = input.shape.length;
  const rawAxes = ints(ctx, 1, 'axis');
  const axes = [...new Set(rawAxes.map((a) => (a < 0 ? a + rank : a)))];
  const { groups, count } = reductionIndex(input.shape, axes);
  // TFLite Micro's special case (reference_integer_ops::Mean): 4-D, keep_dims, axis exactly [1, 2]
  // or [2, 1] as written in the model.
  const special4d =
    rank === 4 &&
    ctx.option('keep_dims', false) &&
    rawAxes.length === 2 &&
    ((rawAxes[0] === 1 && rawAxes[1] === 2) || (rawAxes[0] === 2 && rawAxes[1] === 1));
  if (elementCount(output.shape) !== groups.length)
    ctx.fail(`output shape [${output.shape}] does not match the reduction`);
  if (input.dtype === 'float32') {
    const x = ctx.inputData<Float32Array>(0);
    const y = ctx.outputData<Float32Array>();
    return () => {
      for (let g = 0; g < groups.length; g++) {
        let s = 0;
        for (const i of groups[g]) s += x[i];
        y[g] = s / count;
      }
    };
  }
  ctx.requireType(input, 'int8');
  ctx.requireType(output, 'int8');
  const qi = ctx.quant(input);
  const qo = ctx.quant(output);
  const x = ctx.inputData<Int8Array>(0);
  const y = ctx.outputData<Int8Array>();
  const f = Math.fround;
  if (special4d) {
    // Sum of (q - zp_in), MultiplyByQuantizedMultiplier(in_scale / out_scale), then a rounded
    // division by the element count ((acc +- n/2) / n, C truncation), + zp_out, clamp.
    const { multiplier, shift } = quantizeMultiplier(qi.scale / qo.scale);
    const half = Math.trunc(count / 2);
    return () => {
      for (let g = 0; g < groups.length; g++) {
        let s = 0;
        for (const i of groups[g]) s += x[i] - qi.zeroPoint;
        const a = multiplyByQuantizedMultiplier(s, multiplier, shift);
        const mean = Math.trunc(a > 0 ? (a + half) / count : (a - half) / count);
        y[g] = Math.max(-128, Math.min(127, mean + qo.zeroPoint));
      }
    };
  }
  if (qi.scale === qo.scale && qi.zeroPoint === qo.zeroPoint) {
    // reference_ops::Mean: int32 sum, C integer division (truncation toward zero).
    return () => {
      for (let g = 0; g < groups.length; g++) {
        let s = 0;
        for (const i of groups[g]) s += x[i];
        y[g] = Math.trunc(s / count);
      }
    };
  }
  // reference_ops::QuantizedMeanOrSum (mean): float32 rescale of the int32 sum.
  const scale = f(f(qi.scale) / f(qo.scale));
  const bias = f(f(-qi.zeroPoint) * scale);
  return () => {
    for (let g = 0; g < groups.length; g++) {
      let s = 0;
      for (const i of groups[g]) s += x[i];
      const mean = f(f(s) / f(count));
      const r = roundHalfAway(f(f(mean * scale) + bias)) + qo.zeroPoint;
      y[g] = Math.max(-128, Math.min(127, r));
    }
  };
}
