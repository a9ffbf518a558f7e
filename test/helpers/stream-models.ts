/**
 * A small stateful model for stream tests, written with the project's TFLite writer: one int8 SVDF
 * (builtin 27; batch 1, 2 inputs, 1 filter, rank 1, memory 4, int16 weights_time and activation
 * state) whose scales make both of TFLM's rescalings exactly 1 (scale_1 = x·wf/state = 0.5·0.25/0.125,
 * scale_2 = state·wt/out = 0.125·0.5/0.0625), so its frame-by-frame outputs follow from TFLM's state
 * update in plain integers (`svdfStreamExpected`):
 *   s_k   = Σ_i wf[i]·(x_k[i] − x_zp)                 (written into the state's newest slot)
 *   out_k = clamp_int8(Σ_j wt[j]·s_{k−3+j} + bias + out_zp)   (s before the first frame: the reset 0)
 */
import type { Model } from '../../src-main/core/model/ir.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { irModel } from './ir-models.ts';

export const SVDF_STREAM = {
  xScale: 0.5,
  xZp: -1,
  wf: [2, -3],
  wt: [1, -2, 3, 4], // oldest state slot first: the state shifts left, the newest value lands last
  bias: 5,
  outZp: 3,
  memory: 4,
};

export function svdfStreamModel(): Model {
  const p = SVDF_STREAM;
  const m = irModel(
    [
      { dtype: 'int8', shape: [1, 2], q: [p.xScale, p.xZp] }, // 0 x
      { dtype: 'int8', shape: [1, 2], q: [0.25, 0], data: Int8Array.from(p.wf) }, // 1 weights_feature
      { dtype: 'int16', shape: [1, p.memory], q: [0.5, 0], data: Int16Array.from(p.wt) }, // 2 weights_time
      { dtype: 'int32', shape: [1], q: [0.0625, 0], data: Int32Array.of(p.bias) }, // 3 bias
      { dtype: 'int16', shape: [1, p.memory], q: [0.125, 0] }, // 4 activation state (variable)
      { dtype: 'int8', shape: [1, 1], q: [0.0625, p.outZp] }, // 5 output
    ],
    [
      {
        op: 'SVDF',
        inputs: [0, 1, 2, 3, 4],
        outputs: [5],
        options: { rank: 1, fused_activation_function: 'NONE', asymmetric_quantize_inputs: false },
        optionsTable: 'SVDFOptions',
      },
    ],
  );
  const g = m.subgraphs[0];
  g.tensors[4].isVariable = true;
  g.inputs = [0]; // the state is no graph input: it lives in the interpreter
  return m;
}

export function svdfStreamBytes(): Uint8Array {
  return writeTflite(svdfStreamModel());
}

/** Ten frames of x (int8 pairs), chosen so no sum saturates and every frame's output differs. */
export const SVDF_FRAMES: [number, number][] = [
  [0, 0],
  [1, -1],
  [2, 1],
  [-3, 0],
  [4, 2],
  [0, -2],
  [1, 1],
  [-1, 3],
  [2, -3],
  [3, 0],
];

/**
 * The output TFLM's SVDF gives for each frame of a stream, from the state update above; with
 * `resetEach` every frame starts from the reset state (what a board that drops its state gives).
 */
export function svdfStreamExpected(frames: readonly [number, number][], resetEach = false): number[] {
  const p = SVDF_STREAM;
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  const s = frames.map((x) => clamp(p.wf[0] * (x[0] - p.xZp) + p.wf[1] * (x[1] - p.xZp), -32768, 32767));
  return frames.map((_, k) => {
    let acc = 0;
    for (let j = 0; j < p.memory; j++) {
      const t = k - (p.memory - 1) + j; // the frame whose value sits in state slot j
      if (t >= 0 && (!resetEach || t === k)) acc += p.wt[j] * s[t];
    }
    return clamp(acc + p.bias + p.outZp, -128, 127);
  });
}
