/** Prepare CONV_2D, DEPTHWISE_CONV_2D (int8 per-channel and float32). */
import { activationRangeFloat, activationRangeQuantized, quantizeMultipliers } from '../quant-math.ts';
import { convInt8, depthwiseConvInt8, packFilterPairs, type ConvGeometry } from '../kernels/conv-int8.ts';
import { wasmConvFloat } from '../wasm/conv-float-wasm.ts';
import { wasmConv, wasmDepthwise } from '../wasm/conv-wasm.ts';
import { convFloat, depthwiseConvFloat } from '../kernels/float-conv.ts';
import { computeOutSize, computePadding, floatClamp, type PrepareContext, type Run } from './context.ts';

function geometry(ctx: PrepareContext, depthwise: boolean): ConvGeometry & { depthMultiplier: number } {
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const output = ctx.output();
  ctx.requireRank(input, 4);
  ctx.requireRank(filter, 4);
  ctx.requireRank(output, 4);
  const [batches, inH, inW, inC] = input.shape;
  const [, outH, outW, outC] = output.shape;
  const filterH = filter.shape[1];
  const filterW = filter.shape[2];
  const strideH = ctx.option('stride_h', 1);
  const strideW = ctx.option('stride_w', 1);
  const dilationH = ctx.option('dilation_h_factor', 1);
  const dilationW = ctx.option('dilation_w_factor', 1);
  const padding = ctx.option('padding', 'VALID');
  if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1)
    ctx.fail('stride and dilation must be >= 1');
  let depthMultiplier = 1;
  if (depthwise) {
    if (filter.shape[0] !== 1 || filter.shape[3] !== outC)
      ctx.fail(`filter shape [${filter.shape}] does not fit output channels ${outC}`);
    if (outC % inC !== 0) ctx.fail(`output channels ${outC} are not a multiple of input channels ${inC}`);
    depthMultiplier = outC / inC;
    const declared = ctx.option('depth_multiplier', depthMultiplier);
    if (declared !== depthMultiplier && declared !== 0) {
      ctx.fail(`depth_multiplier ${declared} does not match ${outC} output / ${inC} input channels`);
    }
  } else {
    if (filter.shape[0] !== outC)
      ctx.fail(`filter has ${filter.shape[0]} output channels, output tensor has ${outC}`);
    if (filter.shape[3] !== inC)
      ctx.fail(
        `filter depth ${filter.shape[3]} does not match input channels ${inC} (grouped conv unsupported)`,
      );
  }
  const expH = computeOutSize(padding, inH, filterH, strideH, dilationH);
  const expW = computeOutSize(padding, inW, filterW, strideW, dilationW);
  if (expH !== outH || expW !== outW || output.shape[0] !== batches) {
    ctx.fail(
      `output shape [${output.shape}] does not match the computed [${batches},${expH},${expW},${outC}] (${padding})`,
    );
  }
  return {
    batches,
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    filterH,
    filterW,
    strideH,
    strideW,
    dilationH,
    dilationW,
    padTop: computePadding(padding, inH, filterH, strideH, dilationH, outH),
    padLeft: computePadding(padding, inW, filterW, strideW, dilationW, outW),
    depthMultiplier,
  };
}

function prepareConvLike(ctx: PrepareContext, depthwise: boolean): Run {
  const g = geometry(ctx, depthwise);
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const output = ctx.output();
  const activation = ctx.option('fused_activation_function', 'NONE');
  const hasBias = ctx.has(2);
  if (input.dtype === 'float32') {
    ctx.requireType(filter, 'float32');
    ctx.requireType(output, 'float32');
    if (hasBias) ctx.requireType(ctx.input(2), 'float32');
    const p = { ...g, ...floatClamp(activationRangeFloat(activation)) };
    const x = ctx.inputData<Float32Array>(0);
    const w = ctx.constInput<Float32Array>(1, 'filter');
    const b = hasBias ? ctx.inputData<Float32Array>(2) : null;
    const y = ctx.outputData<Float32Array>();
    if (ctx.wasm && !depthwise && (!hasBias || ctx.isConst(2)))
      return wasmConvFloat(ctx.wasm, g, p, x, w, b, y);
    return depthwise ? () => depthwiseConvFloat(p, x, w, b, y) : () => convFloat(p, x, w, b, y);
  }
  ctx.requireType(input, 'int8');
  ctx.requireType(filter, 'int8');
  ctx.requireType(output, 'int8');
  if (hasBias) ctx.requireType(ctx.input(2), 'int32');
  const inQ = ctx.quant(input);
  const outQ = ctx.quant(output);
  const filterScales = ctx.channelScales(filter, g.outC);
  if (filter.quantization!.zeroPoint.some((z) => z !== 0)) ctx.fail('int8 filter zero points must be 0');
  // Effective scale per channel, in double as PopulateConvolutionQuantizationParams does.
  const { multipliers, shifts } = quantizeMultipliers(filterScales.map((s) => (inQ.scale * s) / outQ.scale));
  const range = activationRangeQuantized(activation, outQ.scale, outQ.zeroPoint);
  const p = {
    ...g,
    inputOffset: -inQ.zeroPoint,
    outputOffset: outQ.zeroPoint,
    multipliers,
    shifts,
    actMin: range.min,
    actMax: range.max,
  };
  const x = ctx.inputData<Int8Array>(0);
  const w = ctx.constInput<Int8Array>(1, 'filter');
  const b = hasBias ? ctx.inputData<Int32Array>(2) : null;
  const y = ctx.outputData<Int8Array>();
  if (ctx.wasm && (!hasBias || ctx.isConst(2))) {
    return depthwise ? wasmDepthwise(ctx.wasm, g, p, x, w, b, y) : wasmConv(ctx.wasm, g, p, x, w, b, y);
  }
  if (depthwise) return () => depthwiseConvInt8(p, x, w, b, y);
  const packed = packFilterPairs(w, g.outC, g.filterH * g.filterW * g.inC);
  const pc = { ...p, packed };
  return () => convInt8(pc, x, w, b, y);
}

export const prepareConv2d = (ctx: PrepareContext): Run => prepareConvLike(ctx, false);
export const prepareDepthwiseConv2d = (ctx: PrepareContext): Run => prepareConvLike(ctx, true);
