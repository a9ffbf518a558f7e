/**
 * Element access over raw little-endian tensor bytes, so host and device outputs (both plain
 * bytes) compare without knowing where they came from.
 */
export type ElementReader = (bytes: Uint8Array) => ArrayLike<number>;

function view<T>(make: (b: ArrayBuffer, off: number, n: number) => T, size: number): (b: Uint8Array) => T {
  return (b) => {
    if (b.length % size !== 0)
      throw new Error(`${b.length} bytes is not a whole number of ${size}-byte elements`);
    // Typed views need aligned offsets; copy when the slice is not aligned.
    const src = b.byteOffset % size === 0 ? b : b.slice();
    return make(src.buffer as ArrayBuffer, src.byteOffset, src.length / size);
  };
}

const READERS: Record<string, { size: number; read: ElementReader; integer: boolean }> = {
  int8: { size: 1, integer: true, read: view((b, o, n) => new Int8Array(b, o, n), 1) },
  uint8: { size: 1, integer: true, read: view((b, o, n) => new Uint8Array(b, o, n), 1) },
  bool: { size: 1, integer: true, read: view((b, o, n) => new Uint8Array(b, o, n), 1) },
  int16: { size: 2, integer: true, read: view((b, o, n) => new Int16Array(b, o, n), 2) },
  int32: { size: 4, integer: true, read: view((b, o, n) => new Int32Array(b, o, n), 4) },
  // the signal library's ops (SignalEnergy, SignalFilterBank...)
  uint32: { size: 4, integer: true, read: view((b, o, n) => new Uint32Array(b, o, n), 4) },
  // as numbers: exact below 2^53 (a filter bank's sums of 32-bit energies times 12-bit weights)
  uint64: {
    size: 8,
    integer: true,
    read: view((b, o, n) => Float64Array.from(new BigUint64Array(b, o, n), Number), 8),
  },
  float32: { size: 4, integer: false, read: view((b, o, n) => new Float32Array(b, o, n), 4) },
};

export function elementReader(dtype: string): { size: number; read: ElementReader; integer: boolean } {
  const r = READERS[dtype];
  if (!r) throw new Error(`cannot compare tensors of type ${dtype} (${Object.keys(READERS).join(', ')})`);
  return r;
}

export interface ElementDiff {
  mismatches: number;
  maxAbsDiff: number;
  maxDiffAt: number;
}

/** Counts differing elements and the largest absolute difference (NaN vs NaN counts as equal). */
export function diffElements(a: ArrayLike<number>, b: ArrayLike<number>): ElementDiff {
  if (a.length !== b.length) throw new Error(`element counts differ: ${a.length} vs ${b.length}`);
  let mismatches = 0;
  let maxAbsDiff = 0;
  let maxDiffAt = -1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y || (x !== x && y !== y)) continue;
    mismatches++;
    const d = Math.abs(x - y);
    // NaN against a number is the worst possible difference.
    const dd = d === d ? d : Infinity;
    if (dd > maxAbsDiff || maxDiffAt < 0) {
      maxAbsDiff = dd;
      maxDiffAt = i;
    }
  }
  return { mismatches, maxAbsDiff, maxDiffAt };
}

/** Real values: (q - zeroPoint) × scale for quantized tensors, the values themselves otherwise. */
export function dequantize(
  values: ArrayLike<number>,
  quant?: { scale: number; zeroPoint: number } | null,
): Float64Array {
  const out = new Float64Array(values.length);
  if (quant) for (let i = 0; i < values.length; i++) out[i] = (values[i] - quant.zeroPoint) * quant.scale;
  else for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}
