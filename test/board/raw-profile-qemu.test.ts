/**
 * One raw-input profile on the emulated Cortex-M3 (QEMU mps2-an385): rock_paper_scissors with a
 * constant uint8 frame (std 0), normalized by the host and by the board's C code. One case only:
 * the UART moves ~10 KB/s and this profile moves ~200 KB (about 12 s).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileAndCompare } from '../../src-main/services/board/profile-compare.ts';
import { QemuBoard } from '../../src-main/services/board/qemu-board.ts';
import type { BoardSession } from '../../src-main/services/board/session.ts';
import { hostInputTensor, rpsModel } from './raw-input-check.ts';
import { constantFrame, npy } from './raw-profile-samples.ts';

describe('raw-input profile on QEMU', () => {
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

  it('rps, constant uint8 frame: the input row and all 12 ops match', async () => {
    const m = rpsModel();
    const frame = constantFrame(255);
    const r = await profileAndCompare(board, {
      modelName: 'rock_paper_scissors.tflite',
      modelBytes: m.bytes,
      input: { raw: [{ name: 'white.npy', bytes: npy('|u1', [84, 84], frame) }] },
    });
    expect(r.compare.board.cpu).toBe('cortex-m3');
    expect(r.compare.layers[0]).toMatchObject({ index: -1, op: 'INPUT', status: 'match' });
    expect(r.compare.layers).toHaveLength(13);
    expect(r.compare.allMatch).toBe(true);
    const want = hostInputTensor(m.model, { dtype: 'uint8', data: frame });
    expect(Buffer.from(r.deviceInputs[0]).equals(Buffer.from(want))).toBe(true);
  }, 240_000);
});
