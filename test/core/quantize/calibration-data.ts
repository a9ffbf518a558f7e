/**
 * Representative data for the image fixtures: the two grey 96×96 photos in fixtures/data, resized
 * to the model input, plus simple augmentations — horizontal/vertical flips, shifted crops scaled
 * back up, brightness/contrast changes and additive noise (xorshift32, deterministic). Samples are
 * raw pixel values 0..255 as float32; the caller applies the model's normalization.
 */
import { readFixture } from '../../helpers/fixtures.ts';

const PHOTOS = ['tflm_person_gray_u8_96x96.npy', 'tflm_no_person_gray_u8_96x96.npy'];

function photo(name: string): Float32Array {
  const b = readFixture('data', name);
  return Float32Array.from(b.subarray(10 + (b[8] | (b[9] << 8))));
}

/** Bilinear resample of a square grey crop (x0, y0, size) of a 96×96 image to out×out. */
function crop(img: Float32Array, x0: number, y0: number, size: number, out: number): Float32Array {
  const res = new Float32Array(out * out);
  for (let y = 0; y < out; y++)
    for (let x = 0; x < out; x++) {
      const sy = y0 + ((y + 0.5) * size) / out - 0.5;
      const sx = x0 + ((x + 0.5) * size) / out - 0.5;
      const iy = Math.max(0, Math.min(94, Math.floor(sy)));
      const ix = Math.max(0, Math.min(94, Math.floor(sx)));
      const fy = Math.max(0, Math.min(1, sy - iy));
      const fx = Math.max(0, Math.min(1, sx - ix));
      const p = (yy: number, xx: number) => img[yy * 96 + xx];
      res[y * out + x] =
        (1 - fy) * ((1 - fx) * p(iy, ix) + fx * p(iy, ix + 1)) +
        fy * ((1 - fx) * p(iy + 1, ix) + fx * p(iy + 1, ix + 1));
    }
  return res;
}

function flip(img: Float32Array, n: number, horizontal: boolean): Float32Array {
  return Float32Array.from(img, (_, i) => {
    const y = Math.floor(i / n);
    const x = i % n;
    return horizontal ? img[y * n + (n - 1 - x)] : img[(n - 1 - y) * n + x];
  });
}

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** `count` augmented samples of size×size pixels (0..255), deterministic for a seed. */
export function augmentedPhotos(size: number, count: number, seed = 1): Float32Array[] {
  const rand = xorshift(seed);
  const base = PHOTOS.map(photo);
  const out: Float32Array[] = [];
  for (let k = 0; k < count; k++) {
    const src = base[k % base.length];
    const cropSize = 64 + Math.floor(rand() * 33); // 64..96 px of the 96 px photo
    const x0 = Math.floor(rand() * (97 - cropSize));
    const y0 = Math.floor(rand() * (97 - cropSize));
    let img = crop(src, x0, y0, cropSize, size);
    if (rand() < 0.5) img = flip(img, size, true);
    if (rand() < 0.2) img = flip(img, size, false);
    const contrast = 0.7 + rand() * 0.6;
    const brightness = (rand() - 0.5) * 60;
    const noise = rand() * 12;
    img = img.map((v) => {
      const n = (rand() + rand() + rand() - 1.5) * 2 * noise; // roughly Gaussian
      return Math.max(0, Math.min(255, (v - 128) * contrast + 128 + brightness + n));
    });
    out.push(img);
  }
  return out;
}
