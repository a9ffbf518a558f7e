/** A float32 .npy file (format 1.0, little-endian, C order) of `xs.length` samples of `shape`. */
export function npyF32(xs: Float32Array[], shape: number[]): Buffer {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${[xs.length, ...shape].join(', ')}), }`;
  // magic (6) + version (2) + header length (2) + header + '\n', padded to a multiple of 64
  const total = 10 + header.length + 1;
  const h = header + ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]);
  return Buffer.concat([
    pre,
    Buffer.from(h, 'latin1'),
    ...xs.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength)),
  ]);
}
