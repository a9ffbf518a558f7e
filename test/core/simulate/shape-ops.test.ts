/**
 * Ops the goldens do not cover, on one-op graphs built in the IR with hand-computed results:
 * PAD, PADV2, TRANSPOSE, CONCATENATION, PACK, STRIDED_SLICE, RESIZE_NEAREST_NEIGHBOR, SHAPE,
 * ARG_MAX, MEAN, SQUEEZE, EXPAND_DIMS, RELU, RELU6, TANH, SUB, MUL and float variants.
 */
import { describe, expect, it } from 'vitest';
import type { DType, Model, OptionValue, Tensor } from '../../../src-main/core/model/ir.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import type { TensorData } from '../../../src-main/core/simulate/tensor-data.ts';
import { builtinCodeOf } from '../../../src-main/core/model/tflite-schema.ts';
import { irTensors } from '../../helpers/ir-models.ts';

interface Spec {
  dtype: DType;
  shape: number[];
  data?: TensorData;
  q?: [number, number];
}

/**
 * A model with one op, consistent enough to serialize (the simulator is the C core, fed the
 * file bytes): tensors 0..n-1 are the specs, constants get buffers 1.., the op its operator code;
 * `inputs` are graph inputs (non-constant).
 */
function oneOp(
  op: string,
  specs: Spec[],
  opInputs: number[],
  opOutputs: number[],
  options: Record<string, OptionValue> = {},
): Model {
  const { tensors, buffers } = irTensors(specs);
  const graphInputs = opInputs.filter((i) => i >= 0 && !specs[i].data);
  const builtinCode = builtinCodeOf(op);
  if (builtinCode === undefined) throw new Error(`no builtin op ${op}`);
  return {
    version: 3,
    description: '',
    operatorCodes: [{ builtinCode, deprecatedBuiltinCode: Math.min(builtinCode, 127), version: 1 }],
    subgraphs: [
      {
        name: 'main',
        tensors,
        operators: [
          {
            index: 0,
            opcodeIndex: 0,
            builtinCode,
            op,
            known: true,
            inputs: opInputs,
            outputs: opOutputs,
            intermediates: [],
            options,
          },
        ],
        inputs: graphInputs,
        outputs: opOutputs,
      },
    ],
    buffers,
    metadata: [],
    signatureDefs: [],
    parameters: {},
  };
}

const run = (m: Model, ...inputs: TensorData[]): number[] =>
  Array.from(invoke(prepare(m), inputs).outputs[0].data as ArrayLike<number>, Number);
const Q: [number, number] = [0.5, 3];

describe('data movement', () => {
  it('PAD int8 pads with the output zero point; PADV2 with constant_values', () => {
    const pads = Int32Array.of(0, 0, 1, 2);
    const m = oneOp(
      'PAD',
      [
        { dtype: 'int8', shape: [1, 2], q: Q },
        { dtype: 'int32', shape: [2, 2], data: pads },
        { dtype: 'int8', shape: [1, 5], q: Q },
      ],
      [0, 1],
      [2],
    );
    expect(run(m, Int8Array.of(7, 8))).toEqual([3, 7, 8, 3, 3]);
    const m2 = oneOp(
      'PADV2',
      [
        { dtype: 'float32', shape: [2] },
        { dtype: 'int32', shape: [1, 2], data: Int32Array.of(1, 0) },
        { dtype: 'float32', shape: [], data: Float32Array.of(-1) },
        { dtype: 'float32', shape: [3] },
      ],
      [0, 1, 2],
      [3],
    );
    expect(run(m2, Float32Array.of(4, 5))).toEqual([-1, 4, 5]);
  });

  it('TRANSPOSE [2,3] -> [3,2]', () => {
    const m = oneOp(
      'TRANSPOSE',
      [
        { dtype: 'int8', shape: [2, 3], q: Q },
        { dtype: 'int32', shape: [2], data: Int32Array.of(1, 0) },
        { dtype: 'int8', shape: [3, 2], q: Q },
      ],
      [0, 1],
      [2],
    );
    expect(run(m, Int8Array.of(1, 2, 3, 4, 5, 6))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('CONCATENATION on the last axis, PACK on a new axis 0', () => {
    const c = oneOp(
      'CONCATENATION',
      [
        { dtype: 'int8', shape: [2, 1], q: Q },
        { dtype: 'int8', shape: [2, 2], q: Q },
        { dtype: 'int8', shape: [2, 3], q: Q },
      ],
      [0, 1],
      [2],
      { axis: -1 },
    );
    expect(run(c, Int8Array.of(1, 2), Int8Array.of(3, 4, 5, 6))).toEqual([1, 3, 4, 2, 5, 6]);
    const p = oneOp(
      'PACK',
      [
        { dtype: 'float32', shape: [2] },
        { dtype: 'float32', shape: [2] },
        { dtype: 'float32', shape: [2, 2] },
      ],
      [0, 1],
      [2],
      { axis: 1, values_count: 2 },
    );
    expect(run(p, Float32Array.of(1, 2), Float32Array.of(3, 4))).toEqual([1, 3, 2, 4]);
  });

  it('STRIDED_SLICE with stride 2, negative begin, shrink axis', () => {
    const m = oneOp(
      'STRIDED_SLICE',
      [
        { dtype: 'int8', shape: [2, 5], q: Q },
        { dtype: 'int32', shape: [2], data: Int32Array.of(1, -5) },
        { dtype: 'int32', shape: [2], data: Int32Array.of(2, 5) },
        { dtype: 'int32', shape: [2], data: Int32Array.of(1, 2) },
        { dtype: 'int8', shape: [3], q: Q },
      ],
      [0, 1, 2, 3],
      [4],
      { shrink_axis_mask: 1 },
    );
    expect(run(m, Int8Array.of(0, 1, 2, 3, 4, 10, 11, 12, 13, 14))).toEqual([10, 12, 14]);
  });

  it('RESIZE_NEAREST_NEIGHBOR 2x2 -> 4x4, and with half-pixel centers', () => {
    const spec = (hp: boolean) =>
      oneOp(
        'RESIZE_NEAREST_NEIGHBOR',
        [
          { dtype: 'int8', shape: [1, 2, 2, 1], q: Q },
          { dtype: 'int32', shape: [2], data: Int32Array.of(4, 4) },
          { dtype: 'int8', shape: [1, 4, 4, 1], q: Q },
        ],
        [0, 1],
        [2],
        {
          align_corners: false,
          half_pixel_centers: hp,
        },
      );
    const want = [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4];
    expect(run(spec(false), Int8Array.of(1, 2, 3, 4))).toEqual(want);
    expect(run(spec(true), Int8Array.of(1, 2, 3, 4))).toEqual(want);
  });

  it('SHAPE, SQUEEZE, EXPAND_DIMS', () => {
    expect(
      run(
        oneOp(
          'SHAPE',
          [
            { dtype: 'int8', shape: [1, 3, 2], q: Q },
            { dtype: 'int32', shape: [3] },
          ],
          [0],
          [1],
        ),
        new Int8Array(6),
      ),
    ).toEqual([1, 3, 2]);
    expect(
      run(
        oneOp(
          'SQUEEZE',
          [
            { dtype: 'int8', shape: [1, 3], q: Q },
            { dtype: 'int8', shape: [3], q: Q },
          ],
          [0],
          [1],
        ),
        Int8Array.of(4, 5, 6),
      ),
    ).toEqual([4, 5, 6]);
    const e = oneOp(
      'EXPAND_DIMS',
      [
        { dtype: 'float32', shape: [2] },
        { dtype: 'int32', shape: [], data: Int32Array.of(0) },
        { dtype: 'float32', shape: [1, 2] },
      ],
      [0, 1],
      [2],
    );
    expect(run(e, Float32Array.of(1.5, 2.5))).toEqual([1.5, 2.5]);
  });
});

describe('reductions', () => {
  it('ARG_MAX over the last axis (first index wins ties), int32 output', () => {
    const m = oneOp(
      'ARG_MAX',
      [
        { dtype: 'int8', shape: [2, 3], q: Q },
        { dtype: 'int32', shape: [1], data: Int32Array.of(-1) },
        { dtype: 'int32', shape: [2] },
      ],
      [0, 1],
      [2],
    );
    expect(run(m, Int8Array.of(1, 9, 9, -5, -6, -7))).toEqual([1, 0]);
  });

  it('MEAN int8, same quantization: the rounding fixed-point multiply (no integer-division shortcut)', () => {
    const m = oneOp(
      'MEAN',
      [
        { dtype: 'int8', shape: [1, 2, 2, 1], q: Q },
        { dtype: 'int32', shape: [2], data: Int32Array.of(1, 2) },
        { dtype: 'int8', shape: [1, 1], q: Q },
      ],
      [0, 1],
      [2],
      { keep_dims: false },
    );
    // TFLM's QuantizedMeanOrSum: (sum - 3*4) times 1/4 as multiplier 2^30, shift -1:
    // 7 - 12 = -5 -> SRDHM -2 (ties toward zero) -> RDBPOT(-2, 1) = -1 -> +3 = 2
    expect(run(m, Int8Array.of(1, 2, 2, 2))).toEqual([2]);
    // -7 - 12 = -19 -> SRDHM -9 -> RDBPOT(-9, 1) = -5 -> +3 = -2
    expect(run(m, Int8Array.of(-1, -2, -2, -2))).toEqual([-2]);
  });

  it("MEAN int8, 4-D over axes [1, 2] with keep_dims: TFLM's special integer path", () => {
    const m = oneOp(
      'MEAN',
      [
        { dtype: 'int8', shape: [1, 2, 2, 2], q: [0.5, -1] },
        { dtype: 'int32', shape: [2], data: Int32Array.of(1, 2) },
        { dtype: 'int8', shape: [1, 1, 1, 2], q: [0.25, 2] },
      ],
      [0, 1],
      [2],
      { keep_dims: true },
    );
    // channel 0: q 1,2,2,2 -> sum(q+1) = 11 -> *2 = 22 -> (22+2)/4 = 6 -> +2 = 8
    // channel 1: q -5,-6,-6,-7 -> sum = -20 -> -40 -> (-40-2)/4 = -10 (trunc) -> -8
    expect(run(m, Int8Array.of(1, -5, 2, -6, 2, -6, 2, -7))).toEqual([8, -8]);
  });

  it('MEAN int8 with rescaling: round(mean * s_in/s_out - zp_in * s_in/s_out) + zp_out', () => {
    const m = oneOp(
      'MEAN',
      [
        { dtype: 'int8', shape: [4], q: [0.5, 0] },
        { dtype: 'int32', shape: [1], data: Int32Array.of(0) },
        { dtype: 'int8', shape: [1], q: [0.25, 1] },
      ],
      [0, 1],
      [2],
      {
        keep_dims: false,
      },
    );
    expect(run(m, Int8Array.of(1, 2, 2, 2))).toEqual([5]); // mean 1.75 -> real 0.875 -> 3.5 -> 4 (+1)
  });

  it('MEAN float', () => {
    const m = oneOp(
      'MEAN',
      [
        { dtype: 'float32', shape: [2, 2] },
        { dtype: 'int32', shape: [1], data: Int32Array.of(0) },
        { dtype: 'float32', shape: [2] },
      ],
      [0, 1],
      [2],
    );
    expect(run(m, Float32Array.of(1, 2, 3, 5))).toEqual([2, 3.5]);
  });
});

describe('activations and arithmetic through prepare', () => {
  const unary = (op: string, inQ: [number, number], outQ: [number, number]) =>
    oneOp(
      op,
      [
        { dtype: 'int8', shape: [4], q: inQ },
        { dtype: 'int8', shape: [4], q: outQ },
      ],
      [0],
      [1],
    );

  it('RELU requantizes; RELU6 clamps at quantized 0 and 6', () => {
    expect(run(unary('RELU', [0.5, 0], [0.25, -10]), Int8Array.of(-4, 0, 3, 60))).toEqual([
      -10, -10, -4, 110,
    ]);
    expect(run(unary('RELU6', [0.1, 5], [0.1, 5]), Int8Array.of(-100, 4, 30, 100))).toEqual([5, 5, 30, 65]);
  });

  it('LOGISTIC enforces its output zero point (as TFLM); TANH ignores the output quantization (as TFLM)', () => {
    expect(() => prepare(unary('LOGISTIC', [0.1, 0], [1 / 256, 0]))).toThrow(
      /LOGISTIC output zero point must be -128/,
    );
    expect(run(unary('TANH', [0.1, 0], [1 / 128, 0]), Int8Array.of(0, 127, -128, 5))).toEqual([
      0, 127, -128, 59,
    ]); // tanh(0.5)*128 = 59.2
  });

  it('SUB and MUL int8 with broadcasting; float ADD with RELU', () => {
    const sub = oneOp(
      'SUB',
      [
        { dtype: 'int8', shape: [2, 2], q: [1, 0] },
        { dtype: 'int8', shape: [2], q: [1, 0] },
        { dtype: 'int8', shape: [2, 2], q: [1, 0] },
      ],
      [0, 1],
      [2],
    );
    expect(run(sub, Int8Array.of(10, 20, 30, 40), Int8Array.of(1, 2))).toEqual([9, 18, 29, 38]);
    const mul = oneOp(
      'MUL',
      [
        { dtype: 'int8', shape: [2], q: [0.5, 0] },
        { dtype: 'int8', shape: [1], q: [0.5, 0] },
        { dtype: 'int8', shape: [2], q: [0.25, 0] },
      ],
      [0, 1],
      [2],
    );
    expect(run(mul, Int8Array.of(4, -6), Int8Array.of(3))).toEqual([12, -18]);
    const add = oneOp(
      'ADD',
      [
        { dtype: 'float32', shape: [2] },
        { dtype: 'float32', shape: [2] },
        { dtype: 'float32', shape: [2] },
      ],
      [0, 1],
      [2],
      { fused_activation_function: 'RELU' },
    );
    expect(run(add, Float32Array.of(1, -5), Float32Array.of(2, 1))).toEqual([3, 0]);
  });
});
