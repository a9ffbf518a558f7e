/**
 * Representative data for calibration and reports, from bytes already read by a service:
 * `.npy` (N × input shape, or one sample), `.npz` (every array in it, e.g. x_train and y_train),
 * and CSV (one sample per row, optionally a trailing label column). Images go through
 * simulate/inputs (decode + resize) one file per sample.
 */
import { parseNpy, type NpyArray } from '../simulate/inputs/npy.ts';

export interface Dataset {
  samples: Float32Array[];
  /** Class indices, when the data carries them. */
  labels?: number[];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** `[i, j, k]` of flat index `flat` in a C-order array of `shape`. */
function indexIn(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

/**
 * Calibration on a NaN or ±Inf makes every range (and so every scale) NaN or infinite: refuse the
 * data at the first bad element, naming where it is. `values` are the float32 samples the
 * calibration sees; `source` the file's own values (a float64 1e300 becomes Infinity in float32).
 */
function checkFinite(
  values: Float32Array,
  source: ArrayLike<number>,
  offset: number,
  arr: NpyArray,
  label: string,
): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) continue;
    const at = offset + i;
    const v = source[at];
    const why = Number.isFinite(v) ? `${v}, beyond the float32 range` : String(v);
    throw new Error(
      `${label}: element ${indexIn(at, arr.shape)} (flat index ${at}) is ${why}: representative data must be finite numbers`,
    );
  }
}

/** Split an array into samples of `sampleShape` (no batch dim): [N, ...shape], [...shape] or [N, prod]. */
export function samplesFromArray(arr: NpyArray, sampleShape: number[], label = 'array'): Float32Array[] {
  const per = size(sampleShape);
  const total = arr.data.length;
  if (total === 0) throw new Error(`${label}: no samples (the array is empty, shape [${arr.shape}])`);
  if (per === 0 || total % per !== 0) {
    throw new Error(
      `${label}: shape [${arr.shape}] does not split into samples of shape [${sampleShape}] (${per} values each)`,
    );
  }
  const n = total / per;
  const lead = arr.shape.length > 0 ? arr.shape[0] : 1;
  if (n > 1 && lead !== n) {
    throw new Error(`${label}: shape [${arr.shape}] is not N × [${sampleShape}]`);
  }
  return Array.from({ length: n }, (_, i) => {
    const sample = Float32Array.from(arr.data.subarray(i * per, (i + 1) * per) as ArrayLike<number>);
    checkFinite(sample, arr.data, i * per, arr, label);
    return sample;
  });
}

/** Labels from an integer vector [N] or one-hot [N, classes]. */
export function labelsFromArray(arr: NpyArray, count: number, label = 'labels'): number[] {
  const d = Array.from(arr.data as ArrayLike<number>);
  const bad = d.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new Error(
      `${label}: element ${indexIn(bad, arr.shape)} (flat index ${bad}) is ${d[bad]}: labels must be finite numbers`,
    );
  if (d.length === count) return d.map((v) => Math.round(v));
  if (arr.shape.length === 2 && arr.shape[0] === count) {
    const k = arr.shape[1];
    return Array.from({ length: count }, (_, i) => {
      let best = 0;
      for (let j = 1; j < k; j++) if (d[i * k + j] > d[i * k + best]) best = j;
      return best;
    });
  }
  throw new Error(
    `${label}: shape [${arr.shape}] is neither [${count}] class indices nor [${count}, classes] one-hot`,
  );
}

const NON_FINITE = /^[-+]?(nan|inf|infinity)$/i;

/** CSV: one sample per row of `sampleSize` numbers, or `sampleSize + 1` with the label last. A non-numeric first row is a header. */
export function datasetFromCsv(text: string, sampleSize: number, label = 'CSV'): Dataset {
  const rows = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const samples: Float32Array[] = [];
  const labels: number[] = [];
  rows.forEach((line, r) => {
    const cells = line.split(/[,;\t]/).map((c) => c.trim());
    const values = cells.map((c) => (c === '' ? NaN : Number(c)));
    // NaN/Inf spelled as numbers, and empty cells, are bad data even on the first row
    const unusable = cells.findIndex(
      (c) => c === '' || NON_FINITE.test(c) || (/^[-+]?(\d|\.\d)/.test(c) && !Number.isFinite(Number(c))),
    );
    if (unusable >= 0)
      throw new Error(
        `${label} line ${r + 1}, column ${unusable + 1}: ${cells[unusable] === '' ? 'empty cell' : `'${cells[unusable]}' is not a finite number`} (representative data must be finite numbers)`,
      );
    if (values.some((v) => !Number.isFinite(v))) {
      if (r === 0) return; // header
      const bad = cells.findIndex((c) => !Number.isFinite(Number(c)));
      throw new Error(`${label} line ${r + 1}, column ${bad + 1}: '${cells[bad]}' is not a number`);
    }
    const huge = values.findIndex((v) => !Number.isFinite(Math.fround(v)));
    if (huge >= 0)
      throw new Error(
        `${label} line ${r + 1}, column ${huge + 1}: ${cells[huge]} is beyond the float32 range (representative data must be finite numbers)`,
      );
    if (values.length === sampleSize) samples.push(Float32Array.from(values));
    else if (values.length === sampleSize + 1) {
      samples.push(Float32Array.from(values.slice(0, sampleSize)));
      labels.push(Math.round(values[sampleSize]));
    } else {
      throw new Error(
        `${label} line ${r + 1}: ${values.length} values, the model input needs ${sampleSize} (plus an optional label)`,
      );
    }
  });
  if (samples.length === 0) throw new Error(`${label}: no samples`);
  if (labels.length > 0 && labels.length !== samples.length)
    throw new Error(`${label}: some rows have a label and some do not`);
  return labels.length > 0 ? { samples, labels } : { samples };
}

/**
 * The arrays of a `.npz` (a ZIP of `.npy` files). `np.savez` stores entries uncompressed;
 * `np.savez_compressed` deflates them, which needs `inflateRaw` from the caller (a service passes
 * node:zlib's inflateRawSync; the core stays free of I/O modules).
 */
export function readNpz(
  bytes: Uint8Array,
  inflateRaw?: (data: Uint8Array) => Uint8Array,
  label = '.npz',
): Map<string, NpyArray> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${label}: not a ZIP archive (no end-of-central-directory record)`);
  const entries = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const out = new Map<string, NpyArray>();
  for (let e = 0; e < entries; e++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50)
      throw new Error(`${label}: central directory entry ${e} is corrupt`);
    const method = view.getUint16(p + 10, true);
    const csize = view.getUint32(p + 20, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50)
      throw new Error(`${label}: entry ${name} has no local header`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + csize > bytes.length)
      throw new Error(`${label}: entry ${name} runs past the end of the file`);
    const raw = bytes.subarray(start, start + csize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      if (!inflateRaw)
        throw new Error(`${label}: entry ${name} is compressed (np.savez_compressed); no inflater available`);
      data = inflateRaw(raw);
    } else throw new Error(`${label}: entry ${name} uses unsupported ZIP compression method ${method}`);
    out.set(name.replace(/\.npy$/, ''), parseNpy(data, `${label}:${name}`));
  }
  return out;
}
