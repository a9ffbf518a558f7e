/**
 * Protocol v1 frames: COBS( ver type seq:u16 body crc32 ) 0x00 (firmware/PROTOCOL.md §1).
 * Mirrors firmware/proto/qs_frame.c. Everything handed to FrameReader is untrusted.
 */
import { cobsDecode, cobsEncodeParts, cobsMaxEncoded } from './cobs.ts';
import { crc32 } from './crc32.ts';
import { ProtocolError, type ProtocolErrorCode } from './errors.ts';

export const PROTOCOL_VERSION = 1;
export const MAX_BODY = 4128;
export const FRAME_OVERHEAD = 8; // ver, type, seq:u16, crc:u32
export const MAX_RAW = MAX_BODY + FRAME_OVERHEAD;
export const MAX_ENCODED = cobsMaxEncoded(MAX_RAW);
export const SEQ_UNKNOWN = 0xffff;

export interface Frame {
  type: number;
  seq: number;
  body: Uint8Array;
}

/** A frame the reader had to reject; the stream itself stays usable. */
export interface BadFrame {
  code: ProtocolErrorCode;
  reason: string;
}

export type FrameEvent = ({ kind: 'frame' } & Frame) | ({ kind: 'bad' } & BadFrame);

/** Encodes one frame including the trailing 0x00. */
export function encodeFrame(type: number, seq: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (body.length > MAX_BODY)
    throw new ProtocolError('TOO_LARGE', `frame body ${body.length} B exceeds ${MAX_BODY} B`);
  if (!Number.isInteger(type) || type < 0 || type > 0xff)
    throw new RangeError(`frame type ${type} is not a byte`);
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff)
    throw new RangeError(`frame seq ${seq} is not a u16`);
  const header = Uint8Array.of(PROTOCOL_VERSION, type, seq & 0xff, seq >>> 8);
  const crc = crc32(body, crc32(header));
  const tail = Uint8Array.of(crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24);
  return cobsEncodeParts([header, body, tail], true);
}

/** Checks one encoded frame (without its delimiter). Throws ProtocolError on any defect. */
export function decodeFrame(encoded: Uint8Array): Frame {
  if (encoded.length > MAX_ENCODED)
    throw new ProtocolError('TOO_LARGE', `frame of ${encoded.length} B exceeds ${MAX_ENCODED} B`);
  const raw = cobsDecode(encoded);
  if (raw.length < FRAME_OVERHEAD)
    throw new ProtocolError('BAD_FRAME', `frame of ${raw.length} B is shorter than ${FRAME_OVERHEAD} B`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const covered = raw.length - 4;
  if (crc32(raw.subarray(0, covered)) !== view.getUint32(covered, true))
    throw new ProtocolError('BAD_CRC', 'frame CRC mismatch');
  if (raw[0] !== PROTOCOL_VERSION)
    throw new ProtocolError('BAD_VERSION', `protocol version ${raw[0]} (expected ${PROTOCOL_VERSION})`);
  return { type: raw[1], seq: view.getUint16(2, true), body: raw.slice(4, covered) };
}

/** Incremental receiver: feed arbitrary pieces of the byte stream, get whole frames out. */
export class FrameReader {
  private buf = new Uint8Array(MAX_ENCODED);
  private len = 0;
  private overflow = false;

  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 0) continue;
      this.append(chunk.subarray(start, i));
      start = i + 1;
      events.push(...this.finish());
    }
    this.append(chunk.subarray(start));
    return events;
  }

  /** Drops a half-received frame (after a reconnect, for example). */
  reset(): void {
    this.len = 0;
    this.overflow = false;
  }

  private append(bytes: Uint8Array): void {
    if (this.overflow || bytes.length === 0) return;
    if (this.len + bytes.length > this.buf.length) {
      this.overflow = true;
      return;
    }
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  private finish(): FrameEvent[] {
    const { len, overflow } = this;
    this.reset();
    if (overflow)
      return [{ kind: 'bad', code: 'TOO_LARGE', reason: 'frame longer than the protocol maximum' }];
    if (len === 0) return []; // empty frame: a flush
    try {
      return [{ kind: 'frame', ...decodeFrame(this.buf.subarray(0, len)) }];
    } catch (e) {
      if (e instanceof ProtocolError) return [{ kind: 'bad', code: e.code, reason: e.message }];
      throw e;
    }
  }
}
