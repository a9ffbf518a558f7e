/**
 * Layers that move or repeat values (int8 passes them through with the input's scale):
 * ZeroPadding1D/2D → PAD; UpSampling2D and Resizing → RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR
 * with half_pixel_centers (what TensorFlow 2's tf.image.resize uses under Keras); Permute →
 * TRANSPOSE; RepeatVector → RESHAPE + BROADCAST_TO (TensorFlow tiles, and TFLite Micro has no TILE;
 * broadcasting [1, 1, F] to [1, n, F] writes the same values).
 */
import { i32, pair, reshape, type LayerContext } from './context.ts';

/** ZeroPadding's `padding`: n, [a, b] or [[top, bottom], [left, right]] → [before, after] per axis. */
function paddings(v: unknown, axes: number): [number, number][] {
  if (typeof v === 'number') return Array.from({ length: axes }, () => [v, v]);
  if (Array.isArray(v) && axes === 1) return [pair(v, 1)];
  if (Array.isArray(v) && v.every((p) => typeof p === 'number'))
    return v.map((p) => [Number(p), Number(p)]) as [number, number][];
  if (Array.isArray(v)) return v.map((p) => pair(p, 0));
  return Array.from({ length: axes }, () => [1, 1]);
}

export function zeroPadding(ctx: LayerContext): void {
  const axes = ctx.node.className === 'ZeroPadding1D' ? 1 : 2;
  const rank = ctx.inShapes[0].length;
  if (rank !== axes + 2) ctx.fail(`expects a rank-${axes + 2} input, got rank ${rank}`);
  const pads = [[0, 0], ...paddings(ctx.cfg.padding, axes), [0, 0]];
  if (pads.length !== rank || pads.flat().some((p) => !Number.isInteger(p) || p < 0))
    ctx.fail(`padding ${JSON.stringify(ctx.cfg.padding)} is not understood`);
  const t = ctx.constant('paddings', [rank, 2], i32(pads.flat()));
  ctx.emit('PAD', [ctx.inputs[0], t]);
}

function resize(ctx: LayerContext, interpolation: unknown): void {
  const [, h, w] = ctx.outShape;
  const size = ctx.constant('size', [2], i32([h, w]));
  const options = { align_corners: false, half_pixel_centers: true };
  if (interpolation === 'nearest') ctx.emit('RESIZE_NEAREST_NEIGHBOR', [ctx.inputs[0], size], options);
  else if (interpolation === 'bilinear') ctx.emit('RESIZE_BILINEAR', [ctx.inputs[0], size], options);
  else
    ctx.fail(`interpolation '${String(interpolation)}' has no TFLite Micro kernel (nearest and bilinear do)`);
}

export function upSampling2d(ctx: LayerContext): void {
  resize(ctx, ctx.cfg.interpolation ?? 'nearest');
}

export function resizing(ctx: LayerContext): void {
  if (ctx.cfg.crop_to_aspect_ratio === true || ctx.cfg.pad_to_aspect_ratio === true)
    ctx.fail('crop_to_aspect_ratio / pad_to_aspect_ratio are not supported');
  resize(ctx, ctx.cfg.interpolation ?? 'bilinear');
}

export function permute(ctx: LayerContext): void {
  const dims = (ctx.cfg.dims as number[] | undefined) ?? [];
  const rank = ctx.inShapes[0].length;
  if (dims.length !== rank - 1 || [...dims].sort().some((d, i) => d !== i + 1))
    ctx.fail(`dims ${JSON.stringify(dims)} is not a permutation of 1..${rank - 1}`);
  const perm = ctx.constant('perm', [rank], i32([0, ...dims]));
  ctx.emit('TRANSPOSE', [ctx.inputs[0], perm]);
}

export function repeatVector(ctx: LayerContext): void {
  const [, f] = ctx.inShapes[0];
  if (ctx.inShapes[0].length !== 2) ctx.fail('expects a rank-2 input');
  const n = Number(ctx.cfg.n);
  const x = reshape(ctx, ctx.inputs[0], [1, 1, f], 'expand');
  const shape = ctx.constant('shape', [3], i32([1, n, f]));
  ctx.emit('BROADCAST_TO', [x, shape]);
}
