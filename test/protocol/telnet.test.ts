/**
 * Telnet framing and RFC 2217 COM-PORT encoding (src-main/core/protocol/telnet.ts) and remote board
 * URLs (remote-url.ts). Byte values are RFC 854 (IAC 255, SB 250, SE 240, WILL 251, DO 253) and
 * RFC 2217 (option 44, SET-BAUDRATE 1 ... PURGE-DATA 12, server answers + 100).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRemoteBoardUrl, remoteLabel } from '../../src-main/core/protocol/remote-url.ts';
import {
  ComPortCmd,
  comPortCommand,
  escapeIac,
  MAX_SUB_PAYLOAD,
  parseComPortReply,
  subnegotiation,
  TelnetDecoder,
  type TelnetEvent,
} from '../../src-main/core/protocol/telnet.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (s: string) => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));

/** Decodes `wire` cut into the given chunk sizes. */
function decodeIn(wire: Uint8Array, cuts: number[]): { data: Uint8Array; events: TelnetEvent[] } {
  const d = new TelnetDecoder();
  const data: number[] = [];
  const events: TelnetEvent[] = [];
  let at = 0;
  for (const n of [...cuts, wire.length]) {
    const r = d.push(wire.subarray(at, Math.min(wire.length, at + n)));
    data.push(...r.data);
    events.push(...r.events);
    at = Math.min(wire.length, at + n);
    if (at >= wire.length) break;
  }
  return { data: Uint8Array.from(data), events };
}

describe('telnet framing', () => {
  // Rule: data byte 0xFF is sent as 0xFF 0xFF (RFC 854 IAC escaping); other bytes pass unchanged.
  it('doubles 0xFF in data and leaves everything else alone', () => {
    expect(hex(escapeIac(bytes('00 ff 01 ff ff fe')))).toBe('00ffff01fffffffffe');
    const plain = bytes('00 01 fe');
    expect(escapeIac(plain)).toBe(plain); // no copy when there is nothing to escape
  });

  // Rule: what we escape decodes back to the same data, whatever way TCP cuts the stream.
  it('escape then decode is the identity for any data and any chunking', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 200 }),
        (raw, cuts) => {
          const r = decodeIn(escapeIac(raw), cuts);
          expect(hex(r.data)).toBe(hex(raw));
          expect(r.events).toEqual([]);
        },
      ),
    );
  });

  // Rule: negotiations and subnegotiations are taken out of the data stream, even when split
  // between TCP segments at every possible byte; IAC IAC inside SB is one 0xFF of the payload.
  it('separates negotiation and subnegotiation from data at every split point', () => {
    // "A", IAC WILL SGA, "B", IAC SB 44 101 00 01 c2 ff(escaped) IAC SE, "C", IAC NOP(241)
    const wire = bytes('41 fffb03 42 fffa2c 65 0001c2 ffff fff0 43 fff1');
    for (let cut = 1; cut < wire.length; cut++) {
      const r = decodeIn(wire, [cut]);
      expect(Buffer.from(r.data).toString('latin1')).toBe('ABC');
      expect(r.events).toEqual([
        { kind: 'negotiate', verb: 251, option: 3 },
        { kind: 'sub', option: 44, payload: bytes('65 00 01 c2 ff') },
        { kind: 'command', code: 241 },
      ]);
    }
  });

  // Rule: the peer is untrusted: an endless subnegotiation is truncated, never grows without bound.
  it('truncates an over-long subnegotiation', () => {
    const wire = new Uint8Array(3 + 10_000 + 2).fill(0x41);
    wire.set([0xff, 0xfa, 44]);
    wire.set([0xff, 0xf0], wire.length - 2);
    const r = decodeIn(wire, []);
    expect(r.events).toHaveLength(1);
    expect((r.events[0] as { payload: Uint8Array }).payload.length).toBe(MAX_SUB_PAYLOAD);
  });
});

describe('RFC 2217 COM-PORT commands', () => {
  // Rule: SET-BAUDRATE carries the rate as 4 bytes, network order; other commands one byte.
  it('encodes SET-BAUDRATE 115200 and SET-PARITY even', () => {
    expect(hex(comPortCommand(ComPortCmd.SET_BAUDRATE, 115200))).toBe('fffa2c010001c200fff0');
    expect(hex(comPortCommand(ComPortCmd.SET_PARITY, 3))).toBe('fffa2c0303fff0');
  });

  // Rule: a 0xFF inside a subnegotiation value is doubled too (baud 255, 65535).
  it('escapes 0xFF inside subnegotiation values', () => {
    expect(hex(comPortCommand(ComPortCmd.SET_BAUDRATE, 255))).toBe('fffa2c01000000ffff' + 'fff0');
    expect(hex(subnegotiation(44, [1, 0, 0, 0xff, 0xff]))).toBe('fffa2c01' + '0000' + 'ffffffff' + 'fff0');
  });

  // Rule: the server's answer is the command + 100 with the value it applied.
  it('parses server answers', () => {
    expect(parseComPortReply(bytes('65 0000e100'))).toEqual({ cmd: 1, value: 57600 });
    expect(parseComPortReply(bytes('67 03'))).toEqual({ cmd: 3, value: 3 });
    expect(parseComPortReply(bytes('01 03'))).toBeNull(); // a client command, not an answer
    expect(parseComPortReply(bytes('65 00e1'))).toBeNull(); // short baud
  });
});

describe('remote board URLs', () => {
  // Rule: pyserial's rfc2217:// and socket:// forms, host and port required, one normal form.
  it('parses host, port and options into one normal form', () => {
    const r = parseRemoteBoardUrl('RFC2217://LabPi.local:2217/?Parity=EVEN&baud=9600');
    expect(r).toMatchObject({ scheme: 'rfc2217', host: 'labpi.local', port: 2217 });
    expect(r.options).toEqual({ parity: 'even', baudRate: 9600 });
    expect(r.url).toBe('rfc2217://labpi.local:2217?baud=9600&parity=even');
    expect(remoteLabel(r)).toBe('labpi.local:2217');
    const v6 = parseRemoteBoardUrl('socket://[::1]:4000');
    expect(v6.url).toBe('socket://[::1]:4000');
    expect(remoteLabel(v6)).toBe('[::1]:4000');
  });

  // Rule: a bad URL is refused with a message naming the problem.
  it.each([
    ['rfc2217://lab', 'no port (expected rfc2217://lab:PORT)'],
    ['rfc2217://lab:70000', 'port 70000 is out of range'],
    ['socket://lab:4000?baud=9600', 'socket:// is a raw TCP port'],
    ['rfc2217://lab:2217/dev/ttyUSB0', 'has no path'],
    ['rfc2217://lab:2217?parity=maybe', 'parity=maybe is not one of none, odd, even, mark, space'],
    ['rfc2217://lab:2217?databits=9', 'databits=9 is not 5, 6, 7 or 8'],
    ['rfc2217://lab:2217?speed=1', "unknown option 'speed'"],
    ['rfc2217://bad_host:2217', "'bad_host' is not a host name or address"],
    ['rfc2217://me:pw@lab:2217', 'user names and passwords are not supported'],
  ])('refuses %s: %s', (url, message) => {
    expect(() => parseRemoteBoardUrl(url)).toThrow(message);
  });
});
