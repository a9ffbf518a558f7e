/** Read constant tensors of fixture .tflite files as typed arrays (test helper). */
import { readFixture } from '../../helpers/fixtures.ts';
import { readTflite, type Model, type Tensor } from '../../../src-main/core/model/index.ts';

export function openFixture(...parts: string[]): Model {
  return readTflite(readFixture(...parts));
}

function copy(t: Tensor): ArrayBuffer {
  if (!t.data) throw new Error(`Tensor ${t.name} has no constant data`);
  return t.data.slice().buffer;
}

export const float32Of = (t: Tensor) => new Float32Array(copy(t));
export const int8Of = (t: Tensor) => new Int8Array(copy(t));
export const int32Of = (t: Tensor) => new Int32Array(copy(t));

/** Operators of subgraph 0 with the given op name, with their input tensors resolved. */
export function opsOf(model: Model, op: string): Tensor[][] {
  const sg = model.subgraphs[0];
  return sg.operators.filter((o) => o.op === op).map((o) => o.inputs.map((i) => sg.tensors[i]));
}
