import { describe, expect, it } from 'vitest';
import {
  operatorMacs,
  operatorParams,
  planArena,
  readTflite,
  summarize,
  type Operator,
  type Subgraph,
  type Tensor,
} from '../../../src-main/core/model/index.ts';
import { listFixtures, readFixture } from '../../helpers/fixtures.ts';

const model = (f: string, dir = 'models') => readTflite(readFixture(dir, f));

describe('summarize: MACs and params of real layers against hand computation', () => {
  it('person_detect', () => {
    const s = summarize(model('person_detect.tflite'));
    // op 0: DEPTHWISE_CONV_2D out [1,48,48,8], filter [1,3,3,8] → 48·48·8·3·3
    expect(s.layers[0].outputs[0].shape).toEqual([1, 48, 48, 8]);
    expect(s.layers[0].inputs[1].shape).toEqual([1, 3, 3, 8]);
    expect(s.layers[0].macs).toBe(48 * 48 * 8 * 3 * 3);
    // op 2: CONV_2D out [1,48,48,16], filter [16,1,1,8] → 48·48·16·1·1·8
    expect(s.layers[2].inputs[1].shape).toEqual([16, 1, 1, 8]);
    expect(s.layers[2].macs).toBe(48 * 48 * 16 * 8);
    // params of op 2: filter 16·8 + bias 16
    expect(s.layers[2].params).toBe(16 * 8 + 16);
    expect(s.layers.find((l) => l.op === 'AVERAGE_POOL_2D')!.macs).toBe(0);
    expect(s.totals.ops).toBe(31);
    expect(s.totals.macs).toBe(s.layers.reduce((n, l) => n + l.macs, 0));
    expect(s.layers[0].supported).toBe(true);
    expect(s.layers[0].options).toMatchObject({
      stride_w: 2,
      padding: 'SAME',
      fused_activation_function: 'RELU6',
    });
  });

  it('micro_speech_quantized: DEPTHWISE 25·20·8·10·8, FC 4·4000', () => {
    const s = summarize(model('micro_speech_quantized.tflite'));
    expect(s.layers[1].outputs[0].shape).toEqual([1, 25, 20, 8]);
    expect(s.layers[1].inputs[1].shape).toEqual([1, 10, 8, 8]);
    expect(s.layers[1].macs).toBe(25 * 20 * 8 * 10 * 8);
    expect(s.layers[2].inputs[1].shape).toEqual([4, 4000]);
    expect(s.layers[2].macs).toBe(4 * 4000);
    expect(s.totals.macs).toBe(320000 + 16000);
    expect(s.inputs[0]).toMatchObject({ dtype: 'int8', shape: [1, 1960], constant: false });
  });

  it('hello_world_int8: FC 1→16→16→1, params and weights bytes', () => {
    const s = summarize(model('hello_world_int8.tflite'));
    expect(s.layers.map((l) => l.macs)).toEqual([16, 256, 16]);
    // weights int8 (16 + 256 + 16) + int32 biases (16 + 16 + 1)
    expect(s.totals.params).toBe(16 + 16 + 256 + 16 + 16 + 1);
    expect(s.totals.weights_bytes).toBe(16 + 256 + 16 + 4 * (16 + 16 + 1));
    expect(s.metadata.entries).toEqual(['min_runtime_version', 'CONVERSION_METADATA']);
    expect(s.metadata.description).toBe('MLIR Converted.');
  });

  it('keys of the summary JSON are the documented ones', () => {
    const s = summarize(model('keyword_spotting_on_off.tflite'));
    expect(Object.keys(s).sort()).toEqual(['inputs', 'layers', 'metadata', 'outputs', 'totals']);
    expect(Object.keys(s.totals).sort()).toEqual(['arena_bytes', 'macs', 'ops', 'params', 'weights_bytes']);
    expect(Object.keys(s.layers[0]).sort()).toEqual([
      'index',
      'inputs',
      'macs',
      'op',
      'options',
      'outputs',
      'params',
      'supported',
    ]);
    expect(Object.keys(s.inputs[0]).sort()).toEqual([
      'constant',
      'dtype',
      'name',
      'quantization',
      'shape',
      'tensor',
    ]);
    expect(s.inputs[0].quantization).not.toBeNull();
    expect(Object.keys(s.inputs[0].quantization!).sort()).toEqual(['axis', 'scale', 'zero_point']);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('arena plan', () => {
  const all = [
    ...listFixtures('models', '.tflite').map((f) => ['models', f]),
    ...listFixtures('float', '.tflite').map((f) => ['float', f]),
  ];
  it.each(all)('%s/%s: no two simultaneously live tensors overlap', (dir, f) => {
    const sg = readTflite(readFixture(dir, f)).subgraphs[0];
    const plan = planArena(sg);
    const activations = sg.tensors.filter(
      (t) => !t.data && [...sg.operators.flatMap((o) => [...o.inputs, ...o.outputs])].includes(t.index),
    );
    expect(plan.entries.length).toBe(activations.length);
    for (const e of plan.entries) {
      expect(e.offset % 16).toBe(0);
      expect(e.offset + e.size).toBeLessThanOrEqual(plan.size);
    }
    for (const a of plan.entries) {
      for (const b of plan.entries) {
        if (a === b || a.size === 0 || b.size === 0) continue;
        const liveTogether = a.first <= b.last && b.first <= a.last;
        const overlap = a.offset < b.offset + b.size && b.offset < a.offset + a.size;
        expect(liveTogether && overlap, `tensors ${a.tensor} and ${b.tensor}`).toBe(false);
      }
    }
    // Never smaller than the largest operator's live working set.
    sg.operators.forEach((_, i) => {
      const live = plan.entries.filter((e) => e.first <= i && i <= e.last).reduce((n, e) => n + e.size, 0);
      expect(plan.size).toBeGreaterThanOrEqual(live);
    });
  });

  it('person_detect peak = 48·48·8 input of op 2 + 48·48·16 output', () => {
    const s = summarize(model('person_detect.tflite'));
    expect(s.totals.arena_bytes).toBe(48 * 48 * 8 + 48 * 48 * 16);
  });

  it('simple_add: two inputs and the output live together', () => {
    const sg = model('simple_add_model.tflite').subgraphs[0];
    const bytes = sg.tensors.map((t) => t.shape.reduce((a, b) => a * b, 1));
    expect(planArena(sg).size).toBe(bytes.reduce((a, b) => a + Math.ceil(b / 16) * 16, 0));
  });
});

describe('MACs of ops without fixtures, by hand', () => {
  const t = (index: number, shape: number[], constant = false): Tensor => ({
    index,
    name: `t${index}`,
    dtype: 'int8',
    shape,
    buffer: constant ? 1 : 0,
    data: constant ? new Uint8Array(shape.reduce((a, b) => a * b, 1)) : null,
    quantization: null,
    isVariable: false,
  });
  const op = (name: string, inputs: number[], outputs: number[]): Operator => ({
    index: 0,
    opcodeIndex: 0,
    builtinCode: 0,
    op: name,
    known: true,
    inputs,
    outputs,
    intermediates: [],
    options: {},
  });

  it('TRANSPOSE_CONV: in_h·in_w·in_c·k_h·k_w·out_c (every input pixel scattered through the kernel)', () => {
    // output_shape, weights [out_c=8, 3, 3, in_c=4], input [1, 5, 5, 4] → output [1, 10, 10, 8]
    const sg: Subgraph = {
      name: '',
      inputs: [2],
      outputs: [3],
      operators: [],
      tensors: [t(0, [4], true), t(1, [8, 3, 3, 4], true), t(2, [1, 5, 5, 4]), t(3, [1, 10, 10, 8])],
    };
    expect(operatorMacs(op('TRANSPOSE_CONV', [0, 1, 2], [3]), sg)).toBe(5 * 5 * 4 * 3 * 3 * 8);
    expect(operatorParams(op('TRANSPOSE_CONV', [0, 1, 2], [3]), sg)).toBe(4 + 8 * 3 * 3 * 4);
  });

  it('UNIDIRECTIONAL_SEQUENCE_LSTM: steps · Σ rows·cols of its weight matrices', () => {
    // input [batch 1, time 10, 6]; 4 input weights [16, 6], 4 recurrent weights [16, 16]
    const tensors = [t(0, [1, 10, 6])];
    const inputs = [0];
    for (let i = 0; i < 4; i++) inputs.push(tensors.push(t(tensors.length, [16, 6], true)) - 1);
    for (let i = 0; i < 4; i++) inputs.push(tensors.push(t(tensors.length, [16, 16], true)) - 1);
    tensors.push(t(tensors.length, [1, 10, 16]));
    const sg: Subgraph = { name: '', inputs: [0], outputs: [tensors.length - 1], operators: [], tensors };
    expect(operatorMacs(op('UNIDIRECTIONAL_SEQUENCE_LSTM', inputs, [tensors.length - 1]), sg)).toBe(
      10 * (4 * 16 * 6 + 4 * 16 * 16),
    );
  });

  it('SVDF: batch · filters · (input + memory), filters = units · rank (as the core counts them)', () => {
    // rule (issue 15): weights_feature [filters 12, input 10] over the input, weights_time
    // [filters 12, memory 5] over the activation state; batch 2; rank 3 → units 4
    const sg: Subgraph = {
      name: '',
      inputs: [0],
      outputs: [5],
      operators: [],
      tensors: [
        t(0, [2, 10]),
        t(1, [12, 10], true),
        t(2, [12, 5], true),
        t(3, [4], true),
        t(4, [2, 60]),
        t(5, [2, 4]),
      ],
    };
    expect(operatorMacs(op('SVDF', [0, 1, 2, 3, 4], [5]), sg)).toBe(2 * 12 * (10 + 5));
  });

  it('BATCH_MATMUL: output elements · depth (the lhs last dimension, or the one before it with adj_x)', () => {
    // rule: each output element sums depth products; [2, 3, 5] x [2, 5, 4] -> [2, 3, 4], depth 5
    const sg: Subgraph = {
      name: '',
      inputs: [0, 1],
      outputs: [2],
      operators: [],
      tensors: [t(0, [2, 3, 5]), t(1, [2, 5, 4]), t(2, [2, 3, 4]), t(3, [2, 5, 3])],
    };
    expect(operatorMacs(op('BATCH_MATMUL', [0, 1], [2]), sg)).toBe(2 * 3 * 4 * 5);
    // adj_x: lhs [2, 5, 3] read transposed: depth is its dimension -2
    expect(operatorMacs({ ...op('BATCH_MATMUL', [3, 1], [2]), options: { adj_x: true } }, sg)).toBe(
      2 * 3 * 4 * 5,
    );
  });

  it('FULLY_CONNECTED with a batch of rows, and element-wise ops are 0', () => {
    const sg: Subgraph = {
      name: '',
      inputs: [0],
      outputs: [2],
      operators: [],
      tensors: [t(0, [3, 20]), t(1, [7, 20], true), t(2, [3, 7])],
    };
    expect(operatorMacs(op('FULLY_CONNECTED', [0, 1, -1], [2]), sg)).toBe(3 * 7 * 20);
    expect(operatorMacs(op('ADD', [0, 0], [2]), sg)).toBe(0);
  });
});
