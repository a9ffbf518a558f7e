/**
 * Feature-map heatmaps: one channel of an NHWC activation as RGBA pixels. int8 maps use the full
 * [-128, 127] range (pass it as `range`) so brightness means the same value in every layer; without
 * a range the channel's own min..max is used (float maps, differences).
 */

/** Typed view of little-endian tensor bytes for the dtypes a layer output can have. */
export type TensorValues = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array;

export function tensorValues(bytes: Uint8Array, dtype: string): TensorValues {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  switch (dtype) {
    case 'int8':
      return new Int8Array(buf);
    case 'uint8':
      return new Uint8Array(buf);
    case 'int16':
      return new Int16Array(buf);
    case 'int32':
      return new Int32Array(buf);
    case 'float32':
      return new Float32Array(buf);
    default:
      throw new Error(`No heatmap for ${dtype} tensors`);
  }
}

/** Height, width, channels of an NHWC (or HWC / HW) shape, or null when it is not an image-like map. */
export function mapGeometry(shape: readonly number[]): { h: number; w: number; c: number } | null {
  if (shape.length === 4 && shape[0] === 1) return { h: shape[1], w: shape[2], c: shape[3] };
  if (shape.length === 3) return { h: shape[0], w: shape[1], c: shape[2] };
  return null;
}

// Perceptually ordered dark-blue → teal → yellow stops (viridis-like), linearly interpolated.
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

export function colormap(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** RGBA pixels (h × w) of channel `channel`. */
export function channelPixels(
  values: ArrayLike<number>,
  geometry: { h: number; w: number; c: number },
  channel: number,
  range: readonly [number, number] | null,
): Uint8ClampedArray<ArrayBuffer> {
  const { h, w, c } = geometry;
  let lo = range?.[0] ?? 0;
  let hi = range?.[1] ?? 0;
  if (!range) {
    lo = Infinity;
    hi = -Infinity;
    for (let p = 0; p < h * w; p++) {
      const v = values[p * c + channel];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const span = hi > lo ? hi - lo : 1;
  const out = new Uint8ClampedArray(new ArrayBuffer(h * w * 4));
  for (let p = 0; p < h * w; p++) {
    const [r, g, b] = colormap((values[p * c + channel] - lo) / span);
    out[p * 4] = r;
    out[p * 4 + 1] = g;
    out[p * 4 + 2] = b;
    out[p * 4 + 3] = 255;
  }
  return out;
}
