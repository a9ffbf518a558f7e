/**
 * Images as model input: decode PNG (pngjs), JPEG (jpeg-js) or BMP, resize to the input's H x W
 * (bilinear, half-pixel centres, like tf.image.resize without antialiasing) and convert to the
 * input's channel count: 1 = grey (ITU-R BT.601 luma), 3 = RGB. Result: uint8 [H, W, C].
 */
import { Buffer } from 'node:buffer';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { SimulateError } from '../errors.ts';
import { decodeBmp, isBmp, type RgbaImage } from './bmp.ts';

export function isPng(b: Uint8Array): boolean {
  return b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
}

export function isJpeg(b: Uint8Array): boolean {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

export function isImage(b: Uint8Array): boolean {
  return isPng(b) || isJpeg(b) || isBmp(b);
}

export function decodeImage(bytes: Uint8Array, label = 'image'): RgbaImage {
  try {
    if (isPng(bytes)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
    }
    if (isJpeg(bytes)) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      return { width: img.width, height: img.height, data: img.data };
    }
  } catch (e) {
    throw new SimulateError(`${label}: cannot decode image: ${(e as Error).message}`, 'INPUT');
  }
  if (isBmp(bytes)) return decodeBmp(bytes, label);
  throw new SimulateError(`${label}: not a PNG, JPEG or BMP image`, 'INPUT');
}

/** Bilinear resize + channel conversion to uint8 [height, width, channels]. */
export function imageToPixels(
  img: RgbaImage,
  height: number,
  width: number,
  channels: number,
  label = 'image',
): Uint8Array {
  if (channels !== 1 && channels !== 3) {
    throw new SimulateError(
      `${label}: the model input has ${channels} channels; images feed 1 (grey) or 3 (RGB) channel inputs`,
      'INPUT',
    );
  }
  const out = new Uint8Array(height * width * channels);
  const sy = img.height / height;
  const sx = img.width / width;
  const px = (x: number, y: number, c: number): number => img.data[(y * img.width + x) * 4 + c];
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(img.height - 1, Math.floor(fy));
    const y1 = Math.min(img.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(img.width - 1, Math.floor(fx));
      const x1 = Math.min(img.width - 1, x0 + 1);
      const wx = fx - x0;
      const rgb = [0, 1, 2].map(
        (c) =>
          (px(x0, y0, c) * (1 - wx) + px(x1, y0, c) * wx) * (1 - wy) +
          (px(x0, y1, c) * (1 - wx) + px(x1, y1, c) * wx) * wy,
      );
      const o = (y * width + x) * channels;
      if (channels === 1) out[o] = Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
      else for (let c = 0; c < 3; c++) out[o + c] = Math.round(rgb[c]);
    }
  }
  return out;
}
