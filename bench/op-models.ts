/**
 * Op-heavy models for `npm run bench` that no fixture folder has, written with the project's
 * TFLite writer (deterministic: fixed seeds), plus the field fixtures that exercise the int16x8
 * and TRANSPOSE_CONV kernels:
 * - resize_head.int8: CONV_2D 1x1 -> RESIZE_BILINEAR x2 (half-pixel centers) -> MEAN over the
 *   channels (keep_dims), a segmentation-head pattern;
 * - ssd_postprocess.{fast,regular}: TFLite_Detection_PostProcess on 400 anchors x 10 classes (+
 *   background), box encodings and scores as float32 graph inputs, constant anchors;
 * - the largest seanet TRANSPOSE_CONV and CONV_2D field models (int16 activations, int8 weights).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DType, Model, OptionValue, Tensor } from '../src-main/core/model/ir.ts';
import { builtinCodeOf } from '../src-main/core/model/tflite-schema.ts';
import { writeTflite } from '../src-main/core/model/tflite-writer.ts';
import { flexMap } from '../test/helpers/compute-op-models.ts';

interface T {
  dtype: DType;
  shape: number[];
  q?: [number, number];
  data?: Uint8Array;
}
interface Op {
  op: string;
  inputs: number[];
  outputs: number[];
  options?: Record<string, OptionValue>;
  custom?: { code: string; options: Uint8Array };
}

function graph(ts: T[], ops: Op[], inputs: number[], outputs: number[]): Uint8Array {
  const buffers: Uint8Array[] = [new Uint8Array(0)];
  const tensors: Tensor[] = ts.map((t, index) => {
    if (t.data) buffers.push(t.data);
    return {
      index,
      name: `t${index}`,
      dtype: t.dtype,
      shape: t.shape,
      buffer: t.data ? buffers.length - 1 : 0,
      data: t.data ?? null,
      quantization: t.q ? { scale: [t.q[0]], zeroPoint: [t.q[1]], axis: 0 } : null,
      isVariable: false,
    };
  });
  const names = [...new Set(ops.map((o) => o.custom?.code ?? o.op))];
  const model: Model = {
    version: 3,
    description: 'bench model',
    operatorCodes: names.map((n) => {
      const custom = ops.find((o) => o.custom?.code === n);
      const code = custom ? 32 : (builtinCodeOf(n) as number);
      return {
        builtinCode: code,
        deprecatedBuiltinCode: Math.min(code, 127),
        version: 1,
        ...(custom ? { customCode: n } : {}),
      };
    }),
    subgraphs: [
      {
        name: 'main',
        tensors,
        inputs,
        outputs,
        operators: ops.map((o, index) => {
          const name = o.custom?.code ?? o.op;
          return {
            index,
            opcodeIndex: names.indexOf(name),
            builtinCode: o.custom ? 32 : (builtinCodeOf(o.op) as number),
            op: name,
            known: !o.custom,
            inputs: o.inputs,
            outputs: o.outputs,
            intermediates: [],
            options: o.options ?? {},
            ...(o.custom ? { customOptions: o.custom.options } : {}),
          };
        }),
      },
    ],
    buffers,
    metadata: [],
    signatureDefs: [],
    parameters: {},
  };
  return writeTflite(model);
}

/** xorshift32 bytes / values (fixed seed: the same models every run). */
function stream(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}
const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function resizeHead(): Uint8Array {
  const r = stream(11);
  const w = Int8Array.from({ length: 8 * 16 }, () => Math.floor(r() * 255) - 127);
  const b = Int32Array.from({ length: 8 }, () => Math.floor(r() * 2000) - 1000);
  return graph(
    [
      { dtype: 'int8', shape: [1, 24, 24, 16], q: [0.05, -3] },
      { dtype: 'int8', shape: [8, 1, 1, 16], q: [0.02, 0], data: bytesOf(w) },
      { dtype: 'int32', shape: [8], q: [0.001, 0], data: bytesOf(b) },
      { dtype: 'int8', shape: [1, 24, 24, 8], q: [0.1, 2] },
      { dtype: 'int32', shape: [2], data: bytesOf(Int32Array.of(48, 48)) },
      { dtype: 'int8', shape: [1, 48, 48, 8], q: [0.1, 2] },
      { dtype: 'int32', shape: [1], data: bytesOf(Int32Array.of(3)) },
      { dtype: 'int8', shape: [1, 48, 48, 1], q: [0.05, 0] },
    ],
    [
      {
        op: 'CONV_2D',
        inputs: [0, 1, 2],
        outputs: [3],
        options: { padding: 'VALID', stride_w: 1, stride_h: 1 },
      },
      { op: 'RESIZE_BILINEAR', inputs: [3, 4], outputs: [5], options: { half_pixel_centers: true } },
      { op: 'MEAN', inputs: [5, 6], outputs: [7], options: { keep_dims: true } },
    ],
    [0],
    [7],
  );
}

function ssdPostprocess(regular: boolean): Uint8Array {
  const n = 400;
  const classes = 10;
  const r = stream(regular ? 23 : 17);
  const anchors = Float32Array.from({ length: 4 * n }, (_, k) => (k % 4 < 2 ? r() : 0.05 + 0.3 * r()));
  const options = flexMap({
    max_detections: 20,
    max_classes_per_detection: 1,
    detections_per_class: 20,
    use_regular_nms: regular,
    nms_score_threshold: 0.3,
    nms_iou_threshold: 0.6,
    num_classes: classes,
    y_scale: 10,
    x_scale: 10,
    h_scale: 5,
    w_scale: 5,
  });
  return graph(
    [
      { dtype: 'float32', shape: [1, n, 4] },
      { dtype: 'float32', shape: [1, n, classes + 1] },
      { dtype: 'float32', shape: [n, 4], data: bytesOf(anchors) },
      { dtype: 'float32', shape: [1, 20, 4] },
      { dtype: 'float32', shape: [1, 20] },
      { dtype: 'float32', shape: [1, 20] },
      { dtype: 'float32', shape: [1] },
    ],
    [
      {
        op: 'CUSTOM',
        inputs: [0, 1, 2],
        outputs: [3, 4, 5, 6],
        custom: { code: 'TFLite_Detection_PostProcess', options },
      },
    ],
    [0, 1],
    [3, 4, 5, 6],
  );
}

/** Paths of the bench's op-heavy models: generated ones in a temporary folder, and field fixtures. */
export function opHeavyModels(fixtures: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'qs-bench-ops-'));
  const out: string[] = [];
  const put = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    out.push(p);
  };
  put('resize_head.int8.tflite', resizeHead());
  put('ssd_postprocess.fast.tflite', ssdPostprocess(false));
  put('ssd_postprocess.regular.tflite', ssdPostprocess(true));
  const field = join(
    fixtures,
    'field',
    'models',
    'tensorflow__tensorflow_lite_micro_integration_tests_seanet_',
  );
  out.push(`${field}transpose_conv_transpose_conv0.tflite`, `${field}conv_conv10.tflite`);
  return out;
}
