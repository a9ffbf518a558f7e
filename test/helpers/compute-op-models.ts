/**
 * One-op models for the compute-heavy op tests (reductions, resizes, BATCH_MATMUL,
 * TFLite_Detection_PostProcess): tensors described by dtype/shape/quantization/data, built in
 * the IR and serialized with the project's TFLite writer, so the C core reads ordinary files.
 * Builtin ops by name; a custom op by its custom code and flexbuffer options.
 */
import type { DType, Model, OptionValue, Tensor } from '../../src-main/core/model/ir.ts';
import { builtinCodeOf } from '../../src-main/core/model/tflite-schema.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import type { TensorData } from '../../src-main/core/simulate/tensor-data.ts';
import { irTensors } from './ir-models.ts';

export interface Spec {
  dtype: DType;
  shape: number[];
  /** Constant contents (typed array of the dtype), or absent for an activation. */
  data?: TensorData;
  /** [scale, zero point] */
  q?: [number, number];
}

export interface OpSpec {
  op: string;
  tensors: Spec[];
  inputs: number[];
  outputs: number[];
  options?: Record<string, OptionValue>;
  /** Custom op: its name (op is then 'CUSTOM') and flexbuffer options. */
  customCode?: string;
  customOptions?: Uint8Array;
}

/** The model (IR, read back from the written bytes, as a user's file would be). */
export function oneOpModel(s: OpSpec): Model {
  const { tensors, buffers } = irTensors(s.tensors);
  const custom = s.customCode !== undefined;
  const builtinCode = custom ? 32 : builtinCodeOf(s.op);
  if (builtinCode === undefined) throw new Error(`no builtin op ${s.op}`);
  const model: Model = {
    version: 3,
    description: 'compute-op test model',
    operatorCodes: [
      {
        builtinCode,
        deprecatedBuiltinCode: Math.min(builtinCode, 127),
        version: 1,
        ...(custom ? { customCode: s.customCode } : {}),
      },
    ],
    subgraphs: [
      {
        name: 'main',
        tensors,
        operators: [
          {
            index: 0,
            opcodeIndex: 0,
            builtinCode,
            op: custom ? (s.customCode as string) : s.op,
            known: !custom,
            inputs: s.inputs,
            outputs: s.outputs,
            intermediates: [],
            options: s.options ?? {},
            ...(custom && s.customOptions ? { customOptions: s.customOptions } : {}),
          },
        ],
        inputs: s.inputs.filter((i) => i >= 0 && !s.tensors[i].data),
        outputs: s.outputs,
      },
    ],
    buffers,
    metadata: [],
    signatureDefs: [],
    parameters: {},
  };
  return readTflite(writeTflite(model));
}

/**
 * A FlexBuffers map of numbers and booleans, as TFLite's converter (the C++ builder) writes custom
 * options: keys sorted, every value in an 8-byte slot (int64, double or bool). Written here because
 * the flatbuffers package's JS encoder stores a narrow float inside a wide slot, which the C++
 * reader (and the core's) then read at the slot's width.
 */
export function flexMap(values: Record<string, number | boolean>): Uint8Array {
  const keys = Object.keys(values).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bytes: number[] = [];
  const keyAt: number[] = [];
  for (const k of keys) {
    keyAt.push(bytes.length);
    for (const ch of Buffer.from(k, 'utf8')) bytes.push(ch);
    bytes.push(0);
  }
  while (bytes.length % 8) bytes.push(0);
  const u64 = (v: bigint) => {
    for (let i = 0; i < 8; i++) bytes.push(Number((v >> BigInt(8 * i)) & 0xffn));
  };
  u64(BigInt(keys.length)); // keys vector size, then one offset per key (back to its string)
  const keysVec = bytes.length;
  keys.forEach((_, i) => u64(BigInt(bytes.length - keyAt[i])));
  u64(BigInt(bytes.length - keysVec)); // map: keys vector offset, its byte width, size
  u64(8n);
  u64(BigInt(keys.length));
  const mapAt = bytes.length;
  const types: number[] = [];
  for (const k of keys) {
    const v = values[k];
    if (typeof v === 'boolean') {
      u64(v ? 1n : 0n);
      types.push((26 << 2) | 3);
    } else if (Number.isInteger(v)) {
      u64(BigInt.asUintN(64, BigInt(v)));
      types.push((1 << 2) | 3);
    } else {
      const b = new DataView(new ArrayBuffer(8));
      b.setFloat64(0, v, true);
      u64(b.getBigUint64(0, true));
      types.push((3 << 2) | 3);
    }
  }
  bytes.push(...types);
  while (bytes.length % 8) bytes.push(0);
  u64(BigInt(bytes.length - mapAt)); // root: offset back to the map
  bytes.push((9 << 2) | 3, 8);
  return Uint8Array.from(bytes);
}
