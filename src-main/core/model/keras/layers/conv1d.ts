/**
 * 1-D layers as the TFLite converter lowers them (TensorFlow runs conv1d/pool1d as their 2-D forms
 * on [N, 1, W, C]): RESHAPE to a unit height, CONV_2D / MAX_POOL_2D / AVERAGE_POOL_2D with a 1×k
 * window, RESHAPE back. 'causal' padding is a PAD of (k - 1)·dilation zeros on the left, then
 * VALID. Global pools: GlobalAveragePooling1D → MEAN, GlobalMaxPooling1D/2D → REDUCE_MAX over the
 * spatial axes.
 */
import { foldInputAffine } from './affine.ts';
import { act, i32, reshape, single, type LayerContext } from './context.ts';

const FUSED = new Set(['linear', 'relu', 'relu6']);

export function conv1d(ctx: LayerContext): void {
  const { cfg } = ctx;
  const [kw, bw] = ctx.weights;
  if (!kw) ctx.fail('no weights stored');
  if (Number(cfg.groups ?? 1) !== 1) ctx.fail('grouped convolution is not supported');
  const [k, ci, co] = kw.shape;
  const [, w, c] = ctx.inShapes[0];
  if (c !== ci) ctx.fail(`kernel has ${ci} input channels, the input ${c}`);
  let kernel: Float32Array = new Float32Array(kw.data.length);
  // Keras [k, in, out] → CONV_2D OHWI [out, 1, k, in]
  for (let x = 0; x < k; x++)
    for (let i = 0; i < ci; i++)
      for (let o = 0; o < co; o++) kernel[(o * k + x) * ci + i] = kw.data[(x * ci + i) * co + o];
  let bias: Float32Array = bw ? Float32Array.from(bw.data) : new Float32Array(co);
  const stride = single(cfg.strides, 1);
  const dilation = single(cfg.dilation_rate, 1);
  let x = ctx.inputs[0];
  let width = w;
  let padding = cfg.padding === 'same' ? 'SAME' : 'VALID';
  const affine = ctx.inputAffine();
  if (affine) ({ kernel, bias } = foldInputAffine('CONV_2D', { kernel, bias, outChannels: co }, affine));
  if (cfg.padding === 'causal') {
    const left = (k - 1) * dilation;
    const pads = ctx.constant('causal_paddings', [3, 2], i32([0, 0, left, 0, 0, 0]));
    width += left;
    x = ctx.step('PAD', [x, pads], [1, width, c], {}, 'causal_pad');
    padding = 'VALID';
  }
  const x4 = reshape(ctx, x, [1, 1, width, c], 'expand');
  const wo = ctx.outShape[1];
  const kt = ctx.constant('kernel', [co, 1, k, ci], kernel);
  const bt = ctx.constant('bias', [co], bias);
  const conv = ctx.step(
    'CONV_2D',
    [x4, kt, bt],
    [1, 1, wo, co],
    {
      padding,
      stride_w: stride,
      stride_h: 1,
      dilation_w_factor: dilation,
      dilation_h_factor: 1,
      fused_activation_function: 'NONE',
    },
    'conv2d',
  );
  const a = act(cfg);
  const shape = [1, wo, co];
  const s = ctx.constant('squeeze_shape', [3], i32(shape));
  const out = ctx.emit(
    'RESHAPE',
    [conv, s],
    { new_shape: shape },
    FUSED.has(a) ? ctx.node.path : `${ctx.node.path}/linear`,
  );
  ctx.foldable(out, ctx.producerOf(conv)!, { kernel: kt, bias: bt, outChannels: co, last: false });
  ctx.activate(out, a);
}

export function pool1d(ctx: LayerContext): void {
  const { cfg } = ctx;
  const k = single(cfg.pool_size, 2);
  const stride = cfg.strides == null ? k : single(cfg.strides, 1);
  const [, w, c] = ctx.inShapes[0];
  const wo = ctx.outShape[1];
  const x4 = reshape(ctx, ctx.inputs[0], [1, 1, w, c], 'expand');
  const op = ctx.node.className === 'MaxPooling1D' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D';
  const pooled = ctx.step(
    op,
    [x4],
    [1, 1, wo, c],
    {
      padding: cfg.padding === 'same' ? 'SAME' : 'VALID',
      stride_w: stride,
      stride_h: 1,
      filter_width: k,
      filter_height: 1,
      fused_activation_function: 'NONE',
    },
    'pool',
  );
  reshape(ctx, pooled, [1, wo, c], 'squeeze', true);
}

/**
 * GlobalAveragePooling1D / 2D (MEAN over the spatial axes, as TFLite's converter lowers them),
 * GlobalMaxPooling1D / 2D (REDUCE_MAX).
 */
export function globalPool(ctx: LayerContext): void {
  const rank = ctx.inShapes[0].length;
  const spatial = Array.from({ length: rank - 2 }, (_, i) => i + 1);
  const axes = ctx.constant('axes', [spatial.length], i32(spatial));
  const op = ctx.node.className.startsWith('GlobalMax') ? 'REDUCE_MAX' : 'MEAN';
  ctx.emit(op, [ctx.inputs[0], axes], { keep_dims: ctx.cfg.keepdims === true });
}
