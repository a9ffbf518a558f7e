/**
 * Keras LSTM → UNIDIRECTIONAL_SEQUENCE_LSTM, the fused op the TFLite converter writes for
 * microcontrollers (TFLite Micro runs it; the converter's default WHILE-loop lowering it cannot):
 * - the 24 inputs in TFLite's layout: 0 input [batch, steps, features] (time_major false), 1-4
 *   input-to-gate weights, 5-8 recurrent weights, 12-15 biases, each in gate order input, forget,
 *   cell, output, weights [units, depth]; 18 / 19 the hidden and cell state as variable tensors
 *   [batch, units] (zero at load, kept between invocations); peephole (9-11), projection (16-17)
 *   and layer norm (20-23) absent (-1);
 * - Keras keeps kernel [features, 4·units], recurrent_kernel [units, 4·units] and bias [4·units]
 *   with the gates as column blocks i, f, c (g), o: each block transposed is one TFLite gate;
 * - the cell activation (tanh) is the op's fused activation; the gates are sigmoids (TFLite Micro
 *   computes only sigmoid gates, so other recurrent activations are refused);
 * - return_sequences false keeps the last step: STRIDED_SLICE [:, -1, :] with the time axis shrunk,
 *   as the converter's `outputs[:, -1, :]`.
 * GRU and SimpleRNN have no fused op TFLite Micro runs (TFLite lowers them to a WHILE loop).
 */
import { type LayerContext, f32, i32 } from './context.ts';

/** Rows `block·units … +units` of the Keras [depth, 4·units] matrix, as TFLite's [units, depth]. */
function gateBlock(w: Float32Array, depth: number, units: number, block: number): Float32Array {
  const out = new Float32Array(units * depth);
  for (let u = 0; u < units; u++)
    for (let d = 0; d < depth; d++) out[u * depth + d] = w[d * 4 * units + block * units + u];
  return out;
}

export function lstm(ctx: LayerContext): void {
  const { cfg } = ctx;
  const units = Number(cfg.units);
  const [x] = ctx.inputs;
  const [batch, steps, features] = ctx.inShapes[0];
  if (ctx.inShapes[0].length !== 3) ctx.fail('input must be [batch, steps, features]');
  if (String(cfg.activation ?? 'tanh') !== 'tanh')
    ctx.fail(`activation '${String(cfg.activation)}': TFLite Micro's LSTM cell activation is tanh only`);
  if (String(cfg.recurrent_activation ?? 'sigmoid') !== 'sigmoid')
    ctx.fail(
      `recurrent_activation '${String(cfg.recurrent_activation)}': TFLite Micro's LSTM gates are sigmoids only`,
    );
  if (cfg.go_backwards === true)
    ctx.fail('go_backwards is not supported (UNIDIRECTIONAL_SEQUENCE_LSTM runs forward)');
  if (cfg.return_state === true) ctx.fail('return_state is not supported (the op has one output)');
  if (cfg.stateful === true) ctx.fail('stateful is not supported');
  if (cfg.time_major === true) ctx.fail('time_major is not supported');
  const [kernel, recurrent, bias] = ctx.weights;
  if (
    !kernel ||
    !recurrent ||
    kernel.data.length !== features * 4 * units ||
    recurrent.data.length !== units * 4 * units
  )
    ctx.fail(
      `weights are not kernel [${features}, ${4 * units}] and recurrent_kernel [${units}, ${4 * units}]`,
    );
  const useBias = cfg.use_bias !== false;
  if (useBias && (!bias || bias.data.length !== 4 * units)) ctx.fail(`bias is not [${4 * units}]`);
  const gates = ['input', 'forget', 'cell', 'output'];
  const wx = gates.map((g, k) =>
    ctx.constant(`${g}_kernel`, [units, features], gateBlock(kernel.data, features, units, k)),
  );
  const wh = gates.map((g, k) =>
    ctx.constant(`${g}_recurrent_kernel`, [units, units], gateBlock(recurrent.data, units, units, k)),
  );
  const bs = gates.map((g, k) =>
    ctx.constant(
      `${g}_bias`,
      [units],
      useBias ? f32(bias.data.subarray(k * units, (k + 1) * units)) : new Float32Array(units),
    ),
  );
  const h = ctx.b.variable(`${ctx.node.path}/hidden_state`, [batch, units]);
  const c = ctx.b.variable(`${ctx.node.path}/cell_state`, [batch, units]);
  const inputs = [x, ...wx, ...wh, -1, -1, -1, ...bs, -1, -1, h, c, -1, -1, -1, -1];
  const options = {
    fused_activation_function: 'TANH',
    cell_clip: 10, // what the converter writes for a Keras LSTM (TFLM's field LSTM models all carry it)
    proj_clip: 0,
    time_major: false,
    asymmetric_quantize_inputs: false,
    diagonal_recurrent_tensors: false,
  };
  if (cfg.return_sequences === true) {
    ctx.emit('UNIDIRECTIONAL_SEQUENCE_LSTM', inputs, options);
    return;
  }
  const seq = ctx.step('UNIDIRECTIONAL_SEQUENCE_LSTM', inputs, [batch, steps, units], options, 'sequence');
  const begin = ctx.constant('last_begin', [3], i32([0, -1, 0]));
  const end = ctx.constant('last_end', [3], i32([0, 0, 0]));
  const strides = ctx.constant('last_strides', [3], i32([1, 1, 1]));
  ctx.emit('STRIDED_SLICE', [seq, begin, end, strides], {
    begin_mask: 5,
    end_mask: 5,
    ellipsis_mask: 0,
    new_axis_mask: 0,
    shrink_axis_mask: 2,
    offset: false,
  });
}

/** GRU / SimpleRNN: named, with why there is no lowering. */
export function recurrentRefused(ctx: LayerContext): void {
  ctx.fail(
    `TFLite lowers ${ctx.node.className} to a WHILE loop, which TFLite Micro cannot run (only LSTM has a fused op, UNIDIRECTIONAL_SEQUENCE_LSTM)`,
  );
}
