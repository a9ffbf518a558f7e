/**
 * A small stateful model for streaming tests: one int8 SVDF (rank 1, 2 filters, memory 3) whose
 * activation state is a variable tensor, as in TFLite Micro's keyword_scrambled models (int16 state)
 * or keyword_scrambled_8bit (int8 state with a zero point). Every scale is 1, so TFLM's rescales are
 * exact and the expected output of each frame follows from TFLM's state-update rule alone
 * (`svdfStreamExpected`): host-vs-board streaming tests and the simulator's streaming test feed
 * `svdfStreamFrame(k)` for k = 0, 1, ... and compare frame by frame. The C twin of this model and
 * rule is firmware/tests/test_svdf.c (stream_case).
 */
import type { Model } from '../../src-main/core/model/ir.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { irModel } from './ir-models.ts';

export type SvdfStateType = 'int16' | 'int8';

/** Weights and layout (feature dots reach 60*3 + 70*3 = 390: above int8, so the int8-state model clamps). */
export const SVDF_STREAM = {
  input: 2,
  filters: 2,
  rank: 1,
  memory: 3,
  weightsFeature: [60, 70, -3, 1],
  weightsTime: [1, -2, 3, 2, 1, -1],
  bias: [-5, 7],
} as const;

/** State zero point of each variant (int16 state: 0 as TFLM's int16 SVDF assumes; int8: 5). */
export function svdfStateZeroPoint(state: SvdfStateType): number {
  return state === 'int16' ? 0 : 5;
}

/** The model in the IR: tensor 0 input int8 [1,2], 4 the variable state, 5 the int8 output [1,2]. */
export function svdfStreamIr(state: SvdfStateType = 'int16'): Model {
  const s = SVDF_STREAM;
  const units = s.filters / s.rank;
  const wt = state === 'int16' ? new Int16Array(s.weightsTime) : new Int8Array(s.weightsTime);
  const model = irModel(
    [
      { dtype: 'int8', shape: [1, s.input], q: [1, 0] },
      { dtype: 'int8', shape: [s.filters, s.input], q: [1, 0], data: new Int8Array(s.weightsFeature) },
      { dtype: state, shape: [s.filters, s.memory], q: [1, 0], data: wt },
      { dtype: 'int32', shape: [units], q: [1, 0], data: new Int32Array(s.bias) },
      { dtype: state, shape: [1, s.filters * s.memory], q: [1, svdfStateZeroPoint(state)] },
      { dtype: 'int8', shape: [1, units], q: [1, 0] },
    ],
    [
      {
        op: 'SVDF',
        inputs: [0, 1, 2, 3, 4],
        outputs: [5],
        options: { rank: s.rank, fused_activation_function: 'NONE', asymmetric_quantize_inputs: false },
        optionsTable: 'SVDFOptions',
      },
    ],
  );
  const sg = model.subgraphs[0];
  sg.tensors[4] = { ...sg.tensors[4], isVariable: true };
  sg.inputs = [0]; // the state is written by the op, not fed: only x is a graph input
  return model;
}

export function svdfStreamBytes(state: SvdfStateType = 'int16'): Uint8Array {
  return writeTflite(svdfStreamIr(state));
}

/** Input of frame k: values in [-3, 3] that change every frame. */
export function svdfStreamFrame(k: number): Int8Array {
  return Int8Array.from({ length: SVDF_STREAM.input }, (_, i) => ((k * 3 + i * 5) % 7) - 3);
}

/**
 * Expected outputs of frames 0..n-1 from a fresh (or reset) state, by TFLite Micro's rule
 * (svdf_common.cc EvalIntegerSvdfReference, every scale 1): shift the whole state left by one
 * element; each filter's newest slot = clamp(dot(weights_feature_f, x), state type range) + state
 * zero point, stored in the state type (wrapping: TFLM adds the zero point after the clamp);
 * t_f = sum_j weights_time[f][j] * (state[f][j] - zero point); out_u = clamp(bias_u + t_u, int8).
 */
export function svdfStreamExpected(n: number, state: SvdfStateType = 'int16'): Int8Array[] {
  const s = SVDF_STREAM;
  const zp = svdfStateZeroPoint(state);
  const [lo, hi] = state === 'int16' ? [-32768, 32767] : [-128, 127];
  const wrap = (v: number) => (state === 'int16' ? (v << 16) >> 16 : (v << 24) >> 24);
  const st = new Array<number>(s.filters * s.memory).fill(zp);
  const out: Int8Array[] = [];
  for (let k = 0; k < n; k++) {
    const x = svdfStreamFrame(k);
    for (let i = 0; i + 1 < st.length; i++) st[i] = st[i + 1];
    for (let f = 0; f < s.filters; f++) {
      let dot = 0;
      for (let j = 0; j < s.input; j++) dot += s.weightsFeature[f * s.input + j] * x[j];
      st[f * s.memory + s.memory - 1] = wrap(Math.min(hi, Math.max(lo, dot)) + zp);
    }
    const y = new Int8Array(s.filters / s.rank);
    for (let u = 0; u < y.length; u++) {
      let acc = s.bias[u];
      for (let r = 0; r < s.rank; r++) {
        const f = u * s.rank + r;
        for (let j = 0; j < s.memory; j++)
          acc += s.weightsTime[f * s.memory + j] * (st[f * s.memory + j] - zp);
      }
      y[u] = Math.min(127, Math.max(-128, acc));
    }
    out.push(y);
  }
  return out;
}
