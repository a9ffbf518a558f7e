/**
 * A deep model for the "100+ layers stay fast" checks: simple_add_model's ADD repeated as a chain
 * of `depth` layers (same shapes and quantization as the original), with one custom op in the
 * middle that QuantScope cannot know. Built with the project's TFLite writer.
 */
import type { Operator, Tensor } from '../../src-main/core/model/ir.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { readFixture } from '../helpers/fixtures.ts';

export const CUSTOM_OP = 'QsTestCustomOp';
const BUILTIN_CUSTOM = 32;

export function deepAddModel(depth: number): Uint8Array {
  const model = readTflite(readFixture('models', 'simple_add_model.tflite'));
  const sg = model.subgraphs[0];
  const add = sg.operators[0];
  const [a, b] = add.inputs;
  const template: Tensor = sg.tensors[add.outputs[0]];
  model.operatorCodes.push({
    builtinCode: BUILTIN_CUSTOM,
    deprecatedBuiltinCode: BUILTIN_CUSTOM,
    customCode: CUSTOM_OP,
    version: 1,
  });
  const customOpcode = model.operatorCodes.length - 1;

  const tensors = sg.tensors.slice();
  const operators: Operator[] = [];
  let previous = a;
  for (let i = 0; i < depth; i++) {
    const out = tensors.length;
    tensors.push({ ...template, index: out, name: `deep/layer_${i}`, buffer: 0, data: null });
    const custom = i === Math.floor(depth / 2);
    operators.push(
      custom
        ? {
            index: i,
            opcodeIndex: customOpcode,
            builtinCode: BUILTIN_CUSTOM,
            op: CUSTOM_OP,
            known: false,
            inputs: [previous],
            outputs: [out],
            intermediates: [],
            options: {},
          }
        : { ...add, index: i, inputs: [previous, b], outputs: [out] },
    );
    previous = out;
  }
  sg.tensors = tensors;
  sg.operators = operators;
  sg.outputs = [previous];
  model.signatureDefs = [];
  return writeTflite(model, { allowLossy: true });
}
