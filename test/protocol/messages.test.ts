import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BodyWriter } from '../../src-main/core/protocol/bytes.ts';
import { crc32 } from '../../src-main/core/protocol/crc32.ts';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { Cmd, requests } from '../../src-main/core/protocol/messages.ts';
import {
  decodeArenaStats,
  decodeBoardError,
  decodeHello,
  decodeInvokeDone,
  decodeLinkStats,
  decodeLoadStatus,
  decodeModelInfo,
  decodeOpOutput,
  decodeOutput,
  decodeSetInput,
  decodeTicks,
} from '../../src-main/core/protocol/replies.ts';

describe('requests', () => {
  it('lays out LOAD_CHUNK as offset, chunk CRC, flags, data', () => {
    const data = Uint8Array.of(1, 2, 3);
    const r = requests.loadChunk(0x01020304, data, true);
    expect(r.cmd).toBe(Cmd.LOAD_CHUNK);
    const v = new DataView(r.body.buffer);
    expect(v.getUint32(0, true)).toBe(0x01020304);
    expect(v.getUint32(4, true)).toBe(crc32(data));
    expect(r.body[8]).toBe(1);
    expect([...r.body.subarray(9)]).toEqual([1, 2, 3]);
  });

  it('defaults INVOKE to every op', () => {
    expect([...requests.invoke({ stream: true }).body]).toEqual([1, 0, 0, 0xff, 0xff]);
  });
});

describe('replies', () => {
  it('decodes a HELLO body', () => {
    const s = (t: string) => [t.length, ...new TextEncoder().encode(t)];
    const w = new BodyWriter()
      .u8(1)
      .u16(4128)
      .u32(25e6)
      .u32(25e6)
      .u32(65536)
      .u32(1 << 20)
      .u16(256);
    const body = w.finish(
      Uint8Array.of(
        ...s('mps2'),
        ...s('0.1.0'),
        ...s('cortex-m3'),
        ...s('SysTick'),
        2,
        0,
        3,
        0,
        0,
        0,
        4,
        0,
        0,
        0,
      ),
    );
    expect(decodeHello(body)).toEqual({
      protocol: 1,
      maxBody: 4128,
      cpuHz: 25e6,
      tickHz: 25e6,
      arenaBytes: 65536,
      maxModelBytes: 1 << 20,
      maxOps: 256,
      board: 'mps2',
      firmware: '0.1.0',
      cpu: 'cortex-m3',
      tickSource: 'SysTick',
      ops: [3, 4],
    });
  });

  it('decodes LOAD_STATUS, MODEL_INFO, OP_OUTPUT, INVOKE, TICKS and errors', () => {
    expect(decodeLoadStatus(new BodyWriter().u32(10).u32(20).u32(7).u8(1).u16(9).finish())).toEqual({
      have: 10,
      size: 20,
      crc: 7,
      state: 'receiving',
      lastError: 9,
    });
    const mi = new BodyWriter()
      .u16(3)
      .u16(9)
      .u32(1000)
      .u32(800)
      .u8(1)
      .u8(1)
      .u16(0)
      .u8(9)
      .u32(1960)
      .u16(8)
      .u8(9)
      .u32(4)
      .finish();
    expect(decodeModelInfo(mi)).toEqual({
      ops: 3,
      tensors: 9,
      arenaUsed: 1000,
      tensorBytes: 800,
      inputs: [{ tensor: 0, dtype: 9, bytes: 1960 }],
      outputs: [{ tensor: 8, dtype: 9, bytes: 4 }],
    });
    const op = decodeOpOutput(
      new BodyWriter().u16(2).u16(5).u32(99).u32(4).u32(2).finish(Uint8Array.of(7, 8)),
    );
    expect(op).toEqual({ op: 2, tensor: 5, ticks: 99, total: 4, offset: 2, data: Uint8Array.of(7, 8) });
    expect(decodeInvokeDone(new BodyWriter().u8(0).u16(3).u32(1234).finish())).toEqual({
      status: 0,
      ops: 3,
      totalTicks: 1234,
    });
    expect(decodeTicks(new BodyWriter().u16(1).u16(2).u32(5).u32(6).finish())).toEqual({
      firstOp: 1,
      ticks: [5, 6],
    });
    expect(decodeSetInput(new BodyWriter().u8(0).u32(1960).finish())).toEqual({ input: 0, end: 1960 });
    expect(decodeOutput(new BodyWriter().u8(0).u32(0).finish(Uint8Array.of(1)))).toEqual({
      output: 0,
      offset: 0,
      data: Uint8Array.of(1),
    });
    expect(decodeArenaStats(new BodyWriter().u32(1).u32(2).u32(3).u32(4).u32(5).finish()).modelBytes).toBe(4);
    expect(decodeLinkStats(new BodyWriter().u32(1).u32(2).u32(3).u32(4).u32(5).finish()).tooLarge).toBe(5);
    const msg = new TextEncoder().encode('unsupported op');
    const err = decodeBoardError(
      new BodyWriter().u16(11).u8(5).u16(3).u16(0xffff).u8(4).u8(msg.length).finish(msg),
    );
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toBe('board error MODEL_INVALID (op 3): unsupported op');
    expect(err.detail).toEqual({ cmd: 5, op: 3, tensor: -1, coreStatus: 4 });
  });

  it('rejects an OP_OUTPUT piece that claims bytes past its tensor', () => {
    expect(() =>
      decodeOpOutput(new BodyWriter().u16(0).u16(0).u32(0).u32(1).u32(0).finish(Uint8Array.of(1, 2))),
    ).toThrow(/past its size/);
  });

  it('turns any garbage body into a ProtocolError, never another exception', () => {
    const decoders = [
      decodeHello,
      decodeLoadStatus,
      decodeModelInfo,
      decodeOpOutput,
      decodeInvokeDone,
      decodeTicks,
      decodeOutput,
      decodeArenaStats,
      decodeLinkStats,
      decodeSetInput,
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (body) => {
        for (const d of decoders) {
          try {
            d(body);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
          }
        }
        expect(decodeBoardError(body)).toBeInstanceOf(ProtocolError);
      }),
      { numRuns: 500 },
    );
  });
});
