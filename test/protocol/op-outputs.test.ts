import { describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { splitOpOutputs } from '../../src-main/core/protocol/op-outputs.ts';
import { irModel } from '../helpers/ir-models.ts';

const q: [number, number] = [0.5, 0];
/** SPLIT_V [10] into [3] and [7], then RELU on the second part. */
const model = readTflite(
  writeTflite(
    irModel(
      [
        { dtype: 'int8', shape: [10], q },
        { dtype: 'int32', shape: [2], data: Int32Array.of(3, 7) },
        { dtype: 'int32', shape: [], data: Int32Array.of(0) },
        { dtype: 'int8', shape: [3], q },
        { dtype: 'int8', shape: [7], q },
        { dtype: 'int8', shape: [7], q },
      ],
      [
        { op: 'SPLIT_V', inputs: [0, 1, 2], outputs: [3, 4], options: { num_splits: 2 } },
        { op: 'RELU', inputs: [4], outputs: [5] },
      ],
      [5],
    ),
  ),
);

describe('splitOpOutputs (PROTOCOL.md §3 ALL_OUTPUTS)', () => {
  // rule: an op's concatenated range splits at its outputs' sizes, in output order, one entry per
  // output with the op's index and ticks; single-output ops pass through unchanged
  it('splits SPLIT_V bytes into its [3] and [7] outputs', () => {
    const data = Uint8Array.from({ length: 10 }, (_, i) => i + 1);
    const relu = { index: 1, tensor: 5, ticks: 9, data: new Uint8Array(7) };
    const out = splitOpOutputs(model, [{ index: 0, tensor: 3, ticks: 42, data }, relu]);
    expect(out.map((o) => [o.index, o.tensor, o.ticks, [...o.data]])).toEqual([
      [0, 3, 42, [1, 2, 3]],
      [0, 4, 42, [4, 5, 6, 7, 8, 9, 10]],
      [1, 5, 9, [0, 0, 0, 0, 0, 0, 0]],
    ]);
    expect(out[2]).toBe(relu);
  });

  // rule: bytes that are not the sum of the outputs' sizes (or named by another tensor) are a
  // clear error naming the layer and sizes, never a split at the wrong place
  it('refuses a range of the wrong size or tensor, naming the layer', () => {
    expect(() => splitOpOutputs(model, [{ index: 0, tensor: 3, ticks: 0, data: new Uint8Array(3) }])).toThrow(
      'layer 0: the board sent 3 bytes named tensor 3 for its 2 outputs (tensors 3, 4: 10 bytes); different models?',
    );
    expect(() =>
      splitOpOutputs(model, [{ index: 0, tensor: 4, ticks: 0, data: new Uint8Array(10) }]),
    ).toThrow(/layer 0: the board sent 10 bytes named tensor 4/);
  });
});
