/** Prepare FULLY_CONNECTED, AVERAGE_POOL_2D and MAX_POOL_2D (int8 and float32). */
import { activationRangeFloat, activationRangeQuantized, quantizeMultipliers } from '../quant-math.ts';
import { fullyConnectedInt8 } from '../kernels/fc-int8.ts';
import { packFilterPairs } from '../kernels/dot.ts';
import { wasmFullyConnectedFloat } from '../wasm/conv-float-wasm.ts';
import { wasmFullyConnected } from '../wasm/conv-wasm.ts';
import { wasmPoolFloat } from '../wasm/pool-wasm.ts';
import { fullyConnectedFloat } from '../kernels/float-conv.ts';
import {
  averagePoolFloat,
  averagePoolInt8,
  maxPoolFloat,
  maxPoolInt8,
  type PoolParams,
} from '../kernels/pool-int8.ts';
import { elementCount } from '../tensor-data.ts';
import { computeOutSize, computePadding, floatClamp, type PrepareContext, type Run } from './context.ts';

export function prepareFullyConnected(ctx: PrepareContext): Run {
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const output = ctx.output();
  ctx.requireRank(filter, 2);
  if (ctx.option('weights_format', 'DEFAULT') !== 'DEFAULT') ctx.fail('shuffled weights are not supported');
  const [outDepth, accumDepth] = filter.shape;
  const inCount = elementCount(input.shape);
  if (inCount % accumDepth !== 0)
    ctx.fail(`input of ${inCount} elements is not a multiple of the filter depth ${accumDepth}`);
  const batches = inCount / accumDepth;
  if (elementCount(output.shape) !== batches * outDepth) {
    ctx.fail(`output shape [${output.shape}] does not hold ${batches}x${outDepth} results`);
  }
  const activation = ctx.option('fused_activation_function', 'NONE');
  const hasBias = ctx.has(2);
  if (input.dtype === 'float32') {
    ctx.requireType(filter, 'float32');
    ctx.requireType(output, 'float32');
    const p = { batches, accumDepth, outDepth, ...floatClamp(activationRangeFloat(activation)) };
    const x = ctx.inputData<Float32Array>(0);
    const w = ctx.inputData<Float32Array>(1);
    const b = hasBias ? ctx.inputData<Float32Array>(2) : null;
    const y = ctx.outputData<Float32Array>();
    if (ctx.wasm && ctx.isConst(1) && (!hasBias || ctx.isConst(2))) {
      return wasmFullyConnectedFloat(ctx.wasm, p, p, x, w, b, y);
    }
    return () => fullyConnectedFloat(p, x, w, b, y);
  }
  ctx.requireType(input, 'int8');
  ctx.requireType(filter, 'int8');
  ctx.requireType(output, 'int8');
  if (hasBias) ctx.requireType(ctx.input(2), 'int32');
  const inQ = ctx.quant(input);
  const outQ = ctx.quant(output);
  const fq = filter.quantization;
  const scales = fq && fq.scale.length > 1 ? ctx.channelScales(filter, outDepth) : [ctx.quant(filter).scale];
  const filterZp = fq?.zeroPoint[0] ?? 0;
  // GetQuantizedConvolutionMultipler: double(input_scale) * double(filter_scale) / double(output_scale).
  const { multipliers, shifts } = quantizeMultipliers(scales.map((s) => (inQ.scale * s) / outQ.scale));
  const range = activationRangeQuantized(activation, outQ.scale, outQ.zeroPoint);
  const p = {
    batches,
    accumDepth,
    outDepth,
    inputOffset: -inQ.zeroPoint,
    filterOffset: -filterZp,
    outputOffset: outQ.zeroPoint,
    multipliers,
    shifts,
    actMin: range.min,
    actMax: range.max,
    packed:
      filterZp === 0 && filter.data
        ? packFilterPairs(ctx.inputData<Int8Array>(1), outDepth, accumDepth)
        : null,
  };
  const x = ctx.inputData<Int8Array>(0);
  const w = ctx.inputData<Int8Array>(1);
  const b = hasBias ? ctx.inputData<Int32Array>(2) : null;
  const y = ctx.outputData<Int8Array>();
  if (ctx.wasm && filterZp === 0 && ctx.isConst(1) && (!hasBias || ctx.isConst(2))) {
    return wasmFullyConnected(ctx.wasm, p, p, x, w, b, y);
  }
  return () => fullyConnectedInt8(p, x, w, b, y);
}

function preparePool(ctx: PrepareContext, kind: 'avg' | 'max'): Run {
  const input = ctx.input(0);
  const output = ctx.output();
  ctx.requireRank(input, 4);
  ctx.requireRank(output, 4);
  const [batches, inH, inW, channels] = input.shape;
  const [, outH, outW, outC] = output.shape;
  if (outC !== channels) ctx.fail(`output channels ${outC} differ from input channels ${channels}`);
  const filterH = ctx.option('filter_height', 1);
  const filterW = ctx.option('filter_width', 1);
  const strideH = ctx.option('stride_h', 1);
  const strideW = ctx.option('stride_w', 1);
  const padding = ctx.option('padding', 'VALID');
  if (
    computeOutSize(padding, inH, filterH, strideH, 1) !== outH ||
    computeOutSize(padding, inW, filterW, strideW, 1) !== outW
  ) {
    ctx.fail(`output shape [${output.shape}] does not match the ${padding} pooling of [${input.shape}]`);
  }
  const activation = ctx.option('fused_activation_function', 'NONE');
  const base = {
    batches,
    inH,
    inW,
    channels,
    outH,
    outW,
    filterH,
    filterW,
    strideH,
    strideW,
    padTop: computePadding(padding, inH, filterH, strideH, 1, outH),
    padLeft: computePadding(padding, inW, filterW, strideW, 1, outW),
  };
  if (input.dtype === 'float32') {
    ctx.requireType(output, 'float32');
    const p: PoolParams = { ...base, ...floatClamp(activationRangeFloat(activation)) };
    const x = ctx.inputData<Float32Array>(0);
    const y = ctx.outputData<Float32Array>();
    if (ctx.wasm) return wasmPoolFloat(ctx.wasm, p, kind === 'max', x, y);
    return kind === 'avg' ? () => averagePoolFloat(p, x, y) : () => maxPoolFloat(p, x, y);
  }
  ctx.requireType(input, 'int8');
  ctx.requireType(output, 'int8');
  const inQ = ctx.quant(input);
  const outQ = ctx.quant(output);
  // TFLite Micro pools the raw int8 values: input and output quantization are assumed equal.
  void inQ;
  const range = activationRangeQuantized(activation, outQ.scale, outQ.zeroPoint);
  const p: PoolParams = { ...base, actMin: range.min, actMax: range.max };
  const x = ctx.inputData<Int8Array>(0);
  const y = ctx.outputData<Int8Array>();
  return kind === 'avg' ? () => averagePoolInt8(p, x, y) : () => maxPoolInt8(p, x, y);
}

export const prepareAveragePool = (ctx: PrepareContext): Run => preparePool(ctx, 'avg');
export const prepareMaxPool = (ctx: PrepareContext): Run => preparePool(ctx, 'max');
