/**
 * HELLO's op groups (firmware/PROTOCOL.md §3): after the op codes a board states its build's dtype
 * families and one registry mask per op; boards from before op groups end after the op codes.
 */
import { describe, expect, it } from 'vitest';
import { BodyWriter } from '../../src-main/core/protocol/bytes.ts';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { decodeHello } from '../../src-main/core/protocol/replies.ts';

function hello(tail: number[]): Uint8Array {
  const s = (t: string) => [t.length, ...new TextEncoder().encode(t)];
  const head = new BodyWriter()
    .u8(1)
    .u16(4128)
    .u32(25e6)
    .u32(25e6)
    .u32(65536)
    .u32(1 << 20)
    .u16(256);
  // two op codes: CONV_2D (3), RESHAPE (22)
  return head.finish(
    Uint8Array.of(...s('b'), ...s('0.1.0'), ...s('m3'), ...s('t'), 2, 0, 3, 0, 0, 0, 22, 0, 0, 0, ...tail),
  );
}

describe('HELLO op groups', () => {
  it('reads the build families and a mask per op', () => {
    // rule: families byte, then one dtype mask per op code, in the op codes' order
    const h = decodeHello(hello([0x03, 0x43, 0x07]));
    expect(h.ops).toEqual([3, 22]);
    expect(h.families).toBe(0x03);
    expect(h.opDtypes).toEqual([0x43, 0x07]);
  });

  it('accepts a board from before op groups (nothing after the op codes)', () => {
    // rule: the extension is optional: an older board's HELLO decodes with no families
    const h = decodeHello(hello([]));
    expect(h.families).toBeUndefined();
    expect(h.opDtypes).toBeUndefined();
  });

  it('refuses op groups shorter than the op count', () => {
    // rule: a truncated op-group tail is a BAD_REPLY, not a silent misreading
    expect(() => decodeHello(hello([0x03, 0x43]))).toThrow(ProtocolError);
    expect(() => decodeHello(hello([0x03]))).toThrow(/op groups for 2 ops/);
  });

  it('reads the features byte after the op groups and ignores later bytes', () => {
    // rule (PROTOCOL.md §3): features:u8 follows the op groups (bit 0: stream frames, §8); boards
    // before it end after the op groups; bytes after it are for later hosts
    expect(decodeHello(hello([0x03, 0x43, 0x07])).features).toBeUndefined();
    const h = decodeHello(hello([0x03, 0x43, 0x07, 0x01, 0xee]));
    expect(h.features).toBe(0x01);
    expect(h.opDtypes).toEqual([0x43, 0x07]);
  });
});
