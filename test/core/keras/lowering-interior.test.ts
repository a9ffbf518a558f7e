/**
 * The int16 interior of multi-op Keras lowerings (quantize/lowering-interior.ts): which layers get
 * it, the graph it makes (int8 at the layer's boundary, QUANTIZE int8 → int16 in, int16 → int8 out,
 * ops without a TFLite Micro int16 kernel left int8 inside), the all-int8 choice, and the
 * workflow's summary of it.
 */
import { describe, expect, it } from 'vitest';
import { kerasToTflite } from '../../../src-main/core/model/keras/to-tflite.ts';
import { INT16_OP_VERSIONS } from '../../../src-main/core/quantize/quantize-model.ts';
import { interiorPlan } from '../../../src-main/core/quantize/lowering-interior.ts';
import { precisionPlan } from '../../../src-main/core/quantize/layer-select.ts';
import { quantizationReport, quantizeWorkflow } from '../../../src-main/core/quantize/pipeline.ts';
import { readTflite } from '../../../src-main/core/model/index.ts';
import { input, ops, samples, sequentialModel, values } from './layer-harness.ts';

const denseThenNorm = () =>
  sequentialModel(
    [
      input('x', [8]),
      { class_name: 'Dense', config: { name: 'd', units: 8, activation: 'linear', use_bias: true } },
      { class_name: 'LayerNormalization', config: { name: 'ln', axis: -1, epsilon: 0.001 } },
    ],
    {
      d: [
        { name: 'd/kernel:0', shape: [8, 8], data: values(64, 5, -0.5, 0.5) },
        { name: 'd/bias:0', shape: [8], data: values(8, 6, -0.1, 0.1) },
      ],
      ln: [
        { name: 'ln/gamma:0', shape: [8], data: values(8, 3, 0.5, 1.5) },
        { name: 'ln/beta:0', shape: [8], data: values(8, 4, -0.5, 0.5) },
      ],
    },
  );

describe('int16 interior of multi-op Keras lowerings', () => {
  // rule: a lowered layer keeps int8 at its boundary: its int8 input is requantized to int16 by a
  // QUANTIZE, its ops run in int16 except RSQRT (TFLite Micro's RSQRT takes float32 and int8
  // only), whose result one int16 Newton step (MUL, MUL, SUB, MUL, MUL) refines, and a QUANTIZE
  // int16 → int8 writes its output; the summary names it with its cost; the report pairs the
  // float ops alone (the Newton step has no float op)
  it('LayerNormalization after a Dense, int8 I/O', async () => {
    const float = kerasToTflite(await denseThenNorm());
    expect(float.lowerings?.map((l) => l.layer)).toEqual(['ln']);
    const q = quantizeWorkflow({ float, samples: samples([8], 24, 1, -2, 3), io: 'int8', method: 'minmax' });
    const sg = q.model.subgraphs[0];
    const typed = sg.operators.map(
      (o) => `${o.op} ${sg.tensors[o.inputs[0]].dtype}→${sg.tensors[o.outputs[0]].dtype}`,
    );
    expect(typed).toEqual([
      'FULLY_CONNECTED int8→int8',
      'QUANTIZE int8→int16',
      'MEAN int16→int16',
      'SQUARED_DIFFERENCE int16→int16',
      'MEAN int16→int16',
      'ADD int16→int16',
      'QUANTIZE int16→int8',
      'RSQRT int8→int8',
      'QUANTIZE int8→int16',
      'MUL int16→int16',
      'MUL int16→int16',
      'SUB int16→int16',
      'MUL int16→int16',
      'MUL int16→int16',
      'SUB int16→int16',
      'MUL int16→int16',
      'MUL int16→int16',
      'ADD int16→int16',
      'QUANTIZE int16→int8',
    ]);
    expect(sg.outputs.map((t) => sg.tensors[t].dtype)).toEqual(['int8']);
    expect(q.interior.layers).toEqual(['ln']);
    expect(q.interior.int8Ops).toEqual(['ln: RSQRT (then one Newton step in int16)']);
    expect(q.report.layers.map((l) => l.op_name)).toEqual(ops(float));
    // rule: read back from its file (the CLI's and the UI's `report` of an int8 model) the Newton
    // step is still told apart from the float model's ops, by its tensors' names
    const again = quantizationReport({
      int8: readTflite(q.bytes),
      float,
      samples: samples([8], 4, 2, -2, 3),
    });
    expect(again.layers.map((l) => l.op_name)).toEqual(ops(float));
    expect(q.interior.modelBytes).toBeGreaterThan(0);
    // rule: 'int8' is the converter's all-int8 form, with nothing to report
    const q8 = quantizeWorkflow({
      float,
      samples: samples([8], 24, 1, -2, 3),
      io: 'int8',
      method: 'minmax',
      loweringInterior: 'int8',
    });
    const sg8 = q8.model.subgraphs[0];
    expect(sg8.operators.filter((o) => sg8.tensors[o.outputs[0]].dtype !== 'int8')).toEqual([]);
    expect(q8.interior).toEqual({ layers: [], int8Ops: [], modelBytes: 0, arenaBytes: 0 });
    expect(q8.footprint.modelBytes).toBe(q.footprint.modelBytes - q.interior.modelBytes);
  });

  // rule: only lowerings with two or more ops that round qualify (a Conv1D's RESHAPEs do not
  // round), when a rounding op's output can stay int16 for the next (not CONV_2D then ELU, which
  // has no int16 kernel), and a layer the user placed (--keep-float / --int16) is left as placed
  it('which layers qualify', async () => {
    const conv1d = (activation: string) =>
      sequentialModel(
        [
          input('x', [16, 4]),
          {
            class_name: 'Conv1D',
            config: { name: 'c', filters: 6, kernel_size: [3], padding: 'valid', activation },
          },
        ],
        {
          c: [
            { name: 'c/kernel:0', shape: [3, 4, 6], data: values(72, 1) },
            { name: 'c/bias:0', shape: [6], data: values(6, 2) },
          ],
        },
      );
    const elu = kerasToTflite(await conv1d('elu'));
    expect(ops(elu)).toEqual(['RESHAPE', 'CONV_2D', 'RESHAPE', 'ELU']);
    expect(interiorPlan(elu, 'int16', INT16_OP_VERSIONS).layers).toEqual([]);
    const tanh = kerasToTflite(await conv1d('tanh'));
    expect(interiorPlan(tanh, 'int16', INT16_OP_VERSIONS).layers).toEqual([
      { layer: 'c', int16Ops: [0, 1, 2, 3], int8Ops: [] },
    ]);
    const f1 = kerasToTflite(await conv1d('linear'));
    expect(f1.lowerings?.[0].ops.map((i) => f1.subgraphs[0].operators[i].op)).toEqual([
      'RESHAPE',
      'CONV_2D',
      'RESHAPE',
    ]);
    expect(interiorPlan(f1, 'int16', INT16_OP_VERSIONS).layers).toEqual([]);
    const f2 = kerasToTflite(await denseThenNorm());
    expect(interiorPlan(f2, 'int16', INT16_OP_VERSIONS).layers.map((l) => l.layer)).toEqual(['ln']);
    const keep = precisionPlan(f2, { keepFloat: ['ln/mean'] });
    expect(interiorPlan(f2, 'int16', INT16_OP_VERSIONS, keep).layers).toEqual([]);
  });
});
