/**
 * Merge layers: Concatenate → CONCATENATION on the Keras axis; Multiply / Maximum / Minimum → MUL /
 * MAXIMUM / MINIMUM, pairwise left to right for more than two inputs, broadcasting as Keras does
 * (e.g. the [1, 1, 1, C] gate of a squeeze-excite block times a [1, H, W, C] feature map).
 */
import { axisOf, NO_ACT, type LayerContext } from './context.ts';

export function concatenate(ctx: LayerContext): void {
  if (ctx.inputs.length < 2) ctx.fail('needs at least two inputs');
  const axis = axisOf(ctx, ctx.cfg.axis, ctx.outShape.length);
  ctx.emit('CONCATENATION', ctx.inputs, { axis, fused_activation_function: 'NONE' });
}

function broadcastShape(a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    return Math.max(x, y);
  });
}

const ELEMENTWISE: Record<string, string> = { Multiply: 'MUL', Maximum: 'MAXIMUM', Minimum: 'MINIMUM' };

export function elementwise(ctx: LayerContext): void {
  const op = ELEMENTWISE[ctx.node.className];
  if (ctx.inputs.length < 2) ctx.fail('needs at least two inputs');
  const options = op === 'MUL' ? NO_ACT : {};
  let acc = ctx.inputs[0];
  let shape = ctx.inShapes[0];
  for (let i = 1; i < ctx.inputs.length; i++) {
    shape = broadcastShape(shape, ctx.inShapes[i]);
    acc =
      i === ctx.inputs.length - 1
        ? ctx.emit(op, [acc, ctx.inputs[i]], options)
        : ctx.step(op, [acc, ctx.inputs[i]], shape, options, `partial${i}`);
  }
}
