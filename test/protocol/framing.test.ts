import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cobsDecode, cobsEncode, cobsMaxEncoded } from '../../src-main/core/protocol/cobs.ts';
import { crc32 } from '../../src-main/core/protocol/crc32.ts';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { decodeFrame, encodeFrame, FrameReader, MAX_BODY } from '../../src-main/core/protocol/frame.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));

describe('COBS', () => {
  // The published examples (Cheshire & Baker; Wikipedia's table), as in firmware/proto/tests.
  const vectors: [string, string][] = [
    ['', '01'],
    ['00', '01 01'],
    ['00 00', '01 01 01'],
    ['11 22 00 33', '03 11 22 02 33'],
    ['11 22 33 44', '05 11 22 33 44'],
    ['11 00 00 00', '02 11 01 01 01'],
  ];
  it.each(vectors)('encodes %s as %s and back', (raw, enc) => {
    expect(Buffer.from(cobsEncode(hex(raw))).toString('hex')).toBe(Buffer.from(hex(enc)).toString('hex'));
    expect(Buffer.from(cobsDecode(hex(enc))).toString('hex')).toBe(Buffer.from(hex(raw)).toString('hex'));
  });

  it.each([253, 254, 255, 508, 509, 4136])('round-trips %i non-zero bytes across block edges', (n) => {
    const raw = Uint8Array.from({ length: n }, (_, i) => (i % 255) + 1);
    const enc = cobsEncode(raw);
    expect(enc.length).toBeLessThanOrEqual(cobsMaxEncoded(n));
    expect(enc.includes(0)).toBe(false);
    expect(cobsDecode(enc)).toEqual(raw);
  });

  it('encode then decode is the identity and never emits 0x00', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (raw) => {
        const enc = cobsEncode(raw);
        expect(enc.includes(0)).toBe(false);
        expect(cobsDecode(enc)).toEqual(raw);
      }),
    );
  });

  it('rejects blocks running past the end with a typed error', () => {
    expect(() => cobsDecode(hex('05 11 22'))).toThrow(ProtocolError);
    expect(() => cobsDecode(hex('03 11 00'))).toThrow(/zero byte/);
  });
});

describe('CRC-32', () => {
  it('gives the standard check value and continues incrementally', () => {
    const data = new TextEncoder().encode('123456789');
    expect(crc32(data)).toBe(0xcbf43926);
    expect(crc32(data.subarray(4), crc32(data.subarray(0, 4)))).toBe(0xcbf43926);
  });
});

describe('frames', () => {
  it('round-trips type, seq and body of every size up to the maximum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.uint8Array({ maxLength: MAX_BODY }),
        (type, seq, body) => {
          const wire = encodeFrame(type, seq, body);
          expect(wire[wire.length - 1]).toBe(0);
          const f = decodeFrame(wire.subarray(0, wire.length - 1));
          expect(f).toEqual({ type, seq, body });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses to build a frame over the maximum body', () => {
    expect(() => encodeFrame(1, 1, new Uint8Array(MAX_BODY + 1))).toThrow(/exceeds/);
  });

  it('reassembles frames from arbitrary splits of the stream', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 600 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 300 })),
        (bodies, cuts) => {
          const stream = Buffer.concat(bodies.map((b, i) => encodeFrame(0x81, i, b)));
          const reader = new FrameReader();
          const got: Uint8Array[] = [];
          let pos = 0;
          let k = 0;
          while (pos < stream.length) {
            const n = cuts.length ? cuts[k++ % cuts.length] : stream.length;
            for (const ev of reader.push(stream.subarray(pos, pos + n))) {
              if (ev.kind === 'frame') got.push(ev.body);
            }
            pos += n;
          }
          expect(got).toEqual(bodies);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never throws on garbage, reports bad frames as typed events, and resynchronises', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6000 }), fc.uint8Array({ maxLength: 100 }), (garbage, body) => {
        const reader = new FrameReader();
        const events = reader.push(garbage);
        for (const ev of events) {
          if (ev.kind === 'bad')
            expect(['BAD_FRAME', 'BAD_CRC', 'BAD_VERSION', 'TOO_LARGE']).toContain(ev.code);
        }
        // a delimiter ends whatever garbage was pending; the next good frame comes through intact
        const after = reader.push(Uint8Array.of(0, ...encodeFrame(0x85, 7, body)));
        const frames = after.filter((e) => e.kind === 'frame');
        expect(frames.at(-1)).toEqual({ kind: 'frame', type: 0x85, seq: 7, body });
      }),
      { numRuns: 300 },
    );
  });

  it('catches every single-bit corruption of a frame', () => {
    const wire = encodeFrame(
      0x83,
      0x1234,
      Uint8Array.from({ length: 300 }, (_, i) => i * 13),
    );
    for (let bit = 0; bit < (wire.length - 1) * 8; bit++) {
      const bad = wire.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      const events = new FrameReader().push(bad);
      expect(events.some((e) => e.kind === 'frame')).toBe(false);
    }
  });

  it('reports an oversize frame once and keeps going', () => {
    const reader = new FrameReader();
    const ev = reader.push(Uint8Array.of(...new Uint8Array(9000).fill(0x55), 0, ...encodeFrame(1, 2)));
    expect(ev.map((e) => (e.kind === 'bad' ? e.code : 'frame'))).toEqual(['TOO_LARGE', 'frame']);
  });
});
