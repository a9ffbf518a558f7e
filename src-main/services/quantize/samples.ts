/**
 * Representative data for quantize/report jobs, from files already read (bytes + name):
 * - one `.npy` (N × input shape), `.npz` (x/x_train/… samples, y/y_train/… labels) or `.csv`
 *   file → a dataset;
 * - several files → one sample each: images (PNG/JPEG/BMP, resized to the input and converted to
 *   its channels; raw pixels 0..255) or single-sample `.npy` files.
 * Samples are raw (before normalization); the workflow normalizes them.
 */
import { inflateRawSync } from 'node:zlib';
import type { Tensor } from '../../core/model/ir.ts';
import { datasetFromCsv, labelsFromArray, readNpz, samplesFromArray } from '../../core/quantize/dataset.ts';
import { decodeImage, imageToPixels, isImage } from '../../core/simulate/inputs/image.ts';
import { isNpy, parseNpy, type NpyArray } from '../../core/simulate/inputs/npy.ts';
import { ServiceError } from '../errors.ts';

export interface DataFile {
  name: string;
  bytes: Uint8Array;
}

export interface Samples {
  /** Per sample, one Float32Array per graph input (single-input models: one). */
  samples: Float32Array[][];
  labels?: number[];
}

const inflate = (d: Uint8Array): Uint8Array => new Uint8Array(inflateRawSync(d));
const SAMPLE_KEYS = ['x', 'x_train', 'x_test', 'inputs', 'data', 'arr_0'];
const LABEL_KEYS = ['y', 'y_train', 'y_test', 'labels', 'arr_1'];

function sampleShape(t: Tensor): number[] {
  return t.shape.length > 1 ? t.shape.slice(1) : t.shape;
}

function bad(message: string): never {
  throw new ServiceError('BAD_ARGUMENT', message);
}

/** Wrap a core error (wrong shape, bad CSV cell) as a clear BAD_ARGUMENT. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    bad(e instanceof Error ? e.message : String(e));
  }
}

function fromNpz(file: DataFile, t: Tensor): Samples {
  const arrays = readNpz(file.bytes, inflate, file.name);
  const pick = (keys: string[]): [string, NpyArray] | undefined => {
    for (const k of keys) {
      const a = arrays.get(k);
      if (a) return [k, a];
    }
    return undefined;
  };
  const x = pick(SAMPLE_KEYS);
  if (!x)
    bad(
      `${file.name}: no samples array (expected one of ${SAMPLE_KEYS.join(', ')}; found ${[...arrays.keys()].join(', ')})`,
    );
  const samples = samplesFromArray(x[1], sampleShape(t), `${file.name}:${x[0]}`);
  const y = pick(LABEL_KEYS);
  const labels = y ? labelsFromArray(y[1], samples.length, `${file.name}:${y[0]}`) : undefined;
  return { samples: samples.map((s) => [s]), ...(labels ? { labels } : {}) };
}

function imageSample(file: DataFile, t: Tensor): Float32Array {
  if (t.shape.length !== 4)
    bad(`${file.name}: images feed a [1, H, W, C] input; '${t.name}' is [${t.shape}]`);
  const [, h, w, c] = t.shape;
  return Float32Array.from(imageToPixels(decodeImage(file.bytes, file.name), h, w, c, file.name));
}

/** The samples in `files` for a model whose graph inputs are `inputs`. */
export function samplesFromFiles(files: DataFile[], inputs: readonly Tensor[]): Samples {
  if (files.length === 0) bad('No representative data: give a folder of images, a .npy, .npz or .csv file');
  if (inputs.length !== 1)
    bad(`The model has ${inputs.length} inputs; quantization data is supported for single-input models`);
  const t = inputs[0];
  const shape = sampleShape(t);
  const per = shape.reduce((a, b) => a * b, 1);
  return guard(() => {
    if (files.length === 1) {
      const f = files[0];
      if (/\.npz$/i.test(f.name)) return fromNpz(f, t);
      if (/\.csv$/i.test(f.name)) {
        const d = datasetFromCsv(new TextDecoder().decode(f.bytes), per, f.name);
        return { samples: d.samples.map((s) => [s]), ...(d.labels ? { labels: d.labels } : {}) };
      }
      if (isNpy(f.bytes))
        return { samples: samplesFromArray(parseNpy(f.bytes, f.name), shape, f.name).map((s) => [s]) };
    }
    const samples = files.map((f) => {
      if (isImage(f.bytes)) return [imageSample(f, t)];
      if (isNpy(f.bytes)) {
        const s = samplesFromArray(parseNpy(f.bytes, f.name), shape, f.name);
        if (s.length !== 1) bad(`${f.name}: holds ${s.length} samples; give it alone, not among other files`);
        return [s[0]];
      }
      return bad(`${f.name}: not a PNG/JPEG/BMP image, .npy, .npz or .csv file`);
    });
    return { samples };
  });
}
