/**
 * MultiHeadAttention over [1, T, D] sequences, lowered as the TFLite converter lowers its einsums
 * for TFLite Micro: each projection a FULLY_CONNECTED on the [tokens, features] matrix, heads split
 * by RESHAPE + TRANSPOSE to [1, H, tokens, dim], scores = BATCH_MATMUL(Q, K, adj_y) with the
 * 1/√key_dim scale folded into the query weights, SOFTMAX over the keys, BATCH_MATMUL with V, heads
 * merged back (TRANSPOSE + RESHAPE) and the output projection. Masks and attention_axes other than
 * the sequence axis are refused.
 */
import type { KerasWeight } from '../types.ts';
import { i32, reshape, type LayerContext } from './context.ts';

const ROLES = ['query', 'key', 'value', 'attention_output'] as const;
type Role = (typeof ROLES)[number];

/** Kernel and bias of each projection, by weight name (Keras order when the names do not say). */
function projections(ctx: LayerContext): Record<Role, { kernel: KerasWeight; bias: KerasWeight | null }> {
  const ws = ctx.weights;
  const useBias = ctx.cfg.use_bias !== false;
  const per = useBias ? 2 : 1;
  if (ws.length !== 4 * per) ctx.fail(`has ${ws.length} weights, expected ${4 * per}`);
  const out = {} as Record<Role, { kernel: KerasWeight; bias: KerasWeight | null }>;
  ROLES.forEach((role, r) => {
    const named = ws.filter((w) => new RegExp(`(^|/)${role}(_dense)?/`).test(w.name));
    const [kernel, bias] = named.length === per ? named : ws.slice(r * per, r * per + per);
    out[role] = { kernel, bias: useBias ? bias : null };
  });
  return out;
}

export function multiHeadAttention(ctx: LayerContext): void {
  const { cfg } = ctx;
  if (cfg.attention_axes != null && JSON.stringify(cfg.attention_axes) !== '[1]')
    ctx.fail(
      `attention_axes ${JSON.stringify(cfg.attention_axes)} is not supported (only the sequence axis)`,
    );
  if (ctx.inputs.length < 2)
    ctx.fail('needs its query and value inputs (call it as layer(query, value[, key]))');
  if (ctx.inputs.length > 3) ctx.fail('attention masks are not supported');
  const [qShape, vShape] = ctx.inShapes;
  const kShape = ctx.inShapes[2] ?? vShape;
  if ([qShape, vShape, kShape].some((s) => s.length !== 3))
    ctx.fail('expects [batch, tokens, features] inputs');
  const p = projections(ctx);
  const feeds: [string, number[], KerasWeight][] = [
    ['query', qShape, p.query.kernel],
    ['value', vShape, p.value.kernel],
    ['key', kShape, p.key.kernel],
  ];
  for (const [role, shape, kernel] of feeds)
    if (kernel.shape[0] !== shape[2])
      ctx.fail(
        `the ${role} input has ${shape[2]} features, its projection takes ${kernel.shape[0]} (an attention mask passed positionally?)`,
      );
  const heads = Number(cfg.num_heads);
  const [, h, kd] = p.query.kernel.shape;
  const vd = p.value.kernel.shape[2];
  if (h !== heads) ctx.fail(`query kernel has ${h} heads, num_heads is ${heads}`);
  const t = qShape[1];
  const s = vShape[1];
  const dOut = p.attention_output.kernel.shape[2];

  /** FULLY_CONNECTED of `x` ([1, n, din]) with a Keras [din, H, dim] kernel scaled by `scale`. */
  const project = (x: number, n: number, role: 'query' | 'key' | 'value', scale: number) => {
    const { kernel, bias } = p[role];
    const [din, hh, dim] = kernel.shape;
    const out = hh * dim;
    const w = new Float32Array(out * din);
    for (let i = 0; i < din; i++)
      for (let o = 0; o < out; o++) w[o * din + i] = kernel.data[i * out + o] * scale;
    const b = Float32Array.from(bias ? bias.data : new Float32Array(out), (v) => v * scale);
    const x2 = reshape(ctx, x, [n, din], `${role}_rows`);
    const y = fc(ctx, x2, w, b, [n, out], role);
    const split = reshape(ctx, y, [1, n, hh, dim], `${role}_heads`);
    return transpose(ctx, split, [1, hh, n, dim], `${role}_by_head`);
  };
  const qh = project(ctx.inputs[0], t, 'query', 1 / Math.sqrt(kd));
  const kh = project(ctx.inputs[2] ?? ctx.inputs[1], s, 'key', 1);
  const vh = project(ctx.inputs[1], s, 'value', 1);
  const bmm = (a: number, b: number, shape: number[], adjY: boolean, suffix: string) =>
    ctx.step(
      'BATCH_MATMUL',
      [a, b],
      shape,
      { adj_x: false, adj_y: adjY, asymmetric_quantize_inputs: false },
      suffix,
    );
  const scores = bmm(qh, kh, [1, h, t, s], true, 'scores');
  const probs = ctx.step('SOFTMAX', [scores], [1, h, t, s], { beta: 1 }, 'attention_scores');
  const context = bmm(probs, vh, [1, h, t, vd], false, 'context');
  const merged = transpose(ctx, context, [1, t, h, vd], 'context_by_token');
  const rows = reshape(ctx, merged, [t, h * vd], 'context_rows');
  const wo = p.attention_output.kernel;
  const w = new Float32Array(dOut * h * vd);
  for (let i = 0; i < h * vd; i++) for (let o = 0; o < dOut; o++) w[o * h * vd + i] = wo.data[i * dOut + o];
  const b = p.attention_output.bias
    ? Float32Array.from(p.attention_output.bias.data)
    : new Float32Array(dOut);
  const y = fc(ctx, rows, w, b, [t, dOut], 'attention_output');
  reshape(ctx, y, [1, t, dOut], 'output', true);
}

function fc(ctx: LayerContext, x: number, w: Float32Array, b: Float32Array, shape: number[], role: string) {
  const [n, out] = shape;
  const wt = ctx.constant(`${role}/kernel`, [out, w.length / out], w);
  const bt = ctx.constant(`${role}/bias`, [out], b);
  const options = {
    fused_activation_function: 'NONE',
    weights_format: 'DEFAULT',
    keep_num_dims: false,
    asymmetric_quantize_inputs: false,
  };
  return ctx.step('FULLY_CONNECTED', [x, wt, bt], [n, out], options, role);
}

/** Swap axes 1 and 2 of a rank-4 tensor, giving `shape`. */
function transpose(ctx: LayerContext, x: number, shape: number[], suffix: string): number {
  const perm = ctx.constant(`${suffix}_perm`, [4], i32([0, 2, 1, 3]));
  return ctx.step('TRANSPOSE', [x, perm], shape, {}, suffix);
}
