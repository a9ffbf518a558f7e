/**
 * Streams (issue 15, firmware/PROTOCOL.md §8): a stateful model invoked once per frame keeps its
 * state from one invocation to the next, on the host simulator (WebAssembly core) and on the
 * virtual board alike, and a retried INVOKE of the same frame does not move the state on twice.
 * The model is one int8 SVDF (test/helpers/stream-models.ts) whose outputs follow from TFLM's state
 * update in plain integers (svdfStreamExpected).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { Cmd, requests } from '../../src-main/core/protocol/messages.ts';
import { decodeOutput } from '../../src-main/core/protocol/replies.ts';
import { invokeStream, prepare } from '../../src-main/core/simulate/interpreter.ts';
import { BoardLink, expectReply } from '../../src-main/services/board/board-link.ts';
import { buildFirmware, firmwareDir } from '../../src-main/services/board/firmware.ts';
import { profileAndCompare } from '../../src-main/services/board/profile-compare.ts';
import { BoardSession } from '../../src-main/services/board/session.ts';
import { openSerialTransport } from '../../src-main/services/board/transport.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { SVDF_FRAMES, svdfStreamBytes, svdfStreamExpected } from '../helpers/stream-models.ts';

const model = svdfStreamBytes();
const frames = SVDF_FRAMES.map((x) => [Uint8Array.from(Int8Array.from(x))]);
const int8 = (b: Uint8Array) => new Int8Array(b.buffer, b.byteOffset, b.byteLength)[0];

function hostStream(resetState = false): number[] {
  const pm = prepare(readTflite(model), 0, { bytes: model });
  const rs = invokeStream(
    pm,
    SVDF_FRAMES.map((x) => [Int8Array.from(x)]),
    { taps: true, resetState },
  );
  return rs.map((r) => r.outputs[0].data[0] as number);
}

describe('streams: state across invocations, host and virtual board', () => {
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

  it('10 frames: host and virtual board give, frame by frame, the outputs of TFLM state update', async () => {
    // rule (issue 15 Done-when): a stream keeps the state between invocations, as firmware
    // does; the expected outputs are worked out from SVDF's state update (shift, newest slot,
    // weighted sum over the memory), identical on host (WASM) and the virtual board
    const want = svdfStreamExpected(SVDF_FRAMES);
    expect(new Set(want).size).toBeGreaterThan(8); // the frames tell the state apart
    expect(hostStream()).toEqual(want);
    expect(board.streams).toBe(true);
    const rs = await board.profileStream(model, frames);
    expect(rs.map((r) => int8(r.ops[0].data))).toEqual(want);
  }, 60_000);

  it('--reset-state: every frame from the reset state, host and board alike', async () => {
    // rule: resetState resets before each frame (TFLM's Reset), so only the newest slot counts
    const want = svdfStreamExpected(SVDF_FRAMES, true);
    expect(want).not.toEqual(svdfStreamExpected(SVDF_FRAMES));
    expect(hostStream(true)).toEqual(want);
    const rs = await board.profileStream(model, frames, { resetState: true });
    expect(rs.map((r) => int8(r.ops[0].data))).toEqual(want);
  }, 60_000);

  it('a retried INVOKE of the same frame runs from the same state; the next frame moves it on', async () => {
    // rule (PROTOCOL.md §8): the board snapshots the state when a frame first runs and restores it
    // when the same frame number comes again, so retries and re-runs are idempotent
    const want = svdfStreamExpected(SVDF_FRAMES);
    await board.load(model);
    const link = board.link;
    const run = async (frame: number, resetState: boolean, x: Uint8Array) => {
      await board.setInput(0, x);
      expectReply(
        await link.request(requests.invoke({ stream: false, frame: { frame, resetState } })),
        Cmd.INVOKE,
      );
      return int8(
        decodeOutput(expectReply(await link.request(requests.readOutput(0, 0, 1)), Cmd.READ_OUTPUT)).data,
      );
    };
    expect(await run(500, true, frames[0][0])).toBe(want[0]);
    expect(await run(500, true, frames[0][0])).toBe(want[0]); // retry: same state, same output
    expect(await run(501, false, frames[1][0])).toBe(want[1]);
    expect(await run(501, false, frames[1][0])).toBe(want[1]);
    expect(await run(501, false, frames[1][0])).toBe(want[1]);
    expect(await run(502, false, frames[2][0])).toBe(want[2]);
    // a run without a frame number moves the state on (a plain INVOKE, as before streams)
    await board.setInput(0, frames[3][0]);
    expectReply(await link.request(requests.invoke({ stream: false })), Cmd.INVOKE);
    expect(await run(503, false, frames[4][0])).not.toBe(want[3]);
  }, 60_000);

  it('a board without stream frames is refused for a stream, with a clear message', async () => {
    // rule: HELLO without the STREAM_STATE feature (older firmware) cannot run several frames:
    // retries there would advance the state twice; the message names the board and the fix
    const old = new BoardSession({ hello: { ...board.info, features: undefined } } as unknown as BoardLink);
    const e = await old.profileStream(model, frames).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).code).toBe('UNSUPPORTED');
    expect((e as Error).message).toMatch(/cannot run a stream of 10 invocations.*update its firmware/);
  });
});

describe('streams over a noisy line (fault proxy, replies dropped and damaged)', () => {
  let dir: string;
  let proc: ChildProcess | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qs-stream-'));
  });
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((ok) => proc!.once('exit', ok));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('10 frames twice at 3e-3 flips/drops both ways: frame by frame the host outputs, no frame run twice', async () => {
    // rule (§2 + §8): lost replies make the host retry and re-run INVOKEs; with frame numbers the
    // board restores the frame's state each time, so every frame's output is still the host's
    const exe = await buildFirmware('host');
    const path = join(dir, 'tty');
    const cmd = [process.execPath, join(import.meta.dirname, 'fault-proxy.mjs'), exe, 3e-3, 7].join(' ');
    proc = spawn('socat', [`pty,link=${path},raw,echo=0`, `EXEC:${cmd}`], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((ok) => setTimeout(ok, 10));
    const link = await BoardLink.open(await openSerialTransport(path), {
      timeoutMs: 1000,
      retries: 8,
      minBytesPerSec: 100_000,
    });
    try {
      const session = new BoardSession(link);
      const want = svdfStreamExpected(SVDF_FRAMES);
      // several streams in a row on the same line: more lost frames, each must still be right
      for (let round = 0; round < 2; round++) {
        const rs = await session.profileStream(model, frames);
        expect(rs.map((r) => int8(r.ops[0].data))).toEqual(want);
      }
      const stats = await session.linkStats();
      expect(stats.badCrc + stats.dropped).toBeGreaterThan(0); // the line really was noisy
    } finally {
      await link.close();
    }
  }, 120_000);
});

describe('a board that drops the state (make host-dropstate): the compare finds the first divergence', () => {
  let vb: VirtualBoard;
  let board: BoardSession;
  beforeAll(async () => {
    await promisify(execFile)('make', ['-s', '-C', firmwareDir(), 'host-dropstate'], { timeout: 300_000 });
    vb = await VirtualBoard.start({ executable: join(firmwareDir(), 'build', 'host-dropstate', 'qs-board') });
    board = await vb.connect();
  }, 300_000);
  afterAll(async () => {
    await board?.link.close();
    await vb?.stop();
  });

  it('host and board agree on invocation 0 and part at invocation 1, layer 0 (the SVDF)', async () => {
    // rule (issue 15): the compare steps through invocations and names where host and board FIRST
    // diverge (invocation, layer); frame 0 starts from the reset state on both, so it matches
    const bin = Uint8Array.from(Int8Array.from(SVDF_FRAMES.flat()));
    const r = await profileAndCompare(board, {
      modelName: 'svdf_stream',
      modelBytes: model,
      input: { files: [{ name: 'frames.bin', bytes: bin }] },
    });
    const s = r.compare.stream!;
    expect(s.invocations).toBe(10);
    expect(s.runs.map((c) => c.invocation)).toEqual([...Array(10).keys()]);
    expect(s.runs[0].allMatch).toBe(true);
    expect(s.firstDivergence).toEqual({ invocation: 1, layer: 0, op: 'SVDF' });
    expect(r.compare.allMatch).toBe(false);
    expect(r.compare.invocation).toBe(1);
    // the board's outputs are those of a stream that restarts every frame
    const dropped = svdfStreamExpected(SVDF_FRAMES, true);
    expect(int8(r.device[0].bytes)).toBe(dropped[1]);
    // every invocation whose output depends on earlier frames differs; frame 0 alone does not
    const kept = svdfStreamExpected(SVDF_FRAMES);
    expect(s.runs.map((c) => !c.allMatch)).toEqual(kept.map((v, k) => v !== dropped[k]));
  }, 60_000);

  it('with --reset-state (every frame from the reset state) the same board matches the host', async () => {
    // rule: resetState on both sides makes the stream stateless, so the drop-state board agrees
    const bin = Uint8Array.from(Int8Array.from(SVDF_FRAMES.flat()));
    const r = await profileAndCompare(board, {
      modelName: 'svdf_stream',
      modelBytes: model,
      input: { files: [{ name: 'frames.bin', bytes: bin }] },
      resetState: true,
    });
    expect(r.compare.stream!.firstDivergence).toBeNull();
    expect(r.compare.stream!.runs.every((c) => c.allMatch)).toBe(true);
    expect(r.compare.allMatch).toBe(true);
  }, 60_000);
});
