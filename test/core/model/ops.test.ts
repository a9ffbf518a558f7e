/** Every op of issue 2's list: options encode, decode and round-trip; unknown ops never crash. */
import { describe, expect, it } from 'vitest';
import {
  OPTIONS_FOR_OP,
  SUPPORTED_OPS,
  builtinCodeOf,
  builtinName,
  defaultOptions,
  readTflite,
  summarize,
  writeTflite,
  type Model,
  type OptionValue,
} from '../../../src-main/core/model/index.ts';
import { readFixture } from '../../helpers/fixtures.ts';

/** A one-op model: input tensor 0 → op → output tensor 1. */
function oneOp(
  op: string,
  builtinCode: number,
  options: Record<string, OptionValue>,
  optionsTable?: string,
): Model {
  const tensor = (index: number) => ({
    index,
    name: `t${index}`,
    dtype: 'int8' as const,
    shape: [1, 4],
    buffer: 0,
    data: null,
    quantization: { scale: [0.5], zeroPoint: [-3], axis: 0 },
    isVariable: false,
  });
  return {
    version: 3,
    description: 'synthetic',
    buffers: [new Uint8Array(0)],
    metadata: [],
    signatureDefs: [],
    parameters: {},
    operatorCodes: [{ builtinCode, deprecatedBuiltinCode: Math.min(builtinCode, 127), version: 1 }],
    subgraphs: [
      {
        name: 'main',
        inputs: [0],
        outputs: [1],
        tensors: [tensor(0), tensor(1)],
        operators: [
          {
            index: 0,
            opcodeIndex: 0,
            builtinCode,
            op,
            known: true,
            inputs: [0],
            outputs: [1],
            intermediates: [],
            options,
            optionsTable,
          },
        ],
      },
    ],
  };
}

/** Non-default values for every field of an options table. */
function nonDefault(table: string): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const [k, v] of Object.entries(defaultOptions(table))) {
    if (typeof v === 'boolean') out[k] = !v;
    else if (typeof v === 'number')
      out[k] = k.includes('clip') || k === 'beta' || k === 'alpha' ? 0.25 : v + 2;
    else if (v === null) out[k] = [1, -1, 3];
    else if (k === 'padding') out[k] = v === 'SAME' ? 'VALID' : 'SAME';
    else if (k === 'fused_activation_function') out[k] = 'RELU6';
    else if (k === 'weights_format') out[k] = 'SHUFFLED4x16INT8';
    else out[k] = 'INT16'; // TensorType fields
  }
  return out;
}

describe("issue 2's op list", () => {
  it('has 44 ops (35 of issue 2, SUM, REDUCE_MAX, REDUCE_MIN, BATCH_MATMUL, then issue 15: SVDF, CAST, DIV, MINIMUM, MAXIMUM), each a known builtin', () => {
    // rule: the reader marks an op known only when it is in this list and its options decode; the
    // summary does not call an op the core runs in issue 15's models (keyword_scrambled's SVDF, the
    // audio preprocessor's CAST/DIV/MINIMUM/MAXIMUM) unsupported
    expect(SUPPORTED_OPS.size).toBe(44);
    for (const op of SUPPORTED_OPS) expect(builtinName(builtinCodeOf(op)!)).toBe(op);
  });

  it.each([...SUPPORTED_OPS])('%s: options round-trip through write → read, op is known', (op) => {
    const code = builtinCodeOf(op)!;
    const table = OPTIONS_FOR_OP[op];
    const options = table ? nonDefault(table) : {};
    const again = readTflite(writeTflite(oneOp(op, code, options, table)));
    const read = again.subgraphs[0].operators[0];
    expect(read.op).toBe(op);
    expect(read.builtinCode).toBe(code);
    expect(read.known).toBe(true);
    expect(read.optionsTable).toBe(table);
    expect(read.options).toEqual(options);
    if (table) expect(Object.keys(options).length).toBe(Object.keys(defaultOptions(table)).length);
  });

  it('CONV_2D decodes to the documented keys', () => {
    expect(Object.keys(defaultOptions('Conv2DOptions'))).toEqual([
      'padding',
      'stride_w',
      'stride_h',
      'fused_activation_function',
      'dilation_w_factor',
      'dilation_h_factor',
      'quantized_bias_type',
    ]);
    expect(defaultOptions('Conv2DOptions')).toMatchObject({
      padding: 'SAME',
      dilation_w_factor: 1,
      fused_activation_function: 'NONE',
    });
    expect(Object.keys(defaultOptions('FullyConnectedOptions'))).toEqual([
      'fused_activation_function',
      'weights_format',
      'keep_num_dims',
      'asymmetric_quantize_inputs',
      'quantized_bias_type',
    ]);
    expect(defaultOptions('AddOptions')).toEqual({
      fused_activation_function: 'NONE',
      pot_scale_int16: true,
    });
    expect(defaultOptions('ResizeBilinearOptions')).toEqual({
      align_corners: false,
      half_pixel_centers: false,
    });
  });
});

describe('ops outside the list', () => {
  it('an op QuantScope does not support is shown by name, unsupported, options still decoded', () => {
    const m = readTflite(writeTflite(oneOp('GELU', 150, { approximate: true }, 'GeluOptions')));
    const op = m.subgraphs[0].operators[0];
    expect(op).toMatchObject({ op: 'GELU', known: false, options: { approximate: true } });
    const s = summarize(m);
    expect(s.layers[0]).toMatchObject({ op: 'GELU', supported: false, macs: 0 });
  });

  it('a builtin code beyond the table and a custom op never crash', () => {
    const future = readTflite(writeTflite(oneOp('BUILTIN_400', 400, {})));
    expect(future.subgraphs[0].operators[0]).toMatchObject({
      op: 'BUILTIN_400',
      known: false,
      builtinCode: 400,
    });

    // a custom op QuantScope does not have is read, named and unknown; its options kept raw
    const custom = oneOp('CUSTOM', 32, {});
    custom.operatorCodes[0].customCode = 'PosenetDecoderOp';
    custom.subgraphs[0].operators[0].customOptions = new Uint8Array([1, 2, 3, 4]);
    const read = readTflite(writeTflite(custom)).subgraphs[0].operators[0];
    expect(read).toMatchObject({ op: 'PosenetDecoderOp', known: false, builtinCode: 32 });
    expect(Array.from(read.customOptions!)).toEqual([1, 2, 3, 4]);
    // one it has (SUPPORTED_CUSTOM_OPS) is known
    custom.operatorCodes[0].customCode = 'TFLite_Detection_PostProcess';
    expect(readTflite(writeTflite(custom)).subgraphs[0].operators[0]).toMatchObject({
      op: 'TFLite_Detection_PostProcess',
      known: true,
    });
  });

  it('codes ≥ 127 live in builtin_code; the effective code is max(deprecated, builtin)', () => {
    const m = readTflite(readFixture('models', 'hello_world_int8.tflite'));
    expect(m.operatorCodes[0]).toMatchObject({ deprecatedBuiltinCode: 9, builtinCode: 9 });
    const old = oneOp('FULLY_CONNECTED', 9, {}, undefined);
    old.operatorCodes[0] = { builtinCode: 0, deprecatedBuiltinCode: 9, version: 1 }; // pre-2.3 writers
    expect(readTflite(writeTflite(old)).subgraphs[0].operators[0].op).toBe('FULLY_CONNECTED');
  });
});

describe('operators built in code', () => {
  it('without optionsTable get the op’s usual options table', () => {
    const m = oneOp('CONV_2D', 3, { padding: 'VALID', stride_w: 2, stride_h: 2 });
    const read = readTflite(writeTflite(m)).subgraphs[0].operators[0];
    expect(read.optionsTable).toBe('Conv2DOptions');
    expect(read.options).toEqual({
      ...defaultOptions('Conv2DOptions'),
      padding: 'VALID',
      stride_w: 2,
      stride_h: 2,
    });
    // No options at all: nothing written, nothing read back.
    expect(readTflite(writeTflite(oneOp('QUANTIZE', 114, {}))).subgraphs[0].operators[0].options).toEqual({});
  });
});
