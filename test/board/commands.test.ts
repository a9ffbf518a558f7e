/** Each protocol command against the virtual board, including its error replies. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { Cmd, requests } from '../../src-main/core/protocol/messages.ts';
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

  it('echoes bytes and counts what it received', async () => {
    const before = await s.linkStats();
    const data = Uint8Array.from({ length: 4000 }, (_, i) => i & 0xff);
    expect(await s.echo(data)).toEqual(data);
    const after = await s.linkStats();
    expect(after.rxFrames - before.rxFrames).toBeGreaterThanOrEqual(2);
    expect(after.rxBytes - before.rxBytes).toBeGreaterThan(4000);
  });
});
