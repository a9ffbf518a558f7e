/**
 * A signal-library stream (issue 15): SignalDelay keeps the tail of each frame for the next
 * invocation (op state in the core's qs_state_alloc memory, not a variable tensor), so a 10-frame
 * stream gives, frame by frame, the input delayed by delay_length samples, on the host simulator
 * (WebAssembly core) and on the virtual board alike; resetState starts every frame from silence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { invokeStream, prepare } from '../../src-main/core/simulate/interpreter.ts';
import type { BoardSession } from '../../src-main/services/board/session.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { flexMap, oneOpModel } from '../helpers/compute-op-models.ts';

const FRAMES = 10;
const FRAME = 4;
const DELAY = 3;

const model = oneOpModel({
  op: 'CUSTOM',
  customCode: 'SignalDelay',
  customOptions: flexMap({ delay_length: DELAY }),
  tensors: [
    { dtype: 'int16', shape: [1, FRAME] },
    { dtype: 'int16', shape: [1, FRAME] },
  ],
  inputs: [0],
  outputs: [1],
});
const bytes = writeTflite(model);
/** Frame k: samples 100k + 1 .. 100k + 4, alternating in sign so every frame differs. */
const frame = (k: number) =>
  Int16Array.from({ length: FRAME }, (_, i) => (k % 2 ? -1 : 1) * (100 * k + i + 1));
const frames = Array.from({ length: FRAMES }, (_, k) => frame(k));

/** The rule: sample t of the stream comes out at t + delay_length; silence (0) before. */
function delayed(reset: boolean): number[][] {
  const all = frames.flatMap((f) => Array.from(f));
  return frames.map((f, k) =>
    Array.from({ length: FRAME }, (_, i) => {
      const t = k * FRAME + i - DELAY;
      if (reset) return i - DELAY >= 0 ? f[i - DELAY] : 0; // each frame starts from silence
      return t >= 0 ? all[t] : 0;
    }),
  );
}

function host(resetState: boolean): number[][] {
  const pm = prepare(model, 0, { bytes });
  return invokeStream(
    pm,
    frames.map((f) => [f]),
    { taps: false, resetState },
  ).map((r) => Array.from(r.outputs[0].data as Int16Array));
}

describe('SignalDelay stream: state across invocations, host and virtual board', () => {
  let vb: VirtualBoard;
  let board: BoardSession;
  beforeAll(async () => {
    vb = await VirtualBoard.start();
    board = await vb.connect();
  }, 300_000);
  afterAll(async () => {
    await board?.link.close();
    await vb?.stop();
  });

  const boardRun = async (resetState: boolean) =>
    (
      await board.profileStream(
        bytes,
        frames.map((f) => [new Uint8Array(f.buffer)]),
        { resetState },
      )
    ).map((r) => Array.from(new Int16Array(r.ops[0].data.slice().buffer)));

  it('10 frames: the input delay_length samples late, frame by frame, host and board alike', async () => {
    // rule: TFLM's DelayEval pushes the frame into a line primed with delay_length zeros and pops
    // one frame, so samples cross from one invocation into the next
    const want = delayed(false);
    expect(want[1]).toEqual([2, 3, 4, -101]); // frame 1 starts with frame 0's last 3 samples
    expect(host(false)).toEqual(want);
    expect(await boardRun(false)).toEqual(want);
  }, 60_000);

  it('resetState: every frame from silence (TFLM DelayReset), host and board alike', async () => {
    // rule: qs_reset_state refills the delay line with zeros before each frame
    const want = delayed(true);
    expect(want).not.toEqual(delayed(false));
    expect(host(true)).toEqual(want);
    expect(await boardRun(true)).toEqual(want);
  }, 60_000);
});
