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
  return cobsEncodeParts([src], false);
}

/**
 * Encodes the concatenation of `parts` without first joining them (a frame is header, body and
 * CRC), optionally followed by the 0x00 delimiter.
 */
export function cobsEncodeParts(parts: Uint8Array[], delimiter: boolean): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const dst = new Uint8Array(cobsMaxEncoded(total) + (delimiter ? 1 : 0));
  let codeAt = 0; // where the current block's code byte goes
  let out = 1;
  let code = 1; // 1 + data bytes in the current block
  let left = total;
  // A plain byte loop: model weights are ~20% zeros, so runs are short and per-run copies
  // (indexOf + set) cost more than they save.
  for (const src of parts) {
    for (let i = 0; i < src.length; i++) {
      const b = src[i];
      left--;
      if (b === 0) {
        dst[codeAt] = code;
        codeAt = out++;
        code = 1;
      } else {
        dst[out++] = b;
        // A full block (254 data bytes) ends without an implied zero; open the next one only if
        // more data follows, so the encoding matches firmware/proto/qs_cobs.c byte for byte.
        if (++code === 0xff && left > 0) {
          dst[codeAt] = code;
          codeAt = out++;
          code = 1;
        }
      }
    }
  }
  dst[codeAt] = code;
  if (delimiter) dst[out++] = 0;
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
