/**
 * MLTK model parameters: the `SL_PARAMSv1` metadata entry of a .tflite, a flatbuffer dictionary
 * (SiliconLabs MLTK `dictionary.fbs`, no file identifier):
 *   Dictionary { schema_version: uint8 (0); entries: [Entry] (1) }
 *   Entry      { key: string (0); value: union Value (type 1, table 2) }
 *   Value      1 bool, 2 int8, 3 uint8, 4 int16, 5 uint16, 6 int32, 7 uint32, 8 int64, 9 uint64,
 *              10 float, 11 double, 12 str, 13 str_list, 14 int32_list, 15 float_list, 16 bin;
 *              each a one-field table: `value` (scalars) or `data` (string/vectors), field id 0.
 * Entries keep their stored type through read → withParameters → write; numeric keys accept any
 * numeric type. Value types newer than schema version 1 (> 16) cannot be decoded and are dropped
 * on rewrite (reported by readTypedParameters with `type` as the raw number and value null).
 */
import { Builder } from 'flatbuffers';
import { FbReader, type ScalarKind } from './fb-reader.ts';
import { float32Vector, int32Vector, offsetVector } from './fb-writer.ts';
import type { Model, ParamValue } from './ir.ts';

export const PARAMETERS_TAG = 'SL_PARAMSv1';
const SCHEMA_VERSION = 1;

export const PARAM_TYPES = [
  'bool',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float',
  'double',
  'str',
  'str_list',
  'int32_list',
  'float_list',
  'bin',
] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export interface TypedParam {
  type: ParamType | number;
  value: ParamValue | null;
}

const SCALARS: Partial<Record<ParamType, ScalarKind>> = {
  bool: 'bool',
  int8: 'i8',
  uint8: 'u8',
  int16: 'i16',
  uint16: 'u16',
  int32: 'i32',
  uint32: 'u32',
  int64: 'i64',
  uint64: 'u64',
  float: 'f32',
  double: 'f64',
};

/** Decode a serialized dictionary (throws ModelFormatError naming the bad entry). */
export function decodeParameters(bytes: Uint8Array): Record<string, TypedParam> {
  const r = new FbReader(bytes, `Bad ${PARAMETERS_TAG} metadata: `);
  const root = r.root('dictionary');
  const version = root.u8(0, 'schema_version');
  if (version === 0 || version > SCHEMA_VERSION)
    r.fail(`unsupported dictionary schema_version ${version} (expected ${SCHEMA_VERSION})`);
  const out: Record<string, TypedParam> = {};
  for (const e of root.tables(1, 'entries', 'entry')) {
    const key = e.string(0, 'key') ?? '';
    const code = e.u8(1, 'value_type');
    const type = PARAM_TYPES[code - 1];
    const v = e.table(2, 'value');
    if (!type || !v) {
      out[key] = { type: type ?? code, value: null };
      continue;
    }
    const scalar = SCALARS[type];
    let value: ParamValue;
    if (scalar) {
      const p = v.field(0, sizeOf(scalar), 'value');
      value = p ? readScalarAt(r, p, scalar, `${e.where} '${key}'`) : 0;
      if (type === 'bool') value = value !== 0;
    } else if (type === 'str') value = v.string(0, 'data') ?? '';
    else if (type === 'str_list') value = v.strings(0, 'data');
    else if (type === 'int32_list') value = v.numbers(0, 'data', 'i32') ?? [];
    else if (type === 'float_list') value = v.numbers(0, 'data', 'f32') ?? [];
    else {
      const data = v.bytes(0, 'data') ?? new Uint8Array(0);
      r.spend(data.length / 8, `${e.where} '${key}'`); // the copy costs its length
      value = data.slice();
    }
    out[key] = { type, value };
  }
  return out;
}

function sizeOf(k: ScalarKind): number {
  return { u8: 1, i8: 1, bool: 1, i16: 2, u16: 2, i32: 4, u32: 4, f32: 4, i64: 8, u64: 8, f64: 8 }[k];
}

function readScalarAt(r: FbReader, p: number, k: ScalarKind, where: string): number {
  switch (k) {
    case 'i16':
      r.check(p, 2, where);
      return r.bb.readInt16(p);
    case 'bool':
    case 'u8':
      return r.u8(p, where);
    case 'i8':
      return r.i8(p, where);
    case 'u16':
      return r.u16(p, where);
    case 'i32':
      return r.i32(p, where);
    case 'u32':
      return r.u32(p, where);
    case 'f32':
      return r.f32(p, where);
    case 'i64':
      return r.i64(p, where);
    case 'u64':
      return r.u64(p, where);
    case 'f64':
      return r.f64(p, where);
  }
}

function entryBytes(model: Model): Uint8Array | null {
  const e = model.metadata.find((m) => m.name === PARAMETERS_TAG);
  return e ? (model.buffers[e.buffer] ?? null) : null;
}

/** The model's parameters with their stored types ({} when the model has none). */
export function readTypedParameters(model: Model): Record<string, TypedParam> {
  const bytes = entryBytes(model);
  return bytes ? decodeParameters(bytes) : {};
}

/** The model's parameters as plain values ({} when none; undecodable types are left out). */
export function readParameters(model: Model): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, p] of Object.entries(readTypedParameters(model))) if (p.value !== null) out[k] = p.value;
  return out;
}

/** The type MLTK would choose for a plain value (smallest integer type that holds it, float32 when exact range allows). */
export function inferParamType(v: ParamValue): ParamType {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bin';
  if (Array.isArray(v)) {
    if (v.length === 0 || typeof v[0] === 'string') return 'str_list';
    return (v as number[]).every(Number.isInteger) ? 'int32_list' : 'float_list';
  }
  if (Number.isInteger(v)) {
    if (v < 0) return v >= -128 ? 'int8' : v >= -32768 ? 'int16' : v >= -(2 ** 31) ? 'int32' : 'int64';
    return v < 256 ? 'uint8' : v < 65536 ? 'uint16' : v < 2 ** 32 ? 'uint32' : 'uint64';
  }
  return Math.abs(v) <= 3.4e38 ? 'float' : 'double';
}

/** Does a value fit a stored type? (Used to keep an entry's type when its value changes.) */
function fits(type: ParamType, v: ParamValue): boolean {
  const range: Partial<Record<ParamType, [number, number]>> = {
    int8: [-128, 127],
    uint8: [0, 255],
    int16: [-32768, 32767],
    uint16: [0, 65535],
    int32: [-(2 ** 31), 2 ** 31 - 1],
    uint32: [0, 2 ** 32 - 1],
    int64: [-(2 ** 63), 2 ** 63],
    uint64: [0, 2 ** 64],
  };
  if (type === 'bool') return typeof v === 'boolean';
  if (type === 'float' || type === 'double') return typeof v === 'number';
  const r = range[type];
  if (r) return typeof v === 'number' && Number.isInteger(v) && v >= r[0] && v <= r[1];
  return (
    inferParamType(v) === type ||
    (type === 'float_list' && Array.isArray(v) && v.every((x) => typeof x === 'number'))
  );
}

/** Serialize a dictionary; plain values get their previous type when it still fits, else an inferred one. */
export function encodeParameters(
  params: Record<string, ParamValue | TypedParam>,
  previous: Record<string, TypedParam> = {},
): Uint8Array {
  const b = new Builder(1024);
  const entries: number[] = [];
  for (const [key, given] of Object.entries(params)) {
    const typed = isTyped(given) ? given : null;
    const value = typed ? typed.value : (given as ParamValue);
    if (value === null) continue; // undecodable type: nothing to write
    const prev = previous[key]?.type;
    const type: ParamType | number = typed
      ? typed.type
      : typeof prev === 'string' && fits(prev, value)
        ? prev
        : inferParamType(value);
    if (typeof type === 'number') continue;
    const valueTable = writeValue(b, type, value, key);
    const k = b.createString(key);
    b.startObject(3);
    b.addFieldOffset(0, k, 0);
    b.addFieldInt8(1, PARAM_TYPES.indexOf(type) + 1, 0);
    b.addFieldOffset(2, valueTable, 0);
    entries.push(b.endObject());
  }
  const list = offsetVector(b, entries);
  b.startObject(2);
  b.addFieldInt8(0, SCHEMA_VERSION, 0);
  b.addFieldOffset(1, list, 0);
  b.finish(b.endObject());
  return b.asUint8Array().slice();
}

function isTyped(v: unknown): v is TypedParam {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && 'type' in v
  );
}

function writeValue(b: Builder, type: ParamType, v: ParamValue, key: string): number {
  const bad = (): never => {
    throw new Error(`parameter '${key}': value ${JSON.stringify(v)} cannot be stored as ${type}`);
  };
  let data = 0;
  if (type === 'str') data = typeof v === 'string' ? b.createString(v) : bad();
  else if (type === 'str_list')
    data = Array.isArray(v)
      ? offsetVector(
          b,
          (v as unknown[]).map((s) => b.createString(String(s))),
        )
      : bad();
  else if (type === 'int32_list') data = Array.isArray(v) ? int32Vector(b, v as number[]) : bad();
  else if (type === 'float_list') data = Array.isArray(v) ? float32Vector(b, v as number[]) : bad();
  else if (type === 'bin') data = v instanceof Uint8Array ? b.createByteVector(v) : bad();
  b.startObject(1);
  if (data) b.addFieldOffset(0, data, 0);
  else {
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : bad();
    switch (type) {
      case 'bool':
      case 'int8':
      case 'uint8':
        b.addFieldInt8(0, n, null);
        break;
      case 'int16':
      case 'uint16':
        b.addFieldInt16(0, n, null);
        break;
      case 'int32':
      case 'uint32':
        b.addFieldInt32(0, n, null);
        break;
      case 'int64':
      case 'uint64':
        b.addFieldInt64(0, BigInt(Math.trunc(n)), null);
        break;
      case 'float':
        b.addFieldFloat32(0, n, null);
        break;
      case 'double':
        b.addFieldFloat64(0, n, null);
        break;
    }
  }
  return b.endObject();
}

/**
 * A model whose SL_PARAMSv1 metadata holds `params` (replacing the old dictionary; a new buffer and
 * metadata entry are appended when the model had none). The input model is not modified.
 */
export function withParameters(model: Model, params: Record<string, ParamValue | TypedParam>): Model {
  const previous = readTypedParameters(model);
  const bytes = encodeParameters(params, previous);
  const buffers = [...model.buffers];
  const metadata = model.metadata.map((m) => ({ ...m }));
  const entry = metadata.find((m) => m.name === PARAMETERS_TAG);
  if (entry && entry.buffer !== 0) buffers[entry.buffer] = bytes;
  else {
    buffers.push(bytes);
    if (entry) entry.buffer = buffers.length - 1;
    else metadata.push({ name: PARAMETERS_TAG, buffer: buffers.length - 1 });
  }
  const next: Model = { ...model, buffers, metadata };
  next.parameters = readParameters(next);
  return next;
}
