/**
 * Full-integer int8 UNIDIRECTIONAL_SEQUENCE_LSTM, laid out as the TFLite converter writes it and
 * as TFLite Micro's integer LSTM reads it (the core's k_lstm.c prepare):
 * - input and output int8 from their calibrated ranges; the hidden state (input 18, a variable
 *   tensor) takes the output's scale and zero point: the kernel copies h into the output row;
 * - the eight gate weights int8 symmetric with ONE scale per tensor (TFLM's gate parameters take
 *   a single multiplier per weight tensor);
 * - the four biases int32 at input scale × that gate's input-weight scale (the recurrent FC has
 *   no bias);
 * - the cell state (input 19, variable) int16, zero point 0, with a power-of-two scale that covers
 *   the largest |c| seen in calibration: 2^ceil(log2 max|c|) / 2^15 (the kernel's tanh(c) rescale
 *   is a shift by that power), capped by the op's cell_clip when it has one.
 * int16x8 (`--int16`, the converter's 16x8 mode, op version 5): input, output and hidden state int16
 * symmetric (zero point 0) from the same ranges, the weights as above (int8, one scale per tensor),
 * the biases int64 at the same input × weight scale (TFLM's 16x8 gate FCs read int64 biases), the cell
 * state int16 at the same power-of-two scale.
 * The gates themselves have fixed scales in TFLM's kernel (FC outputs Q3.12, activations Q0.15),
 * so no per-gate parameters are stored; the converter's five "intermediate" tensors are for the
 * layer-norm variant and are not read by TFLite Micro's kernel (nor written here).
 */
import type { Model, Operator, Tensor } from '../model/ir.ts';
import { bytesOf, floatData, setConstant } from './model-edit.ts';
import { quantizeBias, quantizeWeightsSymmetric, type QuantParams } from './params.ts';
import type { Range } from './ranges.ts';

/** TFLite's 24-input layout. */
const WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8];
const BIAS = 12;
export const LSTM_HIDDEN = 18;
export const LSTM_CELL = 19;

const quant = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint], axis: 0 });

/** The int16 cell-state scale for max |c| = `maxAbs`: the power of two of TFLite's converter. */
export function cellStateScale(maxAbs: number): number {
  const power = Math.ceil(Math.log2(Math.max(maxAbs, 2 ** -15)));
  return 2 ** (power - 15);
}

/**
 * Quantize one LSTM op in place. `x` and `out` are its input's and output's parameters (int8, or
 * int16 symmetric when `bits` is 16), `cell` the calibrated range of its cell state (ranges of
 * input 19).
 */
export function quantizeLstm(
  m: Model,
  op: Operator,
  tensors: Tensor[],
  x: QuantParams,
  out: QuantParams,
  cell: Range | undefined,
  done: Set<number>,
  bits: 8 | 16 = 8,
): void {
  const t = (k: number): Tensor => {
    const i = op.inputs[k];
    if (i === undefined || i < 0)
      throw new Error(`UNIDIRECTIONAL_SEQUENCE_LSTM (layer ${op.index}): input ${k} missing`);
    return tensors[i];
  };
  if (op.inputs.length !== 24)
    throw new Error(`UNIDIRECTIONAL_SEQUENCE_LSTM (layer ${op.index}): needs TFLite's 24 inputs`);
  const weightScale: number[] = [];
  for (const k of WEIGHTS) {
    const w = t(k);
    if (!w.data)
      throw new Error(
        `UNIDIRECTIONAL_SEQUENCE_LSTM (layer ${op.index}): weights '${w.name}' must be constant`,
      );
    if (done.has(w.index))
      throw new Error(`LSTM weight tensor '${w.name}' is shared between layers; not supported`);
    const q = quantizeWeightsSymmetric(floatData(w), w.shape, -1);
    setConstant(m, w, bytesOf(q.values));
    w.dtype = 'int8';
    w.quantization = quant(q.scales[0], 0);
    weightScale.push(q.scales[0]);
    done.add(w.index);
  }
  for (let g = 0; g < 4; g++) {
    const b = t(BIAS + g);
    if (!b.data)
      throw new Error(`UNIDIRECTIONAL_SEQUENCE_LSTM (layer ${op.index}): bias '${b.name}' must be constant`);
    const biasBits = bits === 8 ? 32 : 64;
    const qb = quantizeBias(floatData(b), x.scale, [weightScale[g]], biasBits);
    if (qb.clamped.length > 0)
      throw new Error(
        `LSTM bias '${b.name}': channels ${qb.clamped.join(', ')} overflow int${biasBits} at scale input × weight`,
      );
    if (biasBits === 32) {
      setConstant(m, b, bytesOf(Int32Array.from(qb.values)));
      b.dtype = 'int32';
    } else {
      setConstant(m, b, bytesOf(BigInt64Array.from(qb.values, (v) => BigInt(v))));
      b.dtype = 'int64';
    }
    b.quantization = quant(Math.fround(qb.scales[0]), 0);
    done.add(b.index);
  }
  const h = t(LSTM_HIDDEN);
  h.dtype = bits === 8 ? 'int8' : 'int16';
  h.quantization = quant(out.scale, out.zeroPoint);
  const c = t(LSTM_CELL);
  if (!cell)
    throw new Error(`No calibration range for the cell state of LSTM layer ${op.index} ('${c.name}')`);
  let maxAbs = Math.max(Math.abs(cell.min), Math.abs(cell.max));
  const clip = Number(op.options.cell_clip ?? 0);
  if (clip > 0) maxAbs = Math.min(maxAbs, clip);
  c.dtype = 'int16';
  c.quantization = quant(cellStateScale(maxAbs), 0);
}
