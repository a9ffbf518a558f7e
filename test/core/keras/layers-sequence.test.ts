/**
 * Sequence layers: Embedding (CAST of the float indices, GATHER of the int8 table) and
 * MultiHeadAttention (FULLY_CONNECTED projections, heads split by RESHAPE + TRANSPOSE,
 * BATCH_MATMUL, SOFTMAX, BATCH_MATMUL, heads merged, output projection).
 */
import { describe, expect, it } from 'vitest';
import { kerasToTflite } from '../../../src-main/core/model/keras/to-tflite.ts';
import { quantizeWorkflow } from '../../../src-main/core/quantize/index.ts';
import {
  checkLayer,
  expectInt8,
  functionalModel,
  input,
  ops,
  sequentialModel,
  tfjs,
  values,
} from './layer-harness.ts';

describe('Keras sequence layers → TFLite, float32 and int8 in the core', () => {
  // rule: Embedding is CAST + GATHER; the float32 index input stays float32 (its CAST too) and the
  // int8 GATHER returns table rows within one step (the table's own rounding) of tfjs
  it('Embedding', async () => {
    const keras = await sequentialModel(
      [input('ids', [5]), { class_name: 'Embedding', config: { name: 'e', input_dim: 10, output_dim: 4 } }],
      { e: [{ name: 'e/embeddings:0', shape: [10, 4], data: values(40, 3, -0.8, 0.6) }] },
    );
    const ids = (n: number, seed: number) =>
      Array.from({ length: n }, (_, s) => [values(5, seed * 10 + s, 0, 10).map(Math.floor)]);
    const r = await checkLayer(keras, ids(12, 1), ids(4, 2), tfjs(keras));
    expect(ops(r.float)).toEqual(['CAST', 'GATHER']);
    const sg = r.int8.subgraphs[0];
    expect(sg.tensors[sg.inputs[0]].dtype).toBe('float32');
    expect(ops(r.int8)).toEqual(['CAST', 'GATHER', 'DEQUANTIZE']);
    expectInt8(r);
  });

  // rule: the quantize workflow (int8 I/O, report) takes an Embedding model: the index input stays
  // float32 (int8 would round indices before the CAST truncates them), CAST has no error row, and
  // the int8 softmax output stays close to the float model's
  it('Embedding model through the quantize workflow with int8 I/O', async () => {
    const keras = await sequentialModel(
      [
        input('ids', [5]),
        { class_name: 'Embedding', config: { name: 'e', input_dim: 10, output_dim: 4 } },
        { class_name: 'Flatten', config: { name: 'f' } },
        { class_name: 'Dense', config: { name: 'd', units: 3, activation: 'softmax' } },
      ],
      {
        e: [{ name: 'e/embeddings:0', shape: [10, 4], data: values(40, 3, -0.8, 0.6) }],
        d: [
          { name: 'd/kernel:0', shape: [20, 3], data: values(60, 5) },
          { name: 'd/bias:0', shape: [3], data: values(3, 6) },
        ],
      },
    );
    const ids = Array.from({ length: 16 }, (_, s) => [values(5, s, 0, 10).map(Math.floor)]);
    const out = quantizeWorkflow({ float: kerasToTflite(keras), keras, samples: ids, io: 'int8' });
    const sg = out.model.subgraphs[0];
    expect(sg.tensors[sg.inputs[0]].dtype).toBe('float32');
    expect(sg.tensors[sg.outputs[0]].dtype).toBe('int8');
    expect(out.report.layers.map((l) => l.op_name)).toEqual([
      'GATHER',
      'RESHAPE',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ]);
    expect(out.report.outputs.rmse).toBeLessThan(0.01);
  });

  const heads = 2;
  const kd = 3;
  const dim = 6;
  const mhaWeights = (seed: number) =>
    [
      ['query/kernel:0', [dim, heads, kd]],
      ['query/bias:0', [heads, kd]],
      ['key/kernel:0', [dim, heads, kd]],
      ['key/bias:0', [heads, kd]],
      ['value/kernel:0', [dim, heads, kd]],
      ['value/bias:0', [heads, kd]],
      ['attention_output/kernel:0', [heads, kd, dim]],
      ['attention_output/bias:0', [dim]],
    ].map(([name, shape], i) => {
      const n = (shape as number[]).reduce((a, b) => a * b, 1);
      return { name: name as string, shape: shape as number[], data: values(n, seed + i, -0.6, 0.6) };
    });

  /** MultiHeadAttention by its definition (float64), key = value. */
  function mhaRef(q: Float32Array, v: Float32Array, w: ReturnType<typeof mhaWeights>): Float32Array {
    const [wq, bq, wk, bk, wv, bv, wo, bo] = w.map((x) => x.data);
    const t = q.length / dim;
    const s = v.length / dim;
    const proj = (x: Float32Array, n: number, k: Float32Array, b: Float32Array) =>
      Array.from({ length: n }, (_, r) =>
        Array.from({ length: heads * kd }, (_, hk) => {
          let acc = b[hk];
          for (let d = 0; d < dim; d++) acc += x[r * dim + d] * k[d * heads * kd + hk];
          return acc;
        }),
      );
    const Q = proj(q, t, wq, bq);
    const K = proj(v, s, wk, bk);
    const V = proj(v, s, wv, bv);
    const out = new Float32Array(t * dim);
    for (let i = 0; i < t; i++) {
      const ctx = new Float64Array(heads * kd);
      for (let h = 0; h < heads; h++) {
        const sc = Array.from({ length: s }, (_, j) => {
          let a = 0;
          for (let k = 0; k < kd; k++) a += Q[i][h * kd + k] * K[j][h * kd + k];
          return a / Math.sqrt(kd);
        });
        const mx = Math.max(...sc);
        const e = sc.map((x) => Math.exp(x - mx));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j < s; j++)
          for (let k = 0; k < kd; k++) ctx[h * kd + k] += (e[j] / z) * V[j][h * kd + k];
      }
      for (let o = 0; o < dim; o++) {
        let acc = bo[o];
        for (let hk = 0; hk < heads * kd; hk++) acc += ctx[hk] * wo[hk * dim + o];
        out[i * dim + o] = acc;
      }
    }
    return out;
  }

  const mhaLayer = (value: string) => ({
    class_name: 'MultiHeadAttention',
    name: 'mha',
    config: { name: 'mha', num_heads: heads, key_dim: kd, value_dim: kd, use_bias: true, dropout: 0 },
    inbound_nodes: [[['q', 0, 0, { value: [value, 0, 0] }]]],
  });
  const inputLayer = (name: string, shape: number[]) => ({ ...input(name, shape), name, inbound_nodes: [] });
  const EXPECTED = [
    'RESHAPE',
    'FULLY_CONNECTED',
    'RESHAPE',
    'TRANSPOSE',
    'RESHAPE',
    'FULLY_CONNECTED',
    'RESHAPE',
    'TRANSPOSE',
    'RESHAPE',
    'FULLY_CONNECTED',
    'RESHAPE',
    'TRANSPOSE',
    'BATCH_MATMUL',
    'SOFTMAX',
    'BATCH_MATMUL',
    'TRANSPOSE',
    'RESHAPE',
    'FULLY_CONNECTED',
    'RESHAPE',
  ];

  // rule: cross-attention (value given as the call's kwarg, key = value) equals the definition as
  // float32; int8: the layer's interior (projections, heads, scores, softmax, context) runs in
  // int16 with int8 at its boundary: within one int8 step end to end although its projections
  // hold int8 weights (measured 0.72 and 0.81; all-int8 1.62)
  it('MultiHeadAttention, query [4, 6] attending to value [3, 6]', async () => {
    const w = mhaWeights(21);
    const keras = await functionalModel(
      [inputLayer('q', [4, dim]), inputLayer('v', [3, dim]), mhaLayer('v')],
      ['q', 'v'],
      ['mha'],
      { mha: w },
    );
    const pairs = (n: number, seed: number) =>
      Array.from({ length: n }, (_, k) => [values(4 * dim, seed + k), values(3 * dim, seed + 50 + k)]);
    const r = await checkLayer(keras, pairs(24, 100), pairs(6, 200), (xs) =>
      xs.map(([q, v]) => mhaRef(q, v, w)),
    );
    expect(ops(r.float)).toEqual(EXPECTED);
    expectInt8(r, 1);
  });

  // rule: self-attention (value = query) reads the one input for query, key and value
  it('MultiHeadAttention, self-attention', async () => {
    const w = mhaWeights(41);
    const keras = await functionalModel([inputLayer('q', [5, dim]), mhaLayer('q')], ['q'], ['mha'], {
      mha: w,
    });
    const one = (n: number, seed: number) => Array.from({ length: n }, (_, k) => [values(5 * dim, seed + k)]);
    const r = await checkLayer(keras, one(24, 300), one(6, 400), (xs) => xs.map(([q]) => mhaRef(q, q, w)));
    expect(ops(r.float)).toEqual(EXPECTED);
    expectInt8(r, 1);
  });
});
