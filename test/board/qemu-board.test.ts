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
    expect(board.info).toMatchObject({ board: 'mps2-an385 (QEMU)', cpu: 'cortex-m3', cpuHz: 25e6, tickHz: 25e6, tickSource: 'SysTick' });
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
