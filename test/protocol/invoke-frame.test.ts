/**
 * INVOKE's stream frame (firmware/PROTOCOL.md §8): the extended form with FRAME (0x10) ends with
 * frame:u32 after the holes; RESET_STATE (0x20) rides with it. Byte layouts written out here.
 */
import { describe, expect, it } from 'vitest';
import { Cmd, requests } from '../../src-main/core/protocol/messages.ts';

describe('INVOKE with a stream frame', () => {
  it('a frame forces the extended form and ends the body with frame:u32 (little-endian)', () => {
    // rule: flags STREAM|FRAME|RESET_STATE, first/last op, piece 0, no holes, then the frame
    const r = requests.invoke({ stream: true, frame: { frame: 0x01020304, resetState: true } });
    expect(r.cmd).toBe(Cmd.INVOKE);
    expect([...r.body]).toEqual([0x31, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 4, 3, 2, 1]);
  });

  it('holes come before the frame; no RESET_STATE bit without resetState', () => {
    // rule: length 13 + 10·n: the board reads the frame after the n holes
    const r = requests.invoke({
      stream: true,
      firstOp: 2,
      lastOp: 3,
      piece: 64,
      reuseInputs: true,
      holes: [{ op: 2, offset: 5, len: 7 }],
      frame: { frame: 0xfffffffe, resetState: false },
    });
    expect(r.body.length).toBe(13 + 10);
    expect(r.body[0]).toBe(0x01 | 0x02 | 0x10);
    expect([...r.body.subarray(9, 19)]).toEqual([2, 0, 5, 0, 0, 0, 7, 0, 0, 0]);
    expect([...r.body.subarray(19)]).toEqual([0xfe, 0xff, 0xff, 0xff]);
  });

  it('without a frame the forms are unchanged (older boards keep working)', () => {
    // rule: one-frame runs on boards without the feature send the 5-byte plain INVOKE as before
    expect(requests.invoke({ stream: true }).body.length).toBe(5);
    expect(requests.invoke({ stream: true, holes: [] }).body.length).toBe(9);
  });
});
