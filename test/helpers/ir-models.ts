/**
 * Small models built in the IR for op tests: tensors from plain specs (constants get buffers),
 * any number of ops, each with several outputs if it has them (SPLIT, UNPACK). The simulator is the
 * C core fed the file bytes, so these only need to be consistent enough to serialize.
 */
import type { DType, Model, OptionValue, Tensor } from '../../src-main/core/model/ir.ts';
import { builtinCodeOf } from '../../src-main/core/model/tflite-schema.ts';
import type { TensorData } from '../../src-main/core/simulate/tensor-data.ts';

export interface TensorSpec {
  dtype: DType;
  shape: number[];
  /** Constant data (the tensor gets a buffer); absent: an activation. */
  data?: TensorData;
  /** Per-tensor quantization [scale, zero point]. */
  q?: [number, number];
}

export interface OpSpec {
  op: string;
  inputs: number[];
  outputs: number[];
  options?: Record<string, OptionValue>;
  /** The builtin options table when the writer does not imply it from the op. */
  optionsTable?: string;
}

/** Tensors 0..n-1 from the specs (named t<i>), constants with buffers 1.. (buffer 0 is empty). */
export function irTensors(specs: TensorSpec[]): { tensors: Tensor[]; buffers: Uint8Array[] } {
  const buffers: Uint8Array[] = [new Uint8Array(0)];
  const tensors: Tensor[] = specs.map((s, index) => {
    const data = s.data
      ? new Uint8Array(s.data.buffer.slice(s.data.byteOffset, s.data.byteOffset + s.data.byteLength))
      : null;
    if (data) buffers.push(data);
    return {
      index,
      name: `t${index}`,
      dtype: s.dtype,
      shape: s.shape,
      buffer: data ? buffers.length - 1 : 0,
      data,
      quantization: s.q ? { scale: [s.q[0]], zeroPoint: [s.q[1]], axis: 0 } : null,
      isVariable: false,
    };
  });
  return { tensors, buffers };
}

/**
 * A model running `ops` in order over tensors `specs` (index = position). Graph inputs: the
 * non-constant op inputs no op writes, in first-use order; graph outputs: `outputs`, or by default
 * the last op's outputs.
 */
export function irModel(specs: TensorSpec[], ops: OpSpec[], outputs?: number[]): Model {
  const { tensors, buffers } = irTensors(specs);
  const written = new Set(ops.flatMap((o) => o.outputs));
  const graphInputs: number[] = [];
  for (const o of ops)
    for (const i of o.inputs)
      if (i >= 0 && !specs[i].data && !written.has(i) && !graphInputs.includes(i)) graphInputs.push(i);
  const codes = [...new Set(ops.map((o) => o.op))];
  const operatorCodes = codes.map((name) => {
    const builtinCode = builtinCodeOf(name);
    if (builtinCode === undefined) throw new Error(`no builtin op ${name}`);
    return { builtinCode, deprecatedBuiltinCode: Math.min(builtinCode, 127), version: 1 };
  });
  return {
    version: 3,
    description: '',
    operatorCodes,
    subgraphs: [
      {
        name: 'main',
        tensors,
        operators: ops.map((o, index) => ({
          index,
          opcodeIndex: codes.indexOf(o.op),
          builtinCode: operatorCodes[codes.indexOf(o.op)].builtinCode,
          op: o.op,
          known: true,
          inputs: o.inputs,
          outputs: o.outputs,
          intermediates: [],
          options: o.options ?? {},
          ...(o.optionsTable ? { optionsTable: o.optionsTable } : {}),
        })),
        inputs: graphInputs,
        outputs: outputs ?? ops[ops.length - 1].outputs,
      },
    ],
    buffers,
    metadata: [],
    signatureDefs: [],
    parameters: {},
  };
}

/** A model of one op whose outputs are the graph outputs. */
export function oneOpIr(
  op: string,
  specs: TensorSpec[],
  inputs: number[],
  outputs: number[],
  options: Record<string, OptionValue> = {},
  optionsTable?: string,
): Model {
  return irModel(specs, [{ op, inputs, outputs, options, ...(optionsTable ? { optionsTable } : {}) }]);
}
