/** Host-vs-device tensor differences for the compare view. Pure. */
import { tensorValues } from './heatmap.ts';

/** |host − device| per element, in the tensor's own units (integer steps for quantized tensors). */
export function absDiff(host: Uint8Array, device: Uint8Array, dtype: string): Float32Array {
  const a = tensorValues(host, dtype);
  const b = tensorValues(device, dtype);
  const n = Math.min(a.length, b.length);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.abs(a[i] - b[i]);
  return out;
}

export interface ValueAround {
  index: number;
  host: number;
  device: number;
}

/** Elements `radius` either side of flat index `at` (clamped to the tensor). */
export function valuesAround(
  host: Uint8Array,
  device: Uint8Array,
  dtype: string,
  at: number,
  radius = 4,
): ValueAround[] {
  const a = tensorValues(host, dtype);
  const b = tensorValues(device, dtype);
  const out: ValueAround[] = [];
  const lo = Math.max(0, at - radius);
  const hi = Math.min(a.length - 1, at + radius);
  for (let i = lo; i <= hi; i++) out.push({ index: i, host: a[i], device: b[i] });
  return out;
}

/** Flat index → [n, h, w, c] style coordinates for a shape. */
export function coordinates(flat: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return out;
}
