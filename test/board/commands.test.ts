/** Each protocol command against the virtual board, including its error replies. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { Cmd, requests } from '../../src-main/core/protocol/messages.ts';
import { WHOLE_OUTPUT, type OpSink } from '../../src-main/core/protocol/op-assembly.ts';
import { decodeLoadStatus } from '../../src-main/core/protocol/replies.ts';
import { expectReply } from '../../src-main/services/board/board-link.ts';
import type { BoardSession } from '../../src-main/services/board/session.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { goldenCase } from './golden-check.ts';

const code = (e: unknown) => (e instanceof ProtocolError ? e.code : String(e));

describe('protocol commands on the virtual board', () => {
  let vb: VirtualBoard;
  let s: BoardSession;
  beforeAll(async () => {
    vb = await VirtualBoard.start();
    s = await vb.connect();
  });
  afterAll(async () => {
    await s?.link.close();
    await vb?.stop();
  });

  it('refuses to run, read or write inputs with no model loaded (BAD_STATE)', async () => {
    await s.reset();
    expect(code(await s.link.request(requests.invoke({ stream: false })).catch((e) => e))).toBe('BAD_STATE');
    expect(code(await s.setInput(0, new Uint8Array(1)).catch((e) => e))).toBe('BAD_STATE');
    expect(code(await s.link.request(requests.loadCommit()).catch((e) => e))).toBe('BAD_STATE');
  });

  it('rejects a model that is not a valid .tflite with MODEL_INVALID and its reason', async () => {
    const junk = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff);
    const err = await s.load(junk).catch((e: unknown) => e);
    expect(code(err)).toBe('MODEL_INVALID');
    expect((err as ProtocolError).detail?.coreStatus).toBeGreaterThan(0);
    expect((err as Error).message).toMatch(/board error MODEL_INVALID.*: .+/);
  });

  it('keeps chunks past a gap and lists them with RANGES; the gap filled, the model commits', async () => {
    const { model } = goldenCase('micro_speech_quantized');
    const crc = (await import('node:zlib')).crc32(model) >>> 0;
    const status = async (req: ReturnType<typeof requests.loadChunk>, prefix = [req].slice(1)) =>
      decodeLoadStatus(expectReply(await s.link.request(req, { prefix }), Cmd.LOAD_CHUNK));
    const chunk = (a: number, b: number, ack: boolean | 'ranges' = false) =>
      requests.loadChunk(a, model.subarray(a, b), ack);
    await s.reset();
    expectReply(await s.link.request(requests.loadBegin(model.length, crc)), Cmd.LOAD_BEGIN);
    // 4000..6000 and 9000..10000 arrive before 0..4000 and 6000..9000 (lost on the way)
    let st = await status(chunk(5000, 6000, 'ranges'), [chunk(4000, 5000), chunk(9000, 10_000)]);
    expect(st.have).toBe(0);
    expect(st.ranges).toEqual([
      // 5000..6000 touches 4000..5000: merged
      [4000, 6000],
      [9000, 10_000],
    ]);
    // a plain ACK (old hosts) gets the plain 15-byte status
    expect((await status(chunk(0, 0, true))).ranges).toBeUndefined();
    st = await status(chunk(0, 4000, 'ranges')); // reaches the first range: absorbed
    expect(st.have).toBe(6000);
    expect(st.ranges).toEqual([[9000, 10_000]]);
    st = await status(chunk(5500, 9500, 'ranges')); // overlaps held bytes on both sides
    expect(st.have).toBe(10_000);
    expect(st.ranges).toEqual([]);
    for (let at = 10_000; at < model.length; at += 4000)
      st = await status(chunk(at, Math.min(at + 4000, model.length), 'ranges'));
    expect(st.have).toBe(model.length);
    const info = expectReply(await s.link.request(requests.loadCommit()), Cmd.LOAD_COMMIT);
    expect(info.length).toBeGreaterThan(10); // MODEL_INFO: the whole-model CRC and validation passed
  });

  it('rejects a model larger than the board buffer before sending it', async () => {
    const err = await s.load(new Uint8Array(s.info.maxModelBytes + 1)).catch((e: unknown) => e);
    expect(code(err)).toBe('TOO_LARGE');
  });

  it('reports upload state, keeps a loaded model across LOAD_BEGIN of the same bytes, forgets it on RESET', async () => {
    const c = goldenCase('hello_world_int8');
    const { model } = await s.load(c.model);
    expect(model).toMatchObject({
      ops: 3,
      inputs: [{ dtype: 9, bytes: 1 }],
      outputs: [{ dtype: 9, bytes: 1 }],
    });
    const st = decodeLoadStatus(expectReply(await s.link.request(requests.loadStatus()), Cmd.LOAD_STATUS));
    expect(st).toMatchObject({ have: c.model.length, size: c.model.length, state: 'loaded', lastError: 0 });
    expect((await s.load(c.model)).upload.resumed).toBe(true);
    await s.reset();
    const after = decodeLoadStatus(expectReply(await s.link.request(requests.loadStatus()), Cmd.LOAD_STATUS));
    expect(after.state).toBe('idle');
  });

  it('runs without streaming, then READ_TICKS, READ_OUTPUT and ARENA_STATS agree with a streamed run', async () => {
    const c = goldenCase('micro_speech_quantized');
    const r = await s.profile(c.model, c.inputs);
    await s.setInput(0, c.inputs[0]);
    await s.link.request(requests.invoke({ stream: false }));
    const ticks = await s.readTicks(r.model.ops);
    expect(ticks.every((t) => t > 0)).toBe(true);
    const out = await s.readOutput(0, r.model.outputs[0].bytes);
    expect(out).toEqual(r.ops.at(-1)!.data);
    const arena = await s.arenaStats();
    expect(arena).toMatchObject({ arenaBytes: 8 << 20, modelBytes: c.model.length, maxModelBytes: 8 << 20 });
    expect(arena.arenaUsed).toBe(r.arenaUsed);
    expect(arena.tensorBytes).toBeGreaterThan(0);
    expect(code(await s.link.request(requests.readOutput(5, 0, 10)).catch((e) => e))).toBe('BAD_ARG');
    expect(code(await s.link.request(requests.readTicks(0, 999)).catch((e) => e))).toBe('BAD_ARG');
    expect(code(await s.setInput(0, new Uint8Array(c.inputs[0].length + 1)).catch((e) => e))).toBe(
      'BAD_OFFSET',
    );
  });

  it('extended INVOKE streams only the holes asked for, re-runs on the inputs it saved, refuses stale inputs and bad hole lists', async () => {
    // rule: PROTOCOL.md §3 extended INVOKE (REUSE_INPUTS, holes) — what a noisy line's re-fetch relies on
    const c = goldenCase('micro_speech_quantized');
    const full = await s.profile(c.model, c.inputs); // a plain run: the board saved its inputs
    const sink: OpSink = new Map();
    const holes = [
      { op: 1, offset: 10, len: 100 },
      { op: 1, offset: 500, len: 7 },
      { op: 3, offset: 0, len: WHOLE_OUTPUT },
    ];
    for (let run = 0; run < 2; run++) {
      // twice: the arena overwrote the inputs in the first re-run, the saved copy did not change
      const r = await s.invokeStreaming({ firstOp: 1, lastOp: 3, piece: 50, reuseInputs: true, holes }, sink);
      expect(r.done?.status).toBe(0);
      expect([...sink.keys()].sort()).toEqual([1, 3]); // op 2 not streamed at all
      const op1 = sink.get(1)!;
      expect(op1.got).toBe(107);
      for (const [from, to] of [
        [10, 110],
        [500, 507],
      ])
        expect(op1.data.subarray(from, to)).toEqual(full.ops[1].data.subarray(from, to));
      expect(sink.get(3)!.data).toEqual(full.ops[3].data); // the whole output, clamped to its size
    }
    await s.setInput(0, c.inputs[0]); // new inputs: the saved copy is stale
    const stale = await s
      .invokeStreaming({ firstOp: 0, lastOp: 0, reuseInputs: true, holes: [] }, new Map())
      .catch((e: unknown) => e);
    expect(code(stale)).toBe('BAD_STATE');
    const unsorted = requests.invoke({
      stream: true,
      reuseInputs: false,
      holes: [
        { op: 2, offset: 0, len: 1 },
        { op: 1, offset: 0, len: 1 },
      ],
    });
    expect(code(await s.link.request(unsorted).catch((e: unknown) => e))).toBe('BAD_ARG');
    const miscounted = requests.invoke({ stream: true, holes: [{ op: 1, offset: 0, len: 1 }] });
    miscounted.body[7] = 2; // says two holes, carries one
    expect(code(await s.link.request(miscounted).catch((e: unknown) => e))).toBe('BAD_LENGTH');
  });

  it('echoes bytes and counts what it received', async () => {
    const before = await s.linkStats();
    const data = Uint8Array.from({ length: 4000 }, (_, i) => i & 0xff);
    expect(await s.echo(data)).toEqual(data);
    const after = await s.linkStats();
    expect(after.rxFrames - before.rxFrames).toBeGreaterThanOrEqual(2);
    expect(after.rxBytes - before.rxBytes).toBeGreaterThan(4000);
  });
});
