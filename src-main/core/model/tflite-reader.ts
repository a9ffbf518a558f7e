/**
 * TFLite flatbuffer → graph IR. Every offset, index and size read from the file is validated;
 * malformed input raises ModelFormatError naming the problem and its location.
 */
import type {
  MetadataEntry,
  Model,
  Operator,
  OperatorCode,
  Quantization,
  SignatureDef,
  SignatureTensor,
  Subgraph,
  Tensor,
} from './ir.ts';
import { ModelFormatError } from './errors.ts';
import { FbReader, type Table } from './fb-reader.ts';
import { readParameters } from './parameters.ts';
import { checkTfliteHeader } from './tflite-header.ts';
import { decodeOptions, optionTableByType } from './tflite-options.ts';
import {
  BUILTIN_CUSTOM,
  SUPPORTED_CUSTOM_OPS,
  SUPPORTED_OPS,
  builtinName,
  dtypeOf,
} from './tflite-schema.ts';

export function readTflite(bytes: Uint8Array): Model {
  checkTfliteHeader(bytes);
  const r = new FbReader(bytes, 'Not a TFLite model: ');
  const root = r.root('model');

  const operatorCodes = root.tables(1, 'operator_codes', 'operator code').map(readOperatorCode);
  const buffers = root.tables(4, 'buffers', 'buffer').map((t) => readBuffer(r, t));
  const lossy: string[] = [];
  const subgraphs = root
    .tables(2, 'subgraphs', 'subgraph')
    .map((t, i) => readSubgraph(t, i, { codes: operatorCodes, buffers, lossy }));

  const metadata: MetadataEntry[] = root.tables(6, 'metadata', 'metadata').map((t) => {
    const buffer = t.u32(1, 'buffer');
    checkIndex(r, buffer, buffers.length, `${t.where}.buffer`, 'buffer');
    return { name: t.string(0, 'name') ?? '', buffer };
  });

  const model: Model = {
    version: root.u32(0, 'version'),
    description: root.string(3, 'description') ?? '',
    operatorCodes,
    subgraphs,
    buffers,
    metadata,
    signatureDefs: root
      .tables(7, 'signature_defs', 'signature def')
      .map((t) => readSignatureDef(r, t, subgraphs)),
    parameters: {},
  };
  const metadataBuffer = root.numbers(5, 'metadata_buffer', 'i32');
  if (metadataBuffer) {
    metadataBuffer.forEach((b, i) =>
      checkIndex(r, b, buffers.length, `model.metadata_buffer[${i}]`, 'buffer'),
    );
    model.metadataBuffer = metadataBuffer;
  }
  // Bad MLTK parameters should not make the model unopenable: keep the reason instead.
  try {
    model.parameters = readParameters(model);
  } catch (e) {
    if (!(e instanceof ModelFormatError)) throw e;
    model.parametersError = e.message;
  }
  if (lossy.length) model.lossy = lossy;
  return model;
}

function checkIndex(r: FbReader, i: number, n: number, where: string, what: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= n)
    r.fail(`${where}: ${what} index ${i} out of range (${n} ${what}s)`);
}

function readOperatorCode(t: Table): OperatorCode {
  const code: OperatorCode = {
    deprecatedBuiltinCode: t.i8(0, 'deprecated_builtin_code'),
    builtinCode: t.i32(3, 'builtin_code'),
    version: t.i32(2, 'version', 1),
  };
  const custom = t.string(1, 'custom_code');
  if (custom !== null) code.customCode = custom;
  return code;
}

function readBuffer(r: FbReader, t: Table): Uint8Array {
  const data = t.bytes(0, 'data');
  if (data) return data;
  // Models over 2 GB keep buffers outside the flatbuffer: offset/size relative to the file start.
  const offset = t.u64(1, 'offset');
  const size = t.u64(2, 'size');
  if (offset > 1) {
    r.check(offset, size, `${t.where} (external data)`);
    return r.bytes.subarray(offset, offset + size);
  }
  return new Uint8Array(0);
}

interface Context {
  codes: OperatorCode[];
  buffers: Uint8Array[];
  /** Schema features found that the IR does not carry. */
  lossy: string[];
}

function readSubgraph(t: Table, index: number, ctx: Context): Subgraph {
  const r = t.r;
  const at = `subgraph ${index}`;
  const tensors = t.tables(0, 'tensors', `${at} tensor`).map((tt, i) => readTensor(tt, i, ctx));
  const n = tensors.length;
  const ioList = (id: number, name: string): number[] => {
    const list = t.numbers(id, name, 'i32') ?? [];
    list.forEach((x, i) => checkIndex(r, x, n, `${at} ${name}[${i}]`, 'tensor'));
    return list;
  };
  return {
    name: t.string(4, 'name') ?? '',
    tensors,
    inputs: ioList(1, 'inputs'),
    outputs: ioList(2, 'outputs'),
    operators: t.tables(3, 'operators', `${at} operator`).map((ot, i) => readOperator(ot, i, n, ctx)),
  };
}

function readTensor(t: Table, index: number, ctx: Context): Tensor {
  const buffer = t.u32(2, 'buffer');
  checkIndex(t.r, buffer, ctx.buffers.length, `${t.where}.buffer`, 'buffer');
  const data = ctx.buffers[buffer];
  if (t.has(6)) ctx.lossy.push(`${t.where}: sparsity`);
  if (t.has(9)) ctx.lossy.push(`${t.where}: variant_tensors`);
  const tensor: Tensor = {
    index,
    name: t.string(3, 'name') ?? '',
    dtype: dtypeOf(t.i8(1, 'type')),
    shape: t.numbers(0, 'shape', 'i32') ?? [],
    buffer,
    data: data.length > 0 ? data : null,
    quantization: readQuantization(t.table(4, 'quantization'), ctx),
    isVariable: t.bool(5, 'is_variable'),
  };
  const sig = t.numbers(7, 'shape_signature', 'i32');
  if (sig) tensor.shapeSignature = sig;
  if (t.bool(8, 'has_rank')) tensor.hasRank = true;
  return tensor;
}

function readQuantization(q: Table | null, ctx: Context): Quantization | null {
  if (!q) return null;
  if (q.u8(4, 'details_type') !== 0) ctx.lossy.push(`${q.where}: custom quantization details`);
  const scale = q.numbers(2, 'scale', 'f32');
  const zeroPoint = q.numbers(3, 'zero_point', 'i64');
  const min = q.numbers(0, 'min', 'f32');
  const max = q.numbers(1, 'max', 'f32');
  // Converters write an empty table for float tensors: treat "no parameters" as unquantized.
  if (!scale?.length && !zeroPoint?.length && !min && !max) return null;
  const out: Quantization = {
    scale: scale ?? [],
    zeroPoint: zeroPoint ?? [],
    axis: q.i32(6, 'quantized_dimension'),
  };
  if (min) out.min = min;
  if (max) out.max = max;
  return out;
}

function readOperator(t: Table, index: number, nTensors: number, ctx: Context): Operator {
  const r = t.r;
  const opcodeIndex = t.u32(0, 'opcode_index');
  checkIndex(r, opcodeIndex, ctx.codes.length, `${t.where}.opcode_index`, 'operator code');
  const code = ctx.codes[opcodeIndex];
  const builtinCode = Math.max(code.deprecatedBuiltinCode, code.builtinCode);
  const op = builtinCode === BUILTIN_CUSTOM ? (code.customCode ?? 'CUSTOM') : builtinName(builtinCode);

  const tensorList = (id: number, name: string, optional: boolean): number[] => {
    const list = t.numbers(id, name, 'i32') ?? [];
    list.forEach((x, i) => {
      if (!(optional && x === -1)) checkIndex(r, x, nTensors, `${t.where}.${name}[${i}]`, 'tensor');
    });
    return list;
  };

  const operator: Operator = {
    index,
    opcodeIndex,
    builtinCode,
    op,
    known: false,
    inputs: tensorList(1, 'inputs', true),
    outputs: tensorList(2, 'outputs', true),
    intermediates: tensorList(8, 'intermediates', true),
    options: {},
  };

  const unionType = t.u8(3, 'builtin_options_type');
  let optionsKnown = unionType === 0;
  if (unionType !== 0) {
    const spec = optionTableByType(unionType);
    const table = t.table(4, 'builtin_options');
    if (spec) {
      operator.optionsTable = spec.name;
      if (table) operator.options = decodeOptions(spec, table);
      optionsKnown = true;
    } else ctx.lossy.push(`${t.where}: builtin options of unknown union type ${unionType}`);
  }
  const options2 = t.u8(11, 'builtin_options_2_type');
  if (options2 !== 0) ctx.lossy.push(`${t.where}: builtin_options_2 (type ${options2})`);
  operator.known =
    (builtinCode === BUILTIN_CUSTOM ? SUPPORTED_CUSTOM_OPS.has(op) : SUPPORTED_OPS.has(op)) &&
    optionsKnown &&
    options2 === 0;

  const custom = t.bytes(5, 'custom_options') ?? largeCustomOptions(t);
  if (custom) operator.customOptions = custom;
  const mutating = t.numbers(7, 'mutating_variable_inputs', 'bool');
  if (mutating) operator.mutatingVariableInputs = mutating.map((b) => b !== 0);
  return operator;
}

/** Models over 2 GB keep custom options outside the flatbuffer (offset/size from the file start). */
function largeCustomOptions(t: Table): Uint8Array | null {
  const offset = t.u64(9, 'large_custom_options_offset');
  if (offset <= 1) return null;
  const size = t.u64(10, 'large_custom_options_size');
  t.r.check(offset, size, `${t.where} (external custom options)`);
  return t.r.bytes.subarray(offset, offset + size);
}

function readSignatureDef(r: FbReader, t: Table, subgraphs: Subgraph[]): SignatureDef {
  const subgraphIndex = t.u32(4, 'subgraph_index');
  checkIndex(r, subgraphIndex, subgraphs.length, `${t.where}.subgraph_index`, 'subgraph');
  const n = subgraphs[subgraphIndex].tensors.length;
  const maps = (id: number, name: string): SignatureTensor[] =>
    t.tables(id, name, `${t.where} ${name.slice(0, -1)}`).map((m) => {
      const tensorIndex = m.u32(1, 'tensor_index');
      checkIndex(r, tensorIndex, n, `${m.where}.tensor_index`, 'tensor');
      return { name: m.string(0, 'name') ?? '', tensorIndex };
    });
  return {
    signatureKey: t.string(2, 'signature_key') ?? '',
    subgraphIndex,
    inputs: maps(0, 'inputs'),
    outputs: maps(1, 'outputs'),
  };
}
