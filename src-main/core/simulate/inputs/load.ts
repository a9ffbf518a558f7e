/**
 * Build model inputs from files (bytes + name), a raw .bin, or the xorshift seed.
 * - one file per model input, in order: .npy or an image (PNG/JPEG/BMP, by magic bytes);
 * - or a single raw .bin holding the exact bytes of every input tensor, in order.
 */
import type { ParamValue, Tensor } from '../../model/ir.ts';
import { SimulateError } from '../errors.ts';
import { fromBytes, elementCount, type TensorData } from '../tensor-data.ts';
import { decodeImage, imageToPixels, isImage } from './image.ts';
import { isNpy, parseNpy } from './npy.ts';
import { seededInputs } from './seed.ts';
import { arrayToInput, type Uint8Mode } from './to-input.ts';

export interface InputFile {
  name: string;
  bytes: Uint8Array;
}

function tensorBytes(t: Tensor): number {
  const per: Record<string, number> = {
    int8: 1,
    uint8: 1,
    bool: 1,
    int16: 2,
    int32: 4,
    float32: 4,
    float64: 8,
    int64: 8,
  };
  const b = per[t.dtype];
  if (!b) throw new SimulateError(`input '${t.name}' has unsupported type ${t.dtype}`, 'INPUT');
  return b * elementCount(t.shape);
}

/** Raw .bin: the concatenated bytes of all input tensors. */
export function rawInputs(bytes: Uint8Array, tensors: readonly Tensor[], label: string): TensorData[] {
  const sizes = tensors.map(tensorBytes);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (bytes.length !== total) {
    const want = tensors.map((t, i) => `${t.name} ${t.dtype}[${t.shape}] = ${sizes[i]} B`).join(', ');
    throw new SimulateError(
      `${label}: raw input has ${bytes.length} bytes, the model's inputs need ${total} (${want})`,
      'INPUT',
    );
  }
  let off = 0;
  return tensors.map((t, i) => {
    const d = fromBytes(t.dtype, bytes.subarray(off, off + sizes[i]), elementCount(t.shape));
    if (d instanceof Float32Array || d instanceof Float64Array) {
      const bad = d.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0)
        throw new SimulateError(
          `${label}: element ${bad} of input '${t.name}' (byte ${off + bad * d.BYTES_PER_ELEMENT}) is ${d[bad]} (inputs must be finite numbers)`,
          'INPUT',
        );
    }
    off += sizes[i];
    return d;
  });
}

export function fileToInput(
  file: InputFile,
  t: Tensor,
  parameters: Record<string, ParamValue>,
  uint8Mode: Uint8Mode = 'affine',
): TensorData {
  if (isNpy(file.bytes))
    return arrayToInput(parseNpy(file.bytes, file.name), t, parameters, file.name, uint8Mode);
  if (isImage(file.bytes)) {
    if (t.shape.length !== 4)
      throw new SimulateError(
        `${file.name}: images need a [1, H, W, C] input; '${t.name}' is [${t.shape}]`,
        'INPUT',
      );
    const [, h, w, c] = t.shape;
    const pixels = imageToPixels(decodeImage(file.bytes, file.name), h, w, c, file.name);
    return arrayToInput({ dtype: 'uint8', shape: [h, w, c], data: pixels }, t, parameters, file.name);
  }
  throw new SimulateError(
    `${file.name}: not a .npy file or a PNG/JPEG/BMP image (use a .bin for raw tensor bytes)`,
    'INPUT',
  );
}

export interface InputSpec {
  files?: InputFile[];
  seed?: number;
  /** How a uint8 .npy feeds an int8 input (see to-input.ts); images always use 'affine'. */
  uint8Mode?: Uint8Mode;
}

export function buildInputs(
  spec: InputSpec,
  tensors: readonly Tensor[],
  parameters: Record<string, ParamValue>,
): TensorData[] {
  const files = spec.files ?? [];
  if (files.length === 0) return seededInputs(tensors, spec.seed ?? 1);
  if (spec.seed !== undefined)
    throw new SimulateError('give either input files or --seed, not both', 'INPUT');
  if (files.length === 1 && /\.bin$/i.test(files[0].name))
    return rawInputs(files[0].bytes, tensors, files[0].name);
  if (files.length !== tensors.length) {
    throw new SimulateError(
      `the model has ${tensors.length} input(s), ${files.length} file(s) given`,
      'INPUT',
    );
  }
  return files.map((f, i) => fileToInput(f, tensors[i], parameters, spec.uint8Mode));
}
