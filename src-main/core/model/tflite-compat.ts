/**
 * Make a model acceptable to full TFLite without changing its arithmetic.
 *
 * TFLite Micro ignores quantized_dimension on tensors whose quantization is per-tensor-in-disguise
 * (a 1-D bias with one scale per element), but full TFLite checks quantized_dimension < rank and
 * rejects the model ("Can't initialize model"). person_detect.tflite has such biases (axis 3 on
 * shape [C]). For a 1-D tensor the only possible channel axis is 0, so setting it to 0 keeps the
 * meaning of every scale and zero point.
 */
import type { Model } from './ir.ts';

export interface CompatFix {
  subgraph: number;
  tensor: number;
  name: string;
  from: number;
  to: number;
}

/** A copy of the model whose out-of-range quantized_dimension values are fixed, plus what changed. */
export function fixQuantizedDimensions(model: Model): { model: Model; fixes: CompatFix[] } {
  const fixes: CompatFix[] = [];
  const subgraphs = model.subgraphs.map((sg, s) => ({
    ...sg,
    tensors: sg.tensors.map((t) => {
      const q = t.quantization;
      if (!q || (q.axis >= 0 && q.axis < Math.max(t.shape.length, 1))) return t;
      // Only a rank-1 tensor has an unambiguous channel axis; others are left for TFLite to judge.
      if (t.shape.length !== 1) return t;
      fixes.push({ subgraph: s, tensor: t.index, name: t.name, from: q.axis, to: 0 });
      return { ...t, quantization: { ...q, axis: 0 } };
    }),
  }));
  return { model: { ...model, subgraphs }, fixes };
}
