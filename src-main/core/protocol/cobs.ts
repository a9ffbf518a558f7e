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
  let codeAt = 0;
  let out = 1;
  let code = 1;
  for (let i = 0; i < src.length; i++) {
    // A full block (254 data bytes) ends without an implied zero; close it only when more follows.
    if (code === 0xff) {
      dst[codeAt] = code;
      codeAt = out++;
      code = 1;
    }
    const b = src[i];
    if (b === 0) {
      dst[codeAt] = code;
      codeAt = out++;
      code = 1;
    } else {
      dst[out++] = b;
      code++;
    }
  }
  dst[codeAt] = code;
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
