/** Prepare SOFTMAX, LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH, QUANTIZE, DEQUANTIZE. */
import { elementCount } from '../tensor-data.ts';
import { prepareSoftmaxInt8, softmaxInt8 } from '../kernels/softmax-int8.ts';
import { softmaxFloat, unaryFloat, type FloatUnary } from '../kernels/float-unary.ts';
import {
  applyFloatTable,
  applyTable,
  dequantizeTable,
  hardSwishTable,
  leakyReluTable,
  logisticTable,
  quantizeFloatToInt8,
  relu6Table,
  reluTable,
  requantizeTable,
  tanhTable,
  type Int8Table,
} from '../kernels/unary-int8.ts';
import type { PrepareContext, Run } from './context.ts';

function sameShape(ctx: PrepareContext): void {
  ctx.requireSameShape(ctx.input(0), ctx.output());
}

export function prepareSoftmax(ctx: PrepareContext): Run {
  sameShape(ctx);
  const input = ctx.input(0);
  const output = ctx.output();
  const beta = ctx.option('beta', 1);
  const depth = input.shape[input.shape.length - 1] ?? 1;
  if (input.dtype === 'float32') {
    ctx.requireType(output, 'float32');
    const x = ctx.inputData<Float32Array>(0);
    const y = ctx.outputData<Float32Array>();
    return () => softmaxFloat(beta, depth, x, y);
  }
  ctx.requireType(input, 'int8');
  ctx.requireType(output, 'int8');
  const outQ = ctx.quant(output);
  if (outQ.zeroPoint !== -128 || Math.fround(outQ.scale) !== 1 / 256) {
    ctx.fail(
      `int8 softmax output must have scale 1/256 and zero point -128 (got ${outQ.scale}, ${outQ.zeroPoint})`,
    );
  }
  const p = prepareSoftmaxInt8(beta, ctx.quant(input).scale, depth, elementCount(input.shape) / depth);
  const x = ctx.inputData<Int8Array>(0);
  const y = ctx.outputData<Int8Array>();
  return () => softmaxInt8(p, x, y);
}

/** Float path, or an int8 table built by `makeTable` from the input/output quantization. */
function prepareUnary(
  ctx: PrepareContext,
  kind: FloatUnary,
  makeTable: (
    inQ: { scale: number; zeroPoint: number },
    outQ: { scale: number; zeroPoint: number },
  ) => Int8Table,
): Run {
  sameShape(ctx);
  const input = ctx.input(0);
  const output = ctx.output();
  if (input.dtype === 'float32') {
    ctx.requireType(output, 'float32');
    const x = ctx.inputData<Float32Array>(0);
    const y = ctx.outputData<Float32Array>();
    const alpha = ctx.option('alpha', 0);
    return () => unaryFloat(kind, x, y, alpha);
  }
  ctx.requireType(input, 'int8');
  ctx.requireType(output, 'int8');
  const t = makeTable(ctx.quant(input), ctx.quant(output));
  const x = ctx.inputData<Int8Array>(0);
  const y = ctx.outputData<Int8Array>();
  return () => applyTable(t, x, y);
}

export const prepareLogistic = (ctx: PrepareContext): Run =>
  prepareUnary(ctx, 'LOGISTIC', (i, o) => {
    if (o.zeroPoint !== -128) ctx.fail(`int8 LOGISTIC output zero point must be -128 (got ${o.zeroPoint})`);
    return logisticTable(i.scale, i.zeroPoint);
  });

export const prepareTanh = (ctx: PrepareContext): Run =>
  // TFLite Micro's int8 TANH writes round(tanh(x) * 128) and never reads the output quantization
  // (converters always give it scale 1/128, zero point 0); the simulator does the same.
  prepareUnary(ctx, 'TANH', (i) => tanhTable(i.scale, i.zeroPoint));

export const prepareRelu = (ctx: PrepareContext): Run =>
  prepareUnary(ctx, 'RELU', (i, o) => reluTable(i.scale, i.zeroPoint, o.scale, o.zeroPoint));

export const prepareRelu6 = (ctx: PrepareContext): Run =>
  prepareUnary(ctx, 'RELU6', (i) => relu6Table(i.scale, i.zeroPoint));

export const prepareLeakyRelu = (ctx: PrepareContext): Run =>
  prepareUnary(ctx, 'LEAKY_RELU', (i, o) =>
    leakyReluTable(ctx.option('alpha', 0), i.scale, i.zeroPoint, o.scale, o.zeroPoint),
  );

export const prepareHardSwish = (ctx: PrepareContext): Run =>
  prepareUnary(ctx, 'HARD_SWISH', (i, o) => hardSwishTable(i.scale, i.zeroPoint, o.scale, o.zeroPoint));

export function prepareQuantize(ctx: PrepareContext): Run {
  sameShape(ctx);
  const input = ctx.input(0);
  const output = ctx.output();
  ctx.requireType(output, 'int8');
  const outQ = ctx.quant(output);
  const y = ctx.outputData<Int8Array>();
  if (input.dtype === 'float32') {
    const x = ctx.inputData<Float32Array>(0);
    return () => quantizeFloatToInt8(outQ.scale, outQ.zeroPoint, x, y);
  }
  ctx.requireType(input, 'int8', 'float32');
  const inQ = ctx.quant(input);
  const t = requantizeTable(inQ.scale, inQ.zeroPoint, outQ.scale, outQ.zeroPoint);
  const x = ctx.inputData<Int8Array>(0);
  return () => applyTable(t, x, y);
}

export function prepareDequantize(ctx: PrepareContext): Run {
  sameShape(ctx);
  const input = ctx.input(0);
  ctx.requireType(input, 'int8');
  ctx.requireType(ctx.output(), 'float32');
  const q = ctx.quant(input);
  const t = dequantizeTable(q.scale, q.zeroPoint);
  const x = ctx.inputData<Int8Array>(0);
  const y = ctx.outputData<Float32Array>();
  return () => applyFloatTable(t, x, y);
}
