/**
 * A float32 twin of an int8 model (every constant dequantized, every activation float32, no
 * quantization parameters), for benchmarking the quantizer on networks we only have in int8 —
 * e.g. person_detect (MobileNet v1 0.25, 96×96, ≈ 7.5 M MACs). Not a fixture: timing only.
 */
import type { Model } from '../src-main/core/model/ir.ts';
import { dequantize } from '../src-main/core/quantize/io-convert.ts';
import { bytesOf, cloneModel, setConstant } from '../src-main/core/quantize/model-edit.ts';
import { fromBytes } from '../src-main/core/simulate/tensor-data.ts';

export function floatTwin(int8: Model): Model {
  const m = cloneModel(int8);
  const sg = m.subgraphs[0];
  for (const t of sg.tensors) {
    if (!t.quantization || (t.dtype !== 'int8' && t.dtype !== 'int32')) continue;
    if (t.data) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      setConstant(m, t, bytesOf(dequantize(t, fromBytes(t.dtype, t.data, n))));
    }
    t.dtype = 'float32';
    t.quantization = null;
  }
  m.operatorCodes = m.operatorCodes.map((c) => ({ ...c, version: 1 }));
  return m;
}
