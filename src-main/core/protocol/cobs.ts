/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker). The encoding never contains 0x00, so
 * 0x00 delimits frames on the wire (firmware/PROTOCOL.md §1). Mirrors firmware/proto/qs_cobs.c.
 */
import { ProtocolError } from './errors.ts';

/** Worst-case encoded length of `n` raw bytes (without the delimiter). */
export function cobsMaxEncoded(n: number): number {
  return n + Math.floor(n / 254) + 1;
}

export function cobsEncode(src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(cobsMaxEncoded(src.length));
  let out = 0;
  let i = 0;
  // Each block: a code byte (1 + data length), then up to 254 non-zero bytes copied in one go.
  // A block shorter than 254 stands for "data then 0x00"; the 0x00 itself is skipped.
  for (;;) {
    const zero = src.indexOf(0, i);
    const runEnd = zero < 0 ? src.length : zero;
    const n = Math.min(runEnd - i, 254);
    dst[out++] = n + 1;
    dst.set(src.subarray(i, i + n), out);
    out += n;
    i += n;
    if (n === 254) {
      if (i === src.length) break; // a full last block needs no closing block
      continue;
    }
    if (i === src.length) break; // data ended without a zero
    i++; // skip the zero this block stands for
  }
  return dst.subarray(0, out);
}

/** Decodes untrusted bytes (no delimiter). Throws ProtocolError('BAD_FRAME') on invalid input. */
export function cobsDecode(src: Uint8Array): Uint8Array {
  const dst = new Uint8Array(src.length);
  let inp = 0;
  let out = 0;
  while (inp < src.length) {
    const code = src[inp++];
    if (code === 0) throw new ProtocolError('BAD_FRAME', 'COBS: zero byte inside a frame');
    const n = code - 1;
    if (n > src.length - inp) throw new ProtocolError('BAD_FRAME', 'COBS: block runs past the frame end');
    for (let k = 0; k < n; k++) {
      const b = src[inp++];
      if (b === 0) throw new ProtocolError('BAD_FRAME', 'COBS: zero byte inside a frame');
      dst[out++] = b;
    }
    if (code !== 0xff && inp < src.length) dst[out++] = 0;
  }
  return dst.subarray(0, out);
}
