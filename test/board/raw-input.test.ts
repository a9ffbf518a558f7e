/**
 * SET_INPUT_RAW: the board normalizes raw uint16/uint8 samples with the model's own parameters and
 * its input tensor is byte-identical to the host's (src-main/core/normalize/), on the virtual board
 * and on the emulated Cortex-M3 (soft-float newlib: a different FPU path, same bits).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QemuBoard } from '../../src-main/services/board/qemu-board.ts';
import type { BoardSession } from '../../src-main/services/board/session.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { readFixture } from '../helpers/fixtures.ts';
import {
  elements,
  expectBoardInput,
  hostInputTensor,
  hostQuantizedRps,
  rawInput,
  rescaleModel,
  rpsModel,
  type RawModel,
} from './raw-input-check.ts';

const KINDS = ['random', 'constant', 'extreme', 'max'];

describe('raw input on the virtual board', () => {
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

  it('profile(): rps normalized on the board = host (float32 input, then the QUANTIZE op int8)', async () => {
    const m = rpsModel();
    const raw = rawInput(m.model, 'uint16', 'random', 3);
    const r = await board.profile(m.bytes, [raw]);
    expect(Buffer.from(r.inputTensors[0]!).equals(Buffer.from(hostInputTensor(m.model, raw)))).toBe(true);
    expect(r.ops[0].index).toBe(0);
    expect(Buffer.from(r.ops[0].data).equals(Buffer.from(hostQuantizedRps(m.model, raw)))).toBe(true);
  }, 120_000);

  it.each([
    ['rps', rpsModel],
    ['rescale', rescaleModel],
  ] as [string, () => RawModel][])(
    '%s: uint16 and uint8 samples (random, constant, extreme, max) identical to the host',
    async (_n, make) => {
      const m = make();
      await board.load(m.bytes);
      let seed = 11;
      for (const dtype of ['uint16', 'uint8'] as const)
        for (const kind of KINDS) await expectBoardInput(board, m, rawInput(m.model, dtype, kind, seed++));
      // int16, int8 and float32 raw samples follow the same path
      for (const dtype of ['int16', 'int8', 'float32'] as const)
        await expectBoardInput(board, m, rawInput(m.model, dtype, 'random', seed++));
    },
    120_000,
  );

  it('rejects raw input for a model without parameters, NaN samples, wrong counts and dtypes', async () => {
    await board.load(readFixture('models', 'hello_world_int8.tflite'));
    const one = { dtype: 'uint8' as const, data: new Uint8Array([7]) };
    await expect(board.setRawInput(0, one)).rejects.toMatchObject({ code: 'NO_PARAMS' });
    const m = rpsModel();
    await board.load(m.bytes);
    const nan = new Float32Array(elements(m.model)).fill(1);
    nan[100] = NaN;
    await expect(
      board.setRawInput(0, { dtype: 'float32', data: new Uint8Array(nan.buffer) }),
    ).rejects.toMatchObject({
      code: 'NORMALIZE_FAILED',
      message: expect.stringMatching(/NaN/),
    });
    await expect(board.setRawInput(0, { dtype: 'uint8', data: new Uint8Array(10) })).rejects.toMatchObject({
      code: 'BAD_ARG',
    });
    // the board still works afterwards
    await expectBoardInput(board, m, rawInput(m.model, 'uint8', 'random', 5));
  }, 60_000);
});

// QEMU's UART moves ~10 KB/s: a few cases per model (each ~15-45 KB over the link).
describe('raw input on the emulated Cortex-M3 (QEMU mps2-an385)', () => {
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

  it('rescale model (int8 input): uint16 extreme and uint8 random/constant identical to the host', async () => {
    const m = rescaleModel();
    await board.load(m.bytes);
    await expectBoardInput(board, m, rawInput(m.model, 'uint16', 'extreme', 21));
    await expectBoardInput(board, m, rawInput(m.model, 'uint8', 'random', 22));
    await expectBoardInput(board, m, rawInput(m.model, 'uint8', 'constant', 23));
  }, 240_000);

  it('rps (mean/std, float32 input): uint16 random and uint8 constant identical; QUANTIZE output too', async () => {
    const m = rpsModel();
    await board.load(m.bytes);
    const raw = rawInput(m.model, 'uint16', 'random', 31);
    await expectBoardInput(board, m, raw);
    await expectBoardInput(board, m, rawInput(m.model, 'uint8', 'constant', 32));
    await board.setRawInput(0, raw);
    const sink = new Map();
    await board.invokeStreaming({ firstOp: 0, lastOp: 0 }, sink, { timeoutMs: 120_000 });
    expect(Buffer.from(sink.get(0).data).equals(Buffer.from(hostQuantizedRps(m.model, raw)))).toBe(true);
  }, 300_000);
});
