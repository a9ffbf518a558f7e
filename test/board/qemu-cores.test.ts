/**
 * The emulated Cortex-M4, M7, M33 and M55 boards and the NUCLEO-F446RE port on netduinoplus2, each
 * its own firmware image under QEMU (-icount shift=0) behind the same protocol as a real board:
 * one small fixture model per core, profiled over the UART pty and bit-exact with its golden. The
 * Cortex-M3 has its own file (qemu-board.test.ts); every model on every core, person_detect
 * included, is the in-image benchmark's job (test/bench/firmware-cores.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { emulatedBoard } from '../../src-main/services/board/emulated-boards.ts';
import { QemuBoard } from '../../src-main/services/board/qemu-board.ts';
import { expectMatchesGolden, goldenCase } from './golden-check.ts';

interface CoreCase {
  id: string;
  /** what the handshake must say */
  board: string;
  cpu: string;
  tickHz: number;
  maxModelBytes: number;
  /** a small fixture model for this core (QEMU's UART moves ~10-15 KB/s) */
  model: string;
  /** ticks per op may move by this fraction between runs (0: identical) */
  tickSlack?: number;
}

const CORES: CoreCase[] = [
  {
    id: 'qemu-m4',
    board: 'mps2-an386 (QEMU)',
    cpu: 'cortex-m4',
    tickHz: 25e6,
    maxModelBytes: 1 << 20,
    model: 'keyword_spotting_on_off',
  },
  {
    id: 'qemu-m7',
    board: 'mps2-an500 (QEMU)',
    cpu: 'cortex-m7',
    tickHz: 25e6,
    maxModelBytes: 1 << 20,
    model: 'micro_speech_quantized',
  },
  {
    id: 'qemu-m33',
    board: 'mps2-an505 (QEMU)',
    cpu: 'cortex-m33',
    tickHz: 20e6,
    maxModelBytes: 1 << 20,
    model: 'keyword_spotting_on_off',
  },
  {
    id: 'qemu-m55',
    board: 'mps3-an547 (QEMU)',
    cpu: 'cortex-m55',
    tickHz: 32e6,
    maxModelBytes: 1 << 20,
    model: 'micro_speech_quantized',
  },
  {
    id: 'qemu-nucleo',
    board: 'NUCLEO-F446RE port on netduinoplus2 (QEMU)',
    cpu: 'cortex-m4',
    tickHz: 168e6,
    maxModelBytes: 61440, // the NUCLEO build's own limits (its 128 KiB of SRAM)
    model: 'keyword_spotting_on_off',
    // its link is interrupt driven (a real USART overruns if polled between long ops), and QEMU
    // delivers pty bytes at host-timed moments: now and then a receive interrupt lands inside an op
    // (4 of 76,375 ticks seen), which the polled MPS2 ports never see
    tickSlack: 0.001,
  },
];

describe('emulated Cortex-M cores over their UART pty', () => {
  // rule: each available emulated core profiles at least one fixture model bit-exact with its golden,
  // through its own port (machine memory map, UART, SysTick clock) and the normal protocol path
  it.each(CORES)(
    '$id ($cpu): handshake names the core; $model bit-exact with the golden; ticks repeat',
    async (c) => {
      const q = await QemuBoard.launch({ board: emulatedBoard(c.id)! });
      try {
        const s = await q.connect();
        expect(s.info).toMatchObject({
          board: c.board,
          cpu: c.cpu,
          cpuHz: 1e9, // the instruction rate under -icount shift=0: ticks convert to instructions
          tickHz: c.tickHz,
          tickSource: 'SysTick',
          maxModelBytes: c.maxModelBytes,
        });
        const g = goldenCase(c.model);
        const first = await s.profile(g.model, g.inputs);
        expectMatchesGolden(first, c.model);
        expect(first.ops.every((o) => o.ticks > 0)).toBe(true);
        const second = await s.profile(g.model, g.inputs);
        const slack = c.tickSlack ?? 0;
        second.ops.forEach((o, i) =>
          expect(Math.abs(o.ticks - first.ops[i].ticks), `op ${i}`).toBeLessThanOrEqual(
            Math.floor(first.ops[i].ticks * slack),
          ),
        );
        await s.link.close();
      } finally {
        await q.stop();
      }
    },
    240_000,
  );

  // rule: a model larger than the NUCLEO build's buffer is refused by the board with its limit,
  // not uploaded into memory it does not have
  it('the NUCLEO port refuses person_detect (300 KB) with its 60 KiB model limit', async () => {
    const q = await QemuBoard.launch({ board: emulatedBoard('qemu-nucleo')! });
    try {
      const s = await q.connect();
      const g = goldenCase('person_detect');
      await expect(s.profile(g.model, g.inputs)).rejects.toThrow(/61440|60 KiB|too large/i);
      await s.link.close();
    } finally {
      await q.stop();
    }
  }, 120_000);
});
