/** A small BMP decoder: uncompressed 8-bit (palette), 24-bit and 32-bit, bottom-up or top-down. */
import { SimulateError } from '../errors.ts';

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA, row-major, top row first. */
  data: Uint8Array;
}

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length > 26 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

export function decodeBmp(bytes: Uint8Array, label = 'BMP'): RgbaImage {
  if (!isBmp(bytes) || bytes.length < 54) throw new SimulateError(`${label}: not a BMP file`, 'INPUT');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pixelOffset = v.getUint32(10, true);
  const dibSize = v.getUint32(14, true);
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bpp = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height === 0)
    throw new SimulateError(`${label}: bad dimensions ${width}x${rawHeight}`, 'INPUT');
  if (compression !== 0 && !(compression === 3 && bpp === 32)) {
    throw new SimulateError(
      `${label}: compressed BMP (compression ${compression}) is not supported`,
      'INPUT',
    );
  }
  if (bpp !== 8 && bpp !== 24 && bpp !== 32)
    throw new SimulateError(`${label}: ${bpp}-bit BMP is not supported (8, 24, 32)`, 'INPUT');
  const rowBytes = Math.ceil((width * bpp) / 32) * 4;
  if (pixelOffset + rowBytes * height > bytes.length)
    throw new SimulateError(`${label}: pixel data runs past the end of the file`, 'INPUT');
  let palette: Uint8Array | null = null;
  if (bpp === 8) {
    const colors = v.getUint32(46, true) || 256;
    palette = bytes.subarray(14 + dibSize, 14 + dibSize + colors * 4); // B, G, R, reserved
  }
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      let b: number, g: number, r: number;
      if (palette) {
        const p = bytes[row + x] * 4;
        if (p + 2 >= palette.length)
          throw new SimulateError(`${label}: palette index ${p / 4} out of range`, 'INPUT');
        [b, g, r] = [palette[p], palette[p + 1], palette[p + 2]];
      } else {
        const p = row + x * (bpp / 8);
        [b, g, r] = [bytes[p], bytes[p + 1], bytes[p + 2]];
      }
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}
