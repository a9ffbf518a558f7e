/** Op outputs put together from streamed pieces, and the holes an extended INVOKE asks for again. */
import { describe, expect, it } from 'vitest';
import { requests } from '../../src-main/core/protocol/messages.ts';
import {
  addPiece,
  missingBytes,
  missingHoles,
  WHOLE_OUTPUT,
  type OpSink,
} from '../../src-main/core/protocol/op-assembly.ts';

const piece = (op: number, total: number, offset: number, len: number) => ({
  op,
  tensor: 10 + op,
  ticks: 100 + op,
  total,
  offset,
  data: Uint8Array.from({ length: len }, (_, i) => (offset + i) & 0xff),
});

describe('op output assembly', () => {
  it('lists the bytes still missing per op, an op never seen as its whole output, sorted', () => {
    // rule: holes are sorted by op then offset; an op with no intact piece is asked for whole
    const sink: OpSink = new Map();
    addPiece(sink, piece(0, 1000, 0, 100));
    addPiece(sink, piece(0, 1000, 300, 200));
    addPiece(sink, piece(2, 50, 0, 50));
    expect(missingHoles(sink, 4, 100, 0)).toEqual([
      { op: 0, offset: 100, len: 200 },
      { op: 0, offset: 500, len: 500 },
      { op: 1, offset: 0, len: WHOLE_OUTPUT },
      { op: 3, offset: 0, len: WHOLE_OUTPUT },
    ]);
    expect(missingBytes(sink, 3, 7)).toBe(700 + 7);
  });

  it('merges holes across small received gaps, and widens the merge until the list fits', () => {
    // rule: at most maxHoles holes per request; received bytes between merged holes come again
    const sink: OpSink = new Map();
    for (let at = 0; at < 4000; at += 200) addPiece(sink, piece(0, 4000, at, 100)); // 100 of every 200
    expect(missingHoles(sink, 1, 100, 32)).toHaveLength(20);
    expect(missingHoles(sink, 1, 100, 100)).toEqual([{ op: 0, offset: 100, len: 3900 }]);
    const five = missingHoles(sink, 1, 5, 32);
    expect(five.length).toBeLessThanOrEqual(5);
    // every missing byte is still covered
    for (let k = 0; k < 4000; k++)
      if (!sink.get(0)!.have[k]) expect(five.some((h) => h.offset <= k && k < h.offset + h.len)).toBe(true);
  });

  it('fills bytes from overlapping pieces of several runs once, and keeps the first run ticks', () => {
    // rule: pieces merge byte by byte (outputs are deterministic); `got` counts each byte once
    const sink: OpSink = new Map();
    addPiece(sink, piece(1, 300, 0, 200));
    addPiece(sink, { ...piece(1, 300, 100, 200), ticks: 999 });
    const a = sink.get(1)!;
    expect(a.got).toBe(300);
    expect(a.ticks).toBe(101);
    expect([...a.data]).toEqual(Array.from({ length: 300 }, (_, i) => i & 0xff));
    expect(missingHoles(sink, 2, 10)).toEqual([{ op: 0, offset: 0, len: WHOLE_OUTPUT }]);
  });

  it('encodes the extended INVOKE: flags, range, piece, hole count, holes', () => {
    // rule: PROTOCOL.md §3 extended INVOKE layout (9 bytes + 10 per hole, little-endian)
    const body = requests.invoke({
      stream: true,
      firstOp: 2,
      lastOp: 3,
      piece: 64,
      reuseInputs: true,
      holes: [{ op: 3, offset: 0x01020304, len: WHOLE_OUTPUT }],
    }).body;
    expect([...body]).toEqual([3, 2, 0, 3, 0, 64, 0, 1, 0, 3, 0, 4, 3, 2, 1, 0xff, 0xff, 0xff, 0xff]);
    // the plain forms stay as they were (older boards take them)
    expect(requests.invoke({ stream: true, piece: 64 }).body).toHaveLength(7);
  });
});
