import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/index.ts';
import { listFixtures, readFixture } from '../../helpers/fixtures.ts';

const ALL = [
  ...listFixtures('models', '.tflite').map((f) => ['models', f]),
  ...listFixtures('float', '.tflite').map((f) => ['float', f]),
];

const opsOf = (dir: string, f: string) =>
  readTflite(readFixture(dir, f)).subgraphs[0].operators.map((o) => o.op);

describe('readTflite on the fixture models', () => {
  it.each(ALL)('%s/%s reads with consistent indices', (dir, f) => {
    const m = readTflite(readFixture(dir, f));
    expect(m.version).toBe(3);
    expect(m.subgraphs.length).toBe(1);
    const sg = m.subgraphs[0];
    expect(sg.operators.length).toBeGreaterThan(0);
    for (const op of sg.operators) {
      expect(op.known).toBe(true);
      for (const t of [...op.inputs, ...op.outputs]) expect(t).toBeLessThan(sg.tensors.length);
    }
    for (const t of sg.tensors) {
      expect(t.buffer).toBeLessThan(m.buffers.length);
      if (t.data) expect(t.data.length).toBeGreaterThan(0);
    }
    if (f !== 'person_detect.tflite') expect(m.metadata.map((e) => e.name)).toContain('min_runtime_version');
  });

  it('hello_world_int8: three FULLY_CONNECTED with decoded options', () => {
    const m = readTflite(readFixture('models', 'hello_world_int8.tflite'));
    const ops = m.subgraphs[0].operators;
    expect(ops.map((o) => o.op)).toEqual(['FULLY_CONNECTED', 'FULLY_CONNECTED', 'FULLY_CONNECTED']);
    expect(ops[0].builtinCode).toBe(9);
    expect(ops[0].optionsTable).toBe('FullyConnectedOptions');
    expect(ops[0].options).toMatchObject({
      fused_activation_function: 'RELU',
      weights_format: 'DEFAULT',
      keep_num_dims: false,
      asymmetric_quantize_inputs: false,
    });
    expect(ops[2].options.fused_activation_function).toBe('NONE');
    expect(m.description).toBe('MLIR Converted.');
    expect(m.signatureDefs).toEqual([
      {
        signatureKey: 'serving_default',
        subgraphIndex: 0,
        inputs: [{ name: 'dense_input', tensorIndex: 0 }],
        outputs: [{ name: 'dense_2', tensorIndex: 9 }],
      },
    ]);
  });

  it('person_detect: ops, options, per-channel quantization, input', () => {
    const m = readTflite(readFixture('models', 'person_detect.tflite'));
    const sg = m.subgraphs[0];
    const ops = sg.operators.map((o) => o.op);
    expect(ops.filter((o) => o === 'DEPTHWISE_CONV_2D').length).toBe(14);
    expect(ops.filter((o) => o === 'CONV_2D').length).toBe(14);
    expect(ops.slice(-3)).toEqual(['CONV_2D', 'RESHAPE', 'SOFTMAX']);
    expect(sg.operators[0].options).toEqual({
      padding: 'SAME',
      stride_w: 2,
      stride_h: 2,
      depth_multiplier: 8,
      fused_activation_function: 'RELU6',
      dilation_w_factor: 1,
      dilation_h_factor: 1,
    });
    const pool = sg.operators.find((o) => o.op === 'AVERAGE_POOL_2D')!;
    expect(pool.options).toEqual({
      padding: 'VALID',
      stride_w: 2,
      stride_h: 2,
      filter_width: 3,
      filter_height: 3,
      fused_activation_function: 'NONE',
    });
    expect(sg.operators.find((o) => o.op === 'RESHAPE')!.options).toEqual({ new_shape: [1, 2] });
    expect(sg.operators.find((o) => o.op === 'SOFTMAX')!.options).toEqual({ beta: 1 });

    const input = sg.tensors[sg.inputs[0]];
    expect(input).toMatchObject({ name: 'input', dtype: 'int8', shape: [1, 96, 96, 1], data: null });
    expect(input.quantization!.zeroPoint).toEqual([-1]);
    expect(input.quantization!.scale[0]).toBeCloseTo(2 / 255, 7);
    const out = sg.tensors[sg.outputs[0]];
    expect(out.shape).toEqual([1, 2]);
    expect(out.quantization).toMatchObject({ scale: [0.00390625], zeroPoint: [-128] });

    // First depthwise filter: [1,3,3,8], per-channel int8 (8 scales on axis 3), data 72 bytes.
    const w = sg.tensors[sg.operators[0].inputs[1]];
    expect(w).toMatchObject({ dtype: 'int8', shape: [1, 3, 3, 8] });
    expect(w.data!.length).toBe(72);
    expect(w.quantization!.scale.length).toBe(8);
    expect(w.quantization!.axis).toBe(3);
    // Edge case kept as in the file: the 1-D bias carries quantized_dimension = 3.
    const bias = sg.tensors[sg.operators[0].inputs[2]];
    expect(bias).toMatchObject({ dtype: 'int32', shape: [8] });
    expect(bias.quantization!.axis).toBe(3);
  });

  it('matches the op lists documented for the fixtures', () => {
    expect(opsOf('models', 'micro_speech_quantized.tflite')).toEqual([
      'RESHAPE',
      'DEPTHWISE_CONV_2D',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ]);
    expect(opsOf('models', 'simple_add_model.tflite')).toEqual(['ADD']);
    expect(opsOf('models', 'keyword_spotting_on_off.tflite')).toEqual([
      'CONV_2D',
      'CONV_2D',
      'CONV_2D',
      'MAX_POOL_2D',
      'RESHAPE',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ]);
    expect(opsOf('models', 'rock_paper_scissors.tflite')).toEqual([
      'QUANTIZE',
      'CONV_2D',
      'MAX_POOL_2D',
      'CONV_2D',
      'MAX_POOL_2D',
      'CONV_2D',
      'MAX_POOL_2D',
      'RESHAPE',
      'FULLY_CONNECTED',
      'FULLY_CONNECTED',
      'SOFTMAX',
      'DEQUANTIZE',
    ]);
    expect(opsOf('models', 'autoencoder_example.tflite')).toEqual([
      'QUANTIZE',
      ...Array(6).fill('FULLY_CONNECTED'),
      'LOGISTIC',
      'DEQUANTIZE',
    ]);
  });

  it('simple_add: two int8 graph inputs, ADD options', () => {
    const m = readTflite(readFixture('models', 'simple_add_model.tflite'));
    const sg = m.subgraphs[0];
    expect(sg.inputs.length).toBe(2);
    expect(sg.operators[0].options).toEqual({ fused_activation_function: 'NONE', pot_scale_int16: true });
    for (const i of sg.inputs) expect(sg.tensors[i].dtype).toBe('int8');
  });

  it('rock_paper_scissors: float32 I/O, SL_PARAMSv1 metadata buffer', () => {
    const m = readTflite(readFixture('models', 'rock_paper_scissors.tflite'));
    const sg = m.subgraphs[0];
    expect(sg.tensors[sg.inputs[0]].dtype).toBe('float32');
    expect(sg.tensors[sg.outputs[0]].dtype).toBe('float32');
    const entry = m.metadata.find((e) => e.name === 'SL_PARAMSv1')!;
    expect(m.buffers[entry.buffer].length).toBeGreaterThan(100);
  });
});
