/**
 * Keras activations beyond relu/relu6/softmax/sigmoid/tanh, as the TFLite converter lowers them to
 * ops TFLite Micro has kernels for (int8 included):
 * - elu → ELU (alpha 1, the only one TFLite's ELU computes); leaky_relu → LEAKY_RELU;
 * - swish / silu: x·sigmoid(x) → LOGISTIC, MUL;
 * - hard_swish / hard_silu: x·relu6(x + 3)/6 → HARD_SWISH;
 * - hard_sigmoid: Keras 2 clip(0.2x + 0.5, 0, 1), Keras 3 relu6(x + 3)/6; both are
 *   relu6(6·slope·x + 3)/6 → [MUL] ADD(+3, fused RELU6) MUL(1/6) (TFLM has no RELU_0_TO_1);
 * - gelu: TFLite's GELU op has no TFLite Micro kernel (tflite-micro's micro/kernels has no gelu.cc
 *   and its op resolver no AddGelu, checked at its August 2026 head; only Cadence's vendor fork has
 *   one), so gelu is the tanh form
 *   0.5·x·(1 + tanh(u)) = x·sigmoid(2u), 2u = x·(2k + 2k·c·x²), k = √(2/π), c = 0.044715 →
 *   MUL, MUL, ADD, MUL, LOGISTIC, MUL. It differs from the exact erf form by under 3.2e-4·|x|
 *   (at most 0.0005), well under an int8 step.
 */
import { kerasMajor, f32, NO_ACT, type LayerContext } from './context.ts';

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

/** Lower activation `act` applied to `src`; false when the name is not one of these. */
export function lowerActivation(ctx: LayerContext, src: number, act: string): boolean {
  const shape = ctx.b.tensors[src].shape;
  const scalar = (suffix: string, v: number) => ctx.constant(suffix, [1], f32([v]));
  switch (act) {
    case 'elu':
      ctx.emit('ELU', [src]);
      return true;
    case 'leaky_relu':
      ctx.emit('LEAKY_RELU', [src], { alpha: 0.2 });
      return true;
    case 'swish':
    case 'silu': {
      const s = ctx.step('LOGISTIC', [src], shape, {}, 'sigmoid');
      ctx.emit('MUL', [src, s], NO_ACT);
      return true;
    }
    case 'hard_swish':
    case 'hard_silu':
      ctx.emit('HARD_SWISH', [src]);
      return true;
    case 'hard_sigmoid': {
      const slope = kerasMajor(ctx) >= 3 ? 1 / 6 : 0.2;
      const k = 6 * slope;
      const scaled =
        Math.abs(k - 1) < 1e-12 ? src : ctx.step('MUL', [src, scalar('hs_k', k)], shape, NO_ACT, 'hs_scaled');
      const r = ctx.step(
        'ADD',
        [scaled, scalar('hs_3', 3)],
        shape,
        { fused_activation_function: 'RELU6' },
        'hs_relu6',
      );
      ctx.emit('MUL', [r, scalar('hs_sixth', 1 / 6)], NO_ACT);
      return true;
    }
    case 'gelu': {
      const sq = ctx.step('MUL', [src, src], shape, NO_ACT, 'gelu_sq');
      const p = ctx.step('MUL', [sq, scalar('gelu_kc', 2 * GELU_K * GELU_C)], shape, NO_ACT, 'gelu_cx2');
      const q = ctx.step('ADD', [p, scalar('gelu_k', 2 * GELU_K)], shape, NO_ACT, 'gelu_poly');
      const u = ctx.step('MUL', [src, q], shape, NO_ACT, 'gelu_arg');
      const s = ctx.step('LOGISTIC', [u], shape, {}, 'gelu_sigmoid');
      ctx.emit('MUL', [src, s], NO_ACT);
      return true;
    }
    default:
      return false;
  }
}
