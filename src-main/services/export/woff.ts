/**
 * WOFF 1.0 to a plain TrueType/OpenType (sfnt) file, done once when the PDF font is loaded: the
 * font engine otherwise inflates a compressed table again on every text measurement, which made
 * one report take seconds. Layout from the W3C WOFF 1.0 recommendation (§3–§5): a 44-byte header,
 * 20-byte table directory entries, each table zlib-compressed when compLength < origLength.
 */
import { inflateSync } from 'node:zlib';

const WOFF = 0x774f4646; // 'wOFF'

export function woffToSfnt(woff: Uint8Array): Uint8Array {
  const v = new DataView(woff.buffer, woff.byteOffset, woff.byteLength);
  if (woff.length < 44 || v.getUint32(0) !== WOFF) throw new Error('not a WOFF 1.0 font');
  const flavor = v.getUint32(4);
  const n = v.getUint16(12);
  const tables: { tag: number; checksum: number; data: Uint8Array }[] = [];
  for (let i = 0; i < n; i++) {
    const e = 44 + 20 * i;
    const [tag, offset, compLength, origLength, checksum] = [0, 4, 8, 12, 16].map((k) => v.getUint32(e + k));
    if (offset + compLength > woff.length) throw new Error(`WOFF table ${i} points past the end of the file`);
    const raw = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? new Uint8Array(inflateSync(raw)) : raw;
    if (data.length !== origLength) throw new Error(`WOFF table ${i} inflates to the wrong size`);
    tables.push({ tag, checksum, data });
  }
  const pad = (x: number) => (x + 3) & ~3;
  let size = 12 + 16 * n;
  for (const t of tables) size += pad(t.data.length);
  const out = new Uint8Array(size);
  const o = new DataView(out.buffer);
  let pow = 1;
  while (pow * 2 <= n) pow *= 2;
  o.setUint32(0, flavor);
  o.setUint16(4, n);
  o.setUint16(6, pow * 16); // searchRange
  o.setUint16(8, Math.log2(pow)); // entrySelector
  o.setUint16(10, n * 16 - pow * 16); // rangeShift
  let at = 12 + 16 * n;
  tables.forEach((t, i) => {
    const r = 12 + 16 * i;
    o.setUint32(r, t.tag);
    o.setUint32(r + 4, t.checksum);
    o.setUint32(r + 8, at);
    o.setUint32(r + 12, t.data.length);
    out.set(t.data, at);
    at += pad(t.data.length);
  });
  return out;
}
