/**
 * Activation layer classes: LeakyReLU → LEAKY_RELU (Keras 2 `alpha`, Keras 3 `negative_slope`,
 * default 0.3), PReLU → PRELU with its learned alpha as a constant (shared axes kept as 1s, so it
 * broadcasts), ELU → ELU (TFLite's ELU is alpha = 1; other alphas are refused).
 */
import type { LayerContext } from './context.ts';

export function leakyRelu(ctx: LayerContext): void {
  const alpha = Number(ctx.cfg.negative_slope ?? ctx.cfg.alpha ?? 0.3);
  if (!(alpha >= 0)) ctx.fail(`negative slope ${alpha}: TFLite Micro's LEAKY_RELU takes alpha >= 0`);
  ctx.emit('LEAKY_RELU', [ctx.inputs[0]], { alpha });
}

export function prelu(ctx: LayerContext): void {
  const [alpha] = ctx.weights;
  if (!alpha) ctx.fail('no alpha weights stored');
  const want = ctx.inShapes[0].slice(1);
  if (alpha.shape.length !== want.length || alpha.shape.some((d, i) => d !== 1 && d !== want[i]))
    ctx.fail(`alpha of shape [${alpha.shape}] does not broadcast to the input's [${want}]`);
  const a = ctx.constant('alpha', alpha.shape, Float32Array.from(alpha.data));
  ctx.emit('PRELU', [ctx.inputs[0], a]);
}

export function elu(ctx: LayerContext): void {
  const alpha = Number(ctx.cfg.alpha ?? 1);
  if (alpha !== 1) ctx.fail(`alpha ${alpha}: TFLite's ELU op computes alpha = 1 only`);
  ctx.emit('ELU', [ctx.inputs[0]]);
}
