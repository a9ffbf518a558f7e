import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import type { BoardSession } from '../../src-main/services/board/session.ts';
import { expectMatchesGolden, goldenCase } from './golden-check.ts';

describe('virtual board over a pty and serialport', () => {
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

  it('answers the handshake with its description', () => {
    const h = board.info;
    expect(h.protocol).toBe(1);
    expect(h.board).toBe('QuantScope virtual board');
    expect(h.tickSource).toBe('CLOCK_MONOTONIC');
    expect(h.tickHz).toBe(1e9);
    expect(h.arenaBytes).toBe(8 << 20);
    expect(h.maxModelBytes).toBe(8 << 20);
    // CONV_2D 3, DEPTHWISE_CONV_2D 4, FULLY_CONNECTED 9, SOFTMAX 25, RESHAPE 22
    expect(h.ops).toEqual(expect.arrayContaining([3, 4, 9, 22, 25]));
  });

  it.each(['hello_world_int8', 'micro_speech_quantized', 'keyword_spotting_on_off', 'person_detect'])(
    'profiles %s: every op output equals the TFLite Micro golden, ticks present',
    async (name) => {
      const c = goldenCase(name);
      const progress: number[] = [];
      const r = await board.profile(c.model, c.inputs, { onProgress: (p) => progress.push(p.sent) });
      expectMatchesGolden(r, name);
      expect(progress.at(-1)).toBe(c.model.length);
      expect(r.tickHz).toBe(1e9);
      expect(r.ops.every((o) => o.ticks > 0)).toBe(true);
      expect(r.arenaUsed).toBeGreaterThan(0);
      expect(r.refetchedOps).toEqual([]);
    },
    120_000,
  );
});

describe('virtual board over stdio pipes (no pty, e.g. Windows)', () => {
  it('profiles micro_speech_quantized bit-exact', async () => {
    const vb = await VirtualBoard.start({ transport: 'stdio' });
    try {
      const board = await vb.connect();
      const c = goldenCase('micro_speech_quantized');
      expectMatchesGolden(await board.profile(c.model, c.inputs), 'micro_speech_quantized');
      await board.link.close();
    } finally {
      await vb.stop();
    }
  }, 60_000);
});
