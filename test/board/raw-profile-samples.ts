/**
 * Raw samples for the raw-input profile tests: a real 96x96 grayscale camera frame from the
 * fixtures resized (nearest neighbour) to rock_paper_scissors' 84x84, a constant frame, and a
 * .npy writer (version 1.0, header padded to 64 bytes as NumPy writes it).
 */
import { parseNpy } from '../../src-main/core/simulate/inputs/npy.ts';
import { readFixture } from '../helpers/fixtures.ts';

export function npy(descr: string, shape: number[], data: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(data, 10 + header.length);
  return out;
}

/** tflm_person_gray_u8_96x96.npy resized to size x size (uint8 samples). */
export function personFrame(size = 84): Uint8Array {
  const a = parseNpy(readFixture('data', 'tflm_person_gray_u8_96x96.npy'), 'person');
  const [h, w] = a.shape;
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      out[y * size + x] = a.data[Math.floor((y * h) / size) * w + Math.floor((x * w) / size)];
  return out;
}

/** Every sample the same value: std 0, the case the bare-std device helper turns into NaN. */
export function constantFrame(value: number, size = 84): Uint8Array {
  return new Uint8Array(size * size).fill(value);
}
