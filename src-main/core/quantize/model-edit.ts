/** Small IR editing helpers for the quantizer: copy a model, add buffers/opcodes, drop dead buffers. */
import type { Model, Operator, Subgraph, Tensor } from '../model/ir.ts';

/** A copy whose arrays and tensors/operators can be edited without touching the original. */
export function cloneModel(m: Model): Model {
  return {
    ...m,
    operatorCodes: m.operatorCodes.map((c) => ({ ...c })),
    subgraphs: m.subgraphs.map(
      (sg): Subgraph => ({
        ...sg,
        tensors: sg.tensors.map((t) => ({ ...t, shape: t.shape.slice() })),
        operators: sg.operators.map((o) => ({ ...o, inputs: o.inputs.slice(), outputs: o.outputs.slice() })),
        inputs: sg.inputs.slice(),
        outputs: sg.outputs.slice(),
      }),
    ),
    buffers: m.buffers.slice(),
    metadata: m.metadata.map((e) => ({ ...e })),
    signatureDefs: m.signatureDefs.map((s) => ({ ...s })),
    metadataBuffer: m.metadataBuffer?.slice(),
  };
}

/** A constant float32 tensor's values (copied: buffer data need not be 4-byte aligned). */
export function floatData(t: Tensor): Float32Array {
  if (!t.data) throw new Error(`tensor ${t.index} '${t.name}' has no constant data`);
  if (t.dtype !== 'float32') throw new Error(`tensor ${t.index} '${t.name}' is ${t.dtype}, expected float32`);
  return new Float32Array(t.data.slice().buffer);
}

/** Store bytes in a new buffer and point the tensor at it. */
export function setConstant(m: Model, t: Tensor, bytes: Uint8Array): void {
  m.buffers.push(bytes);
  t.buffer = m.buffers.length - 1;
  t.data = bytes;
}

export function bytesOf(a: Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Index of the operator code for a builtin op, added (with `version`) when missing. */
export function opcodeFor(m: Model, builtinCode: number, version: number): number {
  const i = m.operatorCodes.findIndex((c) => c.builtinCode === builtinCode && c.customCode === undefined);
  if (i >= 0) {
    m.operatorCodes[i].version = Math.max(m.operatorCodes[i].version, version);
    return i;
  }
  // deprecated_builtin_code is an int8 field: codes above 127 store the placeholder 127.
  m.operatorCodes.push({ builtinCode, deprecatedBuiltinCode: Math.min(builtinCode, 127), version });
  return m.operatorCodes.length - 1;
}

export function newOperator(
  m: Model,
  op: string,
  builtinCode: number,
  version: number,
  inputs: number[],
  outputs: number[],
): Operator {
  return {
    index: -1,
    opcodeIndex: opcodeFor(m, builtinCode, version),
    builtinCode,
    op,
    known: true,
    inputs,
    outputs,
    intermediates: [],
    options: {},
  };
}

/** Drop buffers no tensor or metadata entry refers to any more, renumbering the rest. */
export function compactBuffers(m: Model): void {
  const used = new Set<number>([0]);
  for (const sg of m.subgraphs) for (const t of sg.tensors) used.add(t.buffer);
  for (const e of m.metadata) used.add(e.buffer);
  for (const b of m.metadataBuffer ?? []) used.add(b);
  const remap = new Map<number, number>();
  const kept: Uint8Array[] = [];
  m.buffers.forEach((b, i) => {
    if (!used.has(i)) return;
    remap.set(i, kept.length);
    kept.push(b);
  });
  m.buffers = kept;
  for (const sg of m.subgraphs) for (const t of sg.tensors) t.buffer = remap.get(t.buffer)!;
  for (const e of m.metadata) e.buffer = remap.get(e.buffer)!;
  if (m.metadataBuffer) m.metadataBuffer = m.metadataBuffer.map((b) => remap.get(b)!);
}
