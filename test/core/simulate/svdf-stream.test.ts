/**
 * SVDF streaming through the interpreter core compiled to WebAssembly: the activation state is a
 * variable tensor that survives from one invoke to the next, so a 10-frame stream must follow TFLite
 * Micro's state-update rule frame by frame (svdf-stream-model.ts), and resetState must start over.
 */
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { invoke, invokeStream, prepare, resetState } from '../../../src-main/core/simulate/interpreter.ts';
import {
  svdfStreamBytes,
  svdfStreamExpected,
  svdfStreamFrame,
  type SvdfStateType,
} from '../../helpers/svdf-stream-model.ts';

/** Integer tensor data as numbers (the SVDF model's tensors are int8/int16, never 64-bit). */
const nums = (d: ArrayLike<number | bigint>): number[] => Array.from(d, Number);

const FRAMES = 10;

function prepared(state: SvdfStateType) {
  const bytes = svdfStreamBytes(state);
  return prepare(readTflite(bytes), 0, { bytes });
}

describe('SVDF state across invocations (WASM core)', () => {
  for (const state of ['int16', 'int8'] as const) {
    it(`${state} state: 10 frames follow TFLM's update rule, frame by frame`, () => {
      // rule: svdf_common.cc shifts the state one element per invoke and writes each filter's newest
      // slot (int8 state: clamp, then + zero point 5, wrapping); the output sums weights_time * state
      const pm = prepared(state);
      const want = svdfStreamExpected(FRAMES, state);
      const frames = want.map((_, k) => [svdfStreamFrame(k)]);
      const got = invokeStream(pm, frames, { taps: false });
      got.forEach((r, k) => expect(nums(r.outputs[0].data), `frame ${k}`).toEqual(Array.from(want[k])));
    });
  }

  it('the stream depends on its history: frame 9 after frames 0..8 differs from frame 9 alone', () => {
    // rule: state is kept between invokes, not recomputed from the current input only
    const pm = prepared('int16');
    const stream = invokeStream(
      pm,
      Array.from({ length: FRAMES }, (_, k) => [svdfStreamFrame(k)]),
      { taps: false },
    );
    resetState(pm);
    const alone = invoke(pm, [svdfStreamFrame(FRAMES - 1)], { taps: false });
    expect(nums(alone.outputs[0].data)).not.toEqual(nums(stream[FRAMES - 1].outputs[0].data));
  });

  it('resetState brings the model back to frame 0', () => {
    // rule: qs_reset_state sets the state tensor as TFLM's ResetVariableTensors (int8: zero point)
    const pm = prepared('int8');
    const want = svdfStreamExpected(1, 'int8')[0];
    invokeStream(
      pm,
      Array.from({ length: 5 }, (_, k) => [svdfStreamFrame(k)]),
      { taps: false },
    );
    resetState(pm);
    expect(nums(invoke(pm, [svdfStreamFrame(0)], { taps: false }).outputs[0].data)).toEqual(nums(want));
  });
});
