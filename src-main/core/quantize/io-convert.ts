/** Float ↔ int8 at a model's edges: quantize float samples for int8 inputs, dequantize outputs. */
import type { Tensor } from '../model/ir.ts';
import { type PreparedModel } from '../simulate/interpreter.ts';
import { invokeSample } from './sample-invoke.ts';
import type { TensorData } from '../simulate/tensor-data.ts';
import { quantizeValue } from './params.ts';

export function dequantize(t: Tensor, data: TensorData): Float32Array {
  if (t.dtype === 'float32') return Float32Array.from(data as Float32Array);
  const q = t.quantization;
  if (!q) throw new Error(`tensor ${t.index} '${t.name}' (${t.dtype}) has no quantization parameters`);
  const out = new Float32Array(data.length);
  const per = q.scale.length > 1;
  const inner = per ? t.shape.slice(q.axis + 1).reduce((a, b) => a * b, 1) : 1;
  for (let i = 0; i < data.length; i++) {
    const c = per ? Math.floor(i / inner) % q.scale.length : 0;
    out[i] = (Number(data[i]) - q.zeroPoint[c]) * q.scale[c];
  }
  return out;
}

/** The int8 model's inputs for a float sample (quantized when the model takes int8). */
export function int8Inputs(pm: PreparedModel, sample: Float32Array[]): TensorData[] {
  return pm.inputs.map((t, i) => {
    if (t.dtype === 'float32') return sample[i];
    const q = t.quantization;
    if (t.dtype !== 'int8' || !q)
      throw new Error(`input '${t.name}' is ${t.dtype}; only float32 or int8 inputs are supported`);
    const p = { scale: q.scale[0], zeroPoint: q.zeroPoint[0] };
    return Int8Array.from(sample[i], (v) => quantizeValue(v, p));
  });
}

/**
 * The first output of `pm` as float for each float sample (inputs quantized when the model takes
 * int8, outputs dequantized or copied): how a float and an int8 model are compared end to end.
 */
export function dequantizedOutputs(pm: PreparedModel, samples: Float32Array[][]): Float32Array[] {
  return samples.map((s) => {
    const o = invokeSample(pm, int8Inputs(pm, s), { taps: false }).outputs[0];
    return dequantize(pm.subgraph.tensors[o.tensor], o.data);
  });
}
