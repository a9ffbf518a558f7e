/**
 * A stream of input frames for models that keep state across invocations (one invoke per frame,
 * as firmware calls Invoke). The same files `buildInputs` reads, read as a sequence when they
 * hold several frames:
 * - k × (one file per model input), in order: frame after frame;
 * - one .npy for a one-input model whose shape is [N, ...the input's shape]: N frames;
 * - one raw .bin holding k × the bytes of every input tensor: k frames.
 * Anything else is one frame, read (and refused) exactly as `buildInputs` does.
 */
import type { ParamValue, Tensor } from '../../model/ir.ts';
import { SimulateError } from '../errors.ts';
import type { TensorData } from '../tensor-data.ts';
import { buildInputs, rawInputs, type InputSpec } from './load.ts';
import { isNpy, parseNpy, type NpyData } from './npy.ts';
import { arrayToInput } from './to-input.ts';

const BYTES: Record<string, number> = {
  int8: 1,
  uint8: 1,
  bool: 1,
  int16: 2,
  int32: 4,
  float32: 4,
  int64: 8,
};

/** The frames of `spec` (one array of input tensors per invocation); one frame unless the files hold several. */
export function buildInputFrames(
  spec: InputSpec,
  tensors: readonly Tensor[],
  parameters: Record<string, ParamValue>,
): TensorData[][] {
  const files = spec.files ?? [];
  const m = tensors.length;
  if (files.length > m && m > 0 && files.length % m === 0) {
    const frames: TensorData[][] = [];
    for (let at = 0; at < files.length; at += m)
      frames.push(buildInputs({ ...spec, files: files.slice(at, at + m) }, tensors, parameters));
    return frames;
  }
  if (files.length === 1 && /\.bin$/i.test(files[0].name)) {
    const per = tensors.reduce((n, t) => n + (BYTES[t.dtype] ?? 0) * t.shape.reduce((a, b) => a * b, 1), 0);
    const bytes = files[0].bytes;
    if (per > 0 && bytes.length > per && bytes.length % per === 0) {
      const frames: TensorData[][] = [];
      for (let at = 0; at < bytes.length; at += per)
        frames.push(rawInputs(bytes.subarray(at, at + per), tensors, `${files[0].name} frame ${at / per}`));
      return frames;
    }
  }
  if (files.length === 1 && m === 1 && isNpy(files[0].bytes)) {
    const a = parseNpy(files[0].bytes, files[0].name);
    const t = tensors[0];
    const leading = a.shape.length === t.shape.length + 1 && t.shape.every((d, i) => a.shape[i + 1] === d);
    if (leading) {
      const n = a.shape[0];
      if (n === 0) throw new SimulateError(`${files[0].name}: shape (${a.shape}) holds no frame`, 'INPUT');
      const per = a.data.length / n;
      return Array.from({ length: n }, (_, k) => [
        arrayToInput(
          {
            dtype: a.dtype,
            shape: t.shape.slice(),
            data: a.data.subarray(k * per, (k + 1) * per) as NpyData,
          },
          t,
          parameters,
          `${files[0].name} frame ${k}`,
          spec.uint8Mode,
        ),
      ]);
    }
  }
  return [buildInputs(spec, tensors, parameters)];
}
