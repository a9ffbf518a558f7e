/**
 * Run results as JSON: the golden format of ../shared/fixtures/golden/*.json (`inputs` and
 * `op_outputs` with tensor, name, dtype, shape, data_b64 of the raw little-endian bytes), so a
 * dump compares directly with a golden, and a per-layer report with statistics.
 */
import type { InvokeResult, PreparedModel } from './interpreter.ts';
import { layerStats, topK, type LayerStats, type TopEntry } from './stats.ts';
import { toBytes, type TensorData } from './tensor-data.ts';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64[n >> 18] + B64[(n >> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + '=';
  }
  return out;
}

export interface DumpTensor {
  tensor: number;
  name: string;
  dtype: string;
  shape: number[];
  data_b64: string;
}

export interface GoldenDump {
  model: string;
  reference: string;
  inputs: DumpTensor[];
  op_outputs: DumpTensor[];
}

export function goldenDump(
  modelName: string,
  pm: PreparedModel,
  inputs: readonly TensorData[],
  result: InvokeResult,
): GoldenDump {
  return {
    model: modelName,
    reference: 'QuantScope host simulator (TFLite Micro reference-kernel arithmetic)',
    inputs: pm.inputs.map((t, i) => ({
      tensor: t.index,
      name: t.name,
      dtype: t.dtype,
      shape: t.shape.slice(),
      data_b64: base64(toBytes(inputs[i])),
    })),
    op_outputs: result.layers.map((l) => ({
      tensor: l.tensor,
      name: l.name,
      dtype: l.dtype,
      shape: l.shape,
      data_b64: base64(toBytes(l.data)),
    })),
  };
}

export interface LayerReport {
  index: number;
  op: string;
  tensor: number;
  name: string;
  dtype: string;
  shape: number[];
  stats: LayerStats;
}

export interface OutputReport {
  /** Class names from the model parameters (MLTK `classes`), when present. */
  labels?: string[];
  tensor: number;
  name: string;
  dtype: string;
  shape: number[];
  values: number[];
  top_k: TopEntry[];
}

function quantOf(pm: PreparedModel, tensor: number): { scale: number; zeroPoint: number } | null {
  const q = pm.subgraph.tensors[tensor].quantization;
  return q && q.scale.length === 1 ? { scale: q.scale[0], zeroPoint: q.zeroPoint[0] ?? 0 } : null;
}

export function layerReports(pm: PreparedModel, result: InvokeResult): LayerReport[] {
  return result.layers.map((l) => ({
    index: l.opIndex,
    op: l.op,
    tensor: l.tensor,
    name: l.name,
    dtype: l.dtype,
    shape: l.shape,
    stats: layerStats(l.data, quantOf(pm, l.tensor)),
  }));
}

export function outputReports(pm: PreparedModel, result: InvokeResult, k = 5): OutputReport[] {
  const classes = pm.model.parameters.classes;
  const labels =
    Array.isArray(classes) && classes.every((c) => typeof c === 'string') ? (classes as string[]) : undefined;
  return result.outputs.map((o) => ({
    ...(labels && labels.length === o.data.length ? { labels } : {}),
    tensor: o.tensor,
    name: o.name,
    dtype: o.dtype,
    shape: o.shape,
    values: Array.from(o.data as ArrayLike<number>, Number),
    top_k: topK(o.data, k, quantOf(pm, o.tensor)),
  }));
}
