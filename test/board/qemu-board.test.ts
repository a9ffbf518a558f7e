import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QemuBoard } from '../../src-main/services/board/qemu-board.ts';
import type { BoardSession } from '../../src-main/services/board/session.ts';
import { expectMatchesGolden, goldenCase } from './golden-check.ts';

// QEMU's UART moves ~10-15 KB/s: only the small models run here (person_detect is for the virtual board).
describe('emulated Cortex-M3 (QEMU mps2-an385, -icount shift=0) over its UART pty', () => {
  let qemu: QemuBoard;
  let board: BoardSession;
  beforeAll(async () => {
    qemu = await QemuBoard.launch();
    board = await qemu.connect();
  }, 300_000);
  afterAll(async () => {
    await board?.link.close();
    await qemu?.stop();
  });

  it('describes itself in the handshake', () => {
    expect(board.info).toMatchObject({
      board: 'mps2-an385 (QEMU)',
      cpu: 'cortex-m3',
      cpuHz: 1e9, // instruction rate under -icount shift=0
      tickHz: 25e6,
      tickSource: 'SysTick',
    });
    expect(board.info.maxModelBytes).toBe(1 << 20);
  });

  it.each(['hello_world_int8', 'micro_speech_quantized', 'keyword_spotting_on_off'])(
    'profiles %s bit-exact with the goldens; ticks identical across two runs',
    async (name) => {
      const c = goldenCase(name);
      const first = await board.profile(c.model, c.inputs);
      expectMatchesGolden(first, name);
      expect(first.ops.every((o) => o.ticks > 0)).toBe(true);
      const second = await board.profile(c.model, c.inputs);
      expect(second.upload.resumed).toBe(true); // the board still holds the model: nothing re-sent
      expect(second.ops.map((o) => o.ticks)).toEqual(first.ops.map((o) => o.ticks));
    },
    180_000,
  );
});

describe('emulated Cortex-M3 ticks across QEMU launches', () => {
  it('hello_world_int8 per-op ticks are identical in two separate QEMU processes', async () => {
    const c = goldenCase('hello_world_int8');
    const runs: number[][] = [];
    for (let k = 0; k < 2; k++) {
      const q = await QemuBoard.launch();
      try {
        const b = await q.connect();
        const r = await b.profile(c.model, c.inputs);
        expectMatchesGolden(r, 'hello_world_int8');
        runs.push(r.ops.map((o) => o.ticks));
        await b.link.close();
      } finally {
        await q.stop();
      }
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[0].every((t) => t > 0)).toBe(true);
  }, 120_000);
});
