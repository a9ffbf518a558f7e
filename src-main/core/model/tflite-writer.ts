/**
 * Graph IR → TFLite flatbuffer. `Model.buffers` is authoritative for constant data (`Tensor.data`
 * is a view of it and is not written separately). Buffer data is 16-byte aligned in the file, as
 * the schema asks (`force_align: 16`). Fields equal to their schema default are omitted, as flatc
 * does; reading the result gives back the same IR.
 */
import { Builder, type Offset } from 'flatbuffers';
import type {
  Model,
  Operator,
  OperatorCode,
  OptionValue,
  Quantization,
  SignatureDef,
  Subgraph,
  Tensor,
} from './ir.ts';
import {
  alignedBytes,
  boolVector,
  float32Vector,
  int32Vector,
  int64Vector,
  offsetVector,
} from './fb-writer.ts';
import { OPTIONS_FOR_OP, type OptionTable, optionTableByName } from './tflite-options.ts';
import { ENUMS, FILE_IDENTIFIER, tensorTypeCode } from './tflite-schema.ts';

export interface WriteOptions {
  /** Write even when the model carries schema features the IR dropped (Model.lossy). */
  allowLossy?: boolean;
}

export function writeTflite(model: Model, opts: WriteOptions = {}): Uint8Array {
  if (model.lossy?.length && !opts.allowLossy) {
    throw new Error(
      `cannot write this model without losing data: ${model.lossy.slice(0, 3).join('; ')}${model.lossy.length > 3 ? ` (+${model.lossy.length - 3} more)` : ''}`,
    );
  }
  const dataBytes = model.buffers.reduce((n, x) => n + x.length + 16, 0);
  const b = new Builder(dataBytes + 65536);

  // Buffers first: the Builder writes back to front, so the bulky data ends up at the file's end.
  const buffers = offsetVector(
    b,
    model.buffers.map((data) => {
      const d = data.length > 0 ? alignedBytes(b, data, 16) : 0;
      b.startObject(3);
      if (d) b.addFieldOffset(0, d, 0);
      return b.endObject();
    }),
  );
  const opcodes = offsetVector(
    b,
    model.operatorCodes.map((c) => writeOperatorCode(b, c)),
  );
  const subgraphs = offsetVector(
    b,
    model.subgraphs.map((sg, i) => writeSubgraph(b, sg, i)),
  );
  const description = model.description ? b.createString(model.description) : 0;
  const metadataBuffer = model.metadataBuffer ? int32Vector(b, model.metadataBuffer) : 0;
  const metadata = offsetVector(
    b,
    model.metadata.map((e) => {
      const name = b.createString(e.name);
      b.startObject(2);
      b.addFieldOffset(0, name, 0);
      b.addFieldInt32(1, e.buffer, 0);
      return b.endObject();
    }),
  );
  const signatures = model.signatureDefs.length
    ? offsetVector(
        b,
        model.signatureDefs.map((s) => writeSignature(b, s)),
      )
    : 0;

  b.startObject(8);
  b.addFieldInt32(0, model.version, 0);
  b.addFieldOffset(1, opcodes, 0);
  b.addFieldOffset(2, subgraphs, 0);
  if (description) b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffers, 0);
  if (metadataBuffer) b.addFieldOffset(5, metadataBuffer, 0);
  if (model.metadata.length) b.addFieldOffset(6, metadata, 0);
  if (signatures) b.addFieldOffset(7, signatures, 0);
  b.finish(b.endObject(), FILE_IDENTIFIER);
  // Copy out: the Builder's array has free space in front of the data.
  return b.asUint8Array().slice();
}

function writeOperatorCode(b: Builder, c: OperatorCode): Offset {
  const custom = c.customCode !== undefined ? b.createString(c.customCode) : 0;
  b.startObject(4);
  b.addFieldInt8(0, c.deprecatedBuiltinCode, 0);
  if (custom) b.addFieldOffset(1, custom, 0);
  b.addFieldInt32(2, c.version, 1);
  b.addFieldInt32(3, c.builtinCode, 0);
  return b.endObject();
}

function writeSubgraph(b: Builder, sg: Subgraph, index: number): Offset {
  const tensors = offsetVector(
    b,
    sg.tensors.map((t) => writeTensor(b, t, index)),
  );
  const inputs = int32Vector(b, sg.inputs);
  const outputs = int32Vector(b, sg.outputs);
  const operators = offsetVector(
    b,
    sg.operators.map((op) => writeOperator(b, op, index)),
  );
  const name = sg.name ? b.createString(sg.name) : 0;
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldOffset(3, operators, 0);
  if (name) b.addFieldOffset(4, name, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: Tensor, sgIndex: number): Offset {
  if (t.dtype === 'unknown')
    throw new Error(`cannot write subgraph ${sgIndex} tensor ${t.index} ('${t.name}'): its dtype is unknown`);
  const shape = int32Vector(b, t.shape);
  const name = b.createString(t.name);
  const quant = t.quantization ? writeQuantization(b, t.quantization) : 0;
  const sig = t.shapeSignature ? int32Vector(b, t.shapeSignature) : 0;
  b.startObject(9);
  b.addFieldOffset(0, shape, 0);
  b.addFieldInt8(1, tensorTypeCode(t.dtype), 0);
  b.addFieldInt32(2, t.buffer, 0);
  b.addFieldOffset(3, name, 0);
  if (quant) b.addFieldOffset(4, quant, 0);
  b.addFieldInt8(5, t.isVariable ? 1 : 0, 0);
  if (sig) b.addFieldOffset(7, sig, 0);
  b.addFieldInt8(8, t.hasRank ? 1 : 0, 0);
  return b.endObject();
}

function writeQuantization(b: Builder, q: Quantization): Offset {
  const min = q.min ? float32Vector(b, q.min) : 0;
  const max = q.max ? float32Vector(b, q.max) : 0;
  const scale = float32Vector(b, q.scale);
  const zeroPoint = int64Vector(b, q.zeroPoint);
  b.startObject(7);
  if (min) b.addFieldOffset(0, min, 0);
  if (max) b.addFieldOffset(1, max, 0);
  b.addFieldOffset(2, scale, 0);
  b.addFieldOffset(3, zeroPoint, 0);
  b.addFieldInt32(6, q.axis, 0);
  return b.endObject();
}

function writeOperator(b: Builder, op: Operator, sgIndex: number): Offset {
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  const intermediates = op.intermediates.length ? int32Vector(b, op.intermediates) : 0;
  const custom = op.customOptions ? alignedBytes(b, op.customOptions, 1) : 0;
  const mutating = op.mutatingVariableInputs ? boolVector(b, op.mutatingVariableInputs) : 0;
  let unionType = 0;
  let options = 0;
  // Operators built in code may leave optionsTable out: the op's usual table is implied.
  const table = op.optionsTable ?? (Object.keys(op.options).length ? OPTIONS_FOR_OP[op.op] : undefined);
  if (table) {
    const spec = optionTableByName(table);
    if (!spec)
      throw new Error(
        `cannot write subgraph ${sgIndex} operator ${op.index}: unknown options table '${table}'`,
      );
    unionType = spec.unionType;
    options = writeOptions(b, spec, op.options, `subgraph ${sgIndex} operator ${op.index} (${op.op})`);
  }
  b.startObject(9);
  b.addFieldInt32(0, op.opcodeIndex, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  b.addFieldInt8(3, unionType, 0);
  if (options) b.addFieldOffset(4, options, 0);
  if (custom) b.addFieldOffset(5, custom, 0);
  if (mutating) b.addFieldOffset(7, mutating, 0);
  if (intermediates) b.addFieldOffset(8, intermediates, 0);
  return b.endObject();
}

function writeOptions(
  b: Builder,
  spec: OptionTable,
  values: Record<string, OptionValue>,
  where: string,
): Offset {
  const bad = (name: string, v: unknown): never => {
    throw new Error(
      `cannot write ${where}: option ${name} = ${JSON.stringify(v)} is not a valid ${spec.name} value`,
    );
  };
  const num = (name: string, v: OptionValue | undefined, dflt: number): number => {
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return typeof v === 'number' && Number.isFinite(v) ? v : bad(name, v);
  };
  // Offsets (vectors, strings) must be created before the table is started.
  const offsets = new Map<string, Offset>();
  for (const f of spec.fields) {
    const v = values[f.name];
    if (v === undefined || v === null) continue;
    if (f.type.startsWith('[')) {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) bad(f.name, v);
      const arr = v as number[];
      offsets.set(
        f.name,
        f.type === '[float]'
          ? float32Vector(b, arr)
          : f.type === '[long]'
            ? int64Vector(b, arr)
            : int32Vector(b, arr),
      );
    } else if (f.type === 'string') {
      if (typeof v !== 'string') bad(f.name, v);
      offsets.set(f.name, b.createString(v as string));
    }
  }
  b.startObject(Math.max(0, ...spec.fields.map((f) => f.id + 1)));
  for (const f of spec.fields) {
    const v = values[f.name];
    const off = offsets.get(f.name);
    if (off !== undefined) b.addFieldOffset(f.id, off, 0);
    else if (f.type === 'float') b.addFieldFloat32(f.id, num(f.name, v, f.dflt), f.dflt);
    else if (f.type === 'long')
      b.addFieldInt64(f.id, BigInt(Math.trunc(num(f.name, v, f.dflt))), BigInt(f.dflt));
    else if (f.type === 'int' || f.type === 'uint') b.addFieldInt32(f.id, num(f.name, v, f.dflt), f.dflt);
    else if (f.type === 'bool') b.addFieldInt8(f.id, num(f.name, v, f.dflt) ? 1 : 0, f.dflt);
    else if (!f.type.startsWith('[') && f.type !== 'string') {
      // Enum (byte): schema name → value; raw numbers pass through.
      const code = typeof v === 'string' ? (ENUMS[f.type]?.indexOf(v) ?? -1) : num(f.name, v, f.dflt);
      if (code < 0) bad(f.name, v);
      b.addFieldInt8(f.id, code, f.dflt);
    }
  }
  return b.endObject();
}

function writeSignature(b: Builder, s: SignatureDef): Offset {
  const maps = (list: SignatureDef['inputs']) =>
    offsetVector(
      b,
      list.map((m) => {
        const name = b.createString(m.name);
        b.startObject(2);
        b.addFieldOffset(0, name, 0);
        b.addFieldInt32(1, m.tensorIndex, 0);
        return b.endObject();
      }),
    );
  const inputs = maps(s.inputs);
  const outputs = maps(s.outputs);
  const key = b.createString(s.signatureKey);
  b.startObject(5);
  b.addFieldOffset(0, inputs, 0);
  b.addFieldOffset(1, outputs, 0);
  b.addFieldOffset(2, key, 0);
  b.addFieldInt32(4, s.subgraphIndex, 0);
  return b.endObject();
}
