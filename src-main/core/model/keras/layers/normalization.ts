/**
 * Normalization layers.
 * - LayerNormalization over the last axis, as the TFLite converter lowers tf.nn.moments and the
 *   normalization: mean = MEAN(x), var = MEAN(SQUARED_DIFFERENCE(x, mean)),
 *   y = SUB(x, mean) · (RSQRT(ADD(var, ε)) · γ) + β (MUL, MUL, ADD; γ / β skipped when the layer has
 *   none). x − mean is taken before scaling (not x·r − mean·r, the converter's form) so int8 keeps
 *   its precision. Quantized, its interior runs in int16 but for RSQRT, which TFLite Micro takes in
 *   float32 and int8 only (quantize/lowering-interior.ts); the quantizer refines RSQRT's int8 result
 *   by one Newton step in int16 (quantize/rsqrt-refine.ts).
 * - Rescaling (x·scale + offset) and Normalization ((x − mean) / max(√var, 1e-7), or the inverse
 *   with invert) are per-channel affine maps: folded into the next Dense/Conv when possible
 *   (affine.ts), else MUL and/or ADD with per-channel constants.
 */
import { affineFoldsInto, type InputAffine } from './affine.ts';
import { axisOf, f32, i32, NO_ACT, type LayerContext } from './context.ts';

export function layerNormalization(ctx: LayerContext): void {
  const { cfg } = ctx;
  const shape = ctx.inShapes[0];
  const rank = shape.length;
  const axis = axisOf(ctx, cfg.axis, rank);
  if (axis !== rank - 1) ctx.fail(`normalizing axis ${axis} is not supported (only the last axis)`);
  if (cfg.rms_scaling === true) ctx.fail('rms_scaling is not supported');
  const c = shape[rank - 1];
  const list = [...ctx.weights];
  const gamma = cfg.scale === false ? null : list.shift();
  const beta = cfg.center === false ? null : list.shift();
  for (const w of [gamma, beta]) {
    if (w === undefined) ctx.fail('gamma/beta weights missing');
    if (w && w.data.length !== c) ctx.fail(`${w.name} has ${w.data.length} values, the axis ${c}`);
  }
  const x = ctx.inputs[0];
  const reduced = [...shape.slice(0, -1), 1];
  const axes = ctx.constant('axes', [1], i32([axis]));
  const mean = ctx.step('MEAN', [x, axes], reduced, { keep_dims: true }, 'mean');
  const sq = ctx.step('SQUARED_DIFFERENCE', [x, mean], shape, {}, 'squared_difference');
  const variance = ctx.step('MEAN', [sq, axes], reduced, { keep_dims: true }, 'variance');
  const eps = ctx.constant('epsilon', [1], f32([Number(cfg.epsilon ?? 1e-3)]));
  const ve = ctx.step('ADD', [variance, eps], reduced, NO_ACT, 'variance_eps');
  const r = ctx.step('RSQRT', [ve], reduced, {}, 'rsqrt');
  const d = ctx.step('SUB', [x, mean], shape, NO_ACT, 'centered');
  // γ is folded into 1/σ first (a per-row, per-channel factor), so the full-size product is rounded
  // once before β instead of twice: 5–9 % lower int8 RMS than (x − mean)·r then ·γ, measured in
  // test/core/keras/layer-norm-converter.test.ts
  const factor = gamma
    ? ctx.step(
        'MUL',
        [r, ctx.constant('gamma', [c], Float32Array.from(gamma.data))],
        shape,
        NO_ACT,
        'inv_scaled',
      )
    : r;
  if (!beta) {
    ctx.emit('MUL', [d, factor], NO_ACT);
    return;
  }
  const y = ctx.step('MUL', [d, factor], shape, NO_ACT, 'normalized');
  ctx.emit('ADD', [y, ctx.constant('beta', [c], Float32Array.from(beta.data))], NO_ACT);
}

/** A number or a per-channel list, as `c` values. */
function perChannel(ctx: LayerContext, v: unknown, c: number, what: string): Float32Array {
  const list = (
    v instanceof Float32Array ? Array.from(v) : Array.isArray(v) ? (v as unknown[]).flat(8) : [v]
  ).map(Number);
  if (list.length === 1) return new Float32Array(c).fill(list[0]);
  if (list.length !== c) ctx.fail(`${what} has ${list.length} values, the last axis ${c}`);
  return f32(list);
}

function applyAffine(ctx: LayerContext, a: InputAffine): void {
  const next = ctx.nextLayers();
  const rank = ctx.inShapes[0].length;
  if (next.length === 1 && ctx.readers() === 1 && affineFoldsInto(next[0], a, rank)) {
    ctx.deferAffine(a);
    return;
  }
  const c = a.scale.length;
  const ops: [string, Float32Array, string][] = [];
  if (a.scale.some((v) => v !== 1)) ops.push(['MUL', a.scale, 'scale']);
  if (a.offset.some((v) => v !== 0)) ops.push(['ADD', a.offset, 'offset']);
  let y = ctx.inputs[0];
  if (ops.length === 0) return ctx.setOutput(y);
  ops.forEach(([op, values, name], i) => {
    const k = ctx.constant(name, [c], values);
    y =
      i === ops.length - 1
        ? ctx.emit(op, [y, k], NO_ACT)
        : ctx.step(op, [y, k], ctx.inShapes[0], NO_ACT, 'scaled');
  });
}

export function rescaling(ctx: LayerContext): void {
  const c = ctx.inShapes[0][ctx.inShapes[0].length - 1];
  applyAffine(ctx, {
    scale: perChannel(ctx, ctx.cfg.scale ?? 1, c, 'scale'),
    offset: perChannel(ctx, ctx.cfg.offset ?? 0, c, 'offset'),
  });
}

export function normalization(ctx: LayerContext): void {
  const { cfg } = ctx;
  const rank = ctx.inShapes[0].length;
  const axis = axisOf(ctx, cfg.axis, rank);
  if (axis !== rank - 1) ctx.fail(`normalizing axis ${axis} is not supported (only the last axis)`);
  const c = ctx.inShapes[0][rank - 1];
  const [wm, wv] = ctx.weights;
  const mean = perChannel(ctx, cfg.mean ?? wm?.data ?? ctx.fail('mean missing'), c, 'mean');
  const variance = perChannel(ctx, cfg.variance ?? wv?.data ?? ctx.fail('variance missing'), c, 'variance');
  const std = Float32Array.from(variance, (v) => Math.max(Math.sqrt(v), 1e-7));
  const invert = cfg.invert === true;
  applyAffine(ctx, {
    scale: invert ? std : Float32Array.from(std, (s) => 1 / s),
    offset: invert ? Float32Array.from(mean) : Float32Array.from(mean, (m, i) => -m / std[i]),
  });
}
