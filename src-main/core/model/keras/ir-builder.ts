/** Incremental builder of a single-subgraph float32 TFLite IR (used by the Keras converter). */
import type { Model, Operator, OptionValue, Tensor } from '../ir.ts';
import { builtinCodeOf } from '../tflite-schema.ts';
import { OPTIONS_FOR_OP } from '../tflite-options.ts';

/** Builtins whose first version is not 1 (BROADCAST_TO 1 was the custom-op form; TFLite refuses it). */
const FIRST_VERSION: Record<string, number> = { BROADCAST_TO: 2 };

export class IrBuilder {
  readonly tensors: Tensor[] = [];
  readonly operators: Operator[] = [];
  readonly buffers: Uint8Array[] = [new Uint8Array(0)];
  private readonly codes: { builtinCode: number; deprecatedBuiltinCode: number; version: number }[] = [];

  activation(name: string, shape: number[]): number {
    return this.push({ name, dtype: 'float32', shape, buffer: 0, data: null });
  }

  /** A variable tensor (an LSTM's state): no data, zero at load, kept between invocations. */
  variable(name: string, shape: number[]): number {
    const index = this.push({ name, dtype: 'float32', shape, buffer: 0, data: null });
    this.tensors[index].isVariable = true;
    return index;
  }

  constant(name: string, shape: number[], values: Float32Array | Int32Array): number {
    const bytes = new Uint8Array(
      values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength),
    );
    this.buffers.push(bytes);
    const dtype = values instanceof Int32Array ? 'int32' : 'float32';
    return this.push({ name, dtype, shape, buffer: this.buffers.length - 1, data: bytes });
  }

  /** Replace a constant's values (e.g. after folding a BatchNorm into it). */
  setConstant(index: number, values: Float32Array): void {
    const t = this.tensors[index];
    const bytes = new Uint8Array(
      values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength),
    );
    this.buffers[t.buffer] = bytes;
    t.data = bytes;
  }

  private push(t: Omit<Tensor, 'index' | 'quantization' | 'isVariable'>): number {
    const index = this.tensors.length;
    this.tensors.push({ ...t, index, quantization: null, isVariable: false });
    return index;
  }

  op(op: string, inputs: number[], outputs: number[], options: Record<string, OptionValue> = {}): Operator {
    const builtinCode = builtinCodeOf(op);
    if (builtinCode === undefined) throw new Error(`Unknown TFLite op ${op}`);
    let opcodeIndex = this.codes.findIndex((c) => c.builtinCode === builtinCode);
    if (opcodeIndex < 0) {
      const version = FIRST_VERSION[op] ?? 1;
      this.codes.push({ builtinCode, deprecatedBuiltinCode: Math.min(builtinCode, 127), version });
      opcodeIndex = this.codes.length - 1;
    }
    const operator: Operator = {
      index: this.operators.length,
      opcodeIndex,
      builtinCode,
      op,
      known: true,
      inputs,
      outputs,
      intermediates: [],
      options,
      optionsTable: OPTIONS_FOR_OP[op],
    };
    this.operators.push(operator);
    return operator;
  }

  build(name: string, inputs: number[], outputs: number[], description: string): Model {
    return {
      version: 3,
      description,
      operatorCodes: this.codes.map((c) => ({ ...c })),
      subgraphs: [{ name, tensors: this.tensors, operators: this.operators, inputs, outputs }],
      buffers: this.buffers,
      metadata: [],
      signatureDefs: [],
      parameters: {},
    };
  }
}
