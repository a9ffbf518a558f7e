/**
 * Full TFLite rejects person_detect.tflite because its 1-D bias tensors carry
 * quantized_dimension = 3 (TFLite Micro ignores it). For timing only, this copies the model and
 * sets every out-of-range quantized_dimension to 0, in place in the flatbuffer (same size, same
 * numerics). Field ids from the TFLite schema: Model.subgraphs = 2, SubGraph.tensors = 0,
 * Tensor.shape = 0, Tensor.quantization = 4, QuantizationParameters.quantized_dimension = 6.
 */
import * as flatbuffers from 'flatbuffers';

function field(bb: flatbuffers.ByteBuffer, table: number, id: number): number {
  return bb.__offset(table, 4 + 2 * id);
}

export function fixQuantizedDimension(model: Uint8Array): { bytes: Uint8Array; fixed: number } {
  const bytes = model.slice();
  const bb = new flatbuffers.ByteBuffer(bytes);
  const root = bb.readInt32(bb.position()) + bb.position();
  let fixed = 0;
  const subgraphsOff = field(bb, root, 2);
  if (!subgraphsOff) return { bytes, fixed };
  const subgraphs = bb.__vector(root + subgraphsOff);
  for (let s = 0; s < bb.__vector_len(root + subgraphsOff); s++) {
    const sg = bb.__indirect(subgraphs + s * 4);
    const tensorsOff = field(bb, sg, 0);
    if (!tensorsOff) continue;
    const tensors = bb.__vector(sg + tensorsOff);
    for (let t = 0; t < bb.__vector_len(sg + tensorsOff); t++) {
      const tensor = bb.__indirect(tensors + t * 4);
      const shapeOff = field(bb, tensor, 0);
      const rank = shapeOff ? bb.__vector_len(tensor + shapeOff) : 0;
      const qOff = field(bb, tensor, 4);
      if (!qOff) continue;
      const q = bb.__indirect(tensor + qOff);
      const dimOff = field(bb, q, 6);
      if (dimOff && bb.readInt32(q + dimOff) >= Math.max(rank, 1)) {
        bb.writeInt32(q + dimOff, 0);
        fixed++;
      }
    }
  }
  return { bytes, fixed };
}
