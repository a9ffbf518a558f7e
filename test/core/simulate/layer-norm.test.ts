/**
 * Keras LayerNormalization as the TFLite converter lowers it (MEAN over the last axis,
 * SQUARED_DIFFERENCE, MEAN, ADD epsilon, RSQRT, SUB, MUL, MUL gamma, ADD beta): the whole graph
 * through the C core (host WebAssembly build), float32 against the same float32 operations done
 * here step by step, and int8 against the float result.
 */
import { describe, expect, it } from 'vitest';
import type { DType, Model, Operator, Quantization, Tensor } from '../../../src-main/core/model/ir.ts';
import { builtinCodeOf } from '../../../src-main/core/model/tflite-schema.ts';
import { writeTflite } from '../../../src-main/core/model/tflite-writer.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { Rng } from '../../helpers/one-op-models.ts';
import { f32 } from '../../helpers/tflm-arith.ts';

const ROWS = 3;
const DEPTH = 8;
const EPS = f32(1e-3);

interface T {
  dtype: DType;
  shape: number[];
  q?: [number, number];
  data?: Uint8Array;
}

/** The lowered graph; `qs` gives each activation's int8 quantization (absent: float32). */
function layerNorm(gamma: Float32Array, beta: Float32Array, qs?: Record<string, [number, number]>): Model {
  const tensors: Tensor[] = [];
  const buffers: Uint8Array[] = [new Uint8Array(0)];
  const add = (name: string, t: T): number => {
    if (t.data) buffers.push(t.data);
    const quantization: Quantization | null = t.q ? { scale: [t.q[0]], zeroPoint: [t.q[1]], axis: 0 } : null;
    tensors.push({
      index: tensors.length,
      name,
      dtype: t.dtype,
      shape: t.shape,
      buffer: t.data ? buffers.length - 1 : 0,
      data: t.data ?? null,
      quantization,
      isVariable: false,
    });
    return tensors.length - 1;
  };
  const dt: DType = qs ? 'int8' : 'float32';
  const act = (name: string, shape: number[]) => add(name, { dtype: dt, shape, q: qs?.[name] });
  /** A float constant, quantized to int8 when the graph is int8. */
  const cst = (name: string, v: Float32Array, shape: number[]) => {
    if (!qs) return add(name, { dtype: 'float32', shape, data: new Uint8Array(v.buffer.slice(0)) });
    const [s, z] = qs[name];
    const q = Int8Array.from(v, (e) => Math.max(-128, Math.min(127, Math.round(e / s) + z)));
    return add(name, { dtype: 'int8', shape, q: [s, z], data: new Uint8Array(q.buffer) });
  };
  const full = [ROWS, DEPTH];
  const col = [ROWS, 1];
  const x = act('x', full);
  const axis = add('axis', { dtype: 'int32', shape: [1], data: new Uint8Array(Int32Array.of(-1).buffer) });
  const mean = act('mean', col);
  const sqd = act('sqd', full);
  const variance = act('var', col);
  const eps = cst('eps', Float32Array.of(EPS), [1]);
  const ve = act('ve', col);
  const r = act('r', col);
  const xm = act('xm', full);
  const n = act('n', full);
  const g = cst('gamma', gamma, [DEPTH]);
  const ng = act('ng', full);
  const b = cst('beta', beta, [DEPTH]);
  const y = act('y', full);
  const ops: [string, number[], number, Record<string, boolean | string | number>][] = [
    ['MEAN', [x, axis], mean, { keep_dims: true }],
    ['SQUARED_DIFFERENCE', [x, mean], sqd, {}],
    ['MEAN', [sqd, axis], variance, { keep_dims: true }],
    ['ADD', [variance, eps], ve, { fused_activation_function: 'NONE' }],
    ['RSQRT', [ve], r, {}],
    ['SUB', [x, mean], xm, { fused_activation_function: 'NONE' }],
    ['MUL', [xm, r], n, { fused_activation_function: 'NONE' }],
    ['MUL', [n, g], ng, { fused_activation_function: 'NONE' }],
    ['ADD', [ng, b], y, { fused_activation_function: 'NONE' }],
  ];
  const names = [...new Set(ops.map((o) => o[0]))];
  const operators: Operator[] = ops.map(([op, inputs, out, options], index) => ({
    index,
    opcodeIndex: names.indexOf(op),
    builtinCode: builtinCodeOf(op)!,
    op,
    known: true,
    inputs,
    outputs: [out],
    intermediates: [],
    options,
  }));
  const model: Model = {
    version: 3,
    description: 'LayerNormalization lowered',
    operatorCodes: names.map((op) => ({
      builtinCode: builtinCodeOf(op)!,
      deprecatedBuiltinCode: builtinCodeOf(op)!,
      version: 1,
    })),
    subgraphs: [{ name: 'main', tensors, operators, inputs: [x], outputs: [y] }],
    buffers,
    metadata: [],
    signatureDefs: [],
    parameters: {},
  };
  return readTflite(writeTflite(model));
}

/** The same operations in float32, in the kernels' order (MEAN: float32 sum in input order / count). */
function reference(x: Float32Array, gamma: Float32Array, beta: Float32Array): number[] {
  const out: number[] = [];
  for (let row = 0; row < ROWS; row++) {
    const v = Array.from(x.subarray(row * DEPTH, (row + 1) * DEPTH));
    let s = 0;
    for (const e of v) s = f32(s + e);
    const mean = f32(s / DEPTH);
    let s2 = 0;
    for (const e of v) s2 = f32(s2 + f32(f32(e - mean) * f32(e - mean)));
    const r = f32(1 / f32(Math.sqrt(f32(f32(s2 / DEPTH) + EPS))));
    v.forEach((e, c) => out.push(f32(f32(f32(f32(e - mean) * r) * gamma[c]) + beta[c])));
  }
  return out;
}

describe('Keras LayerNormalization lowered by the TFLite converter', () => {
  const r = new Rng(1401);
  const x = Float32Array.from({ length: ROWS * DEPTH }, () => f32(r.int(-4000, 4000) / 1000));
  const gamma = Float32Array.from({ length: DEPTH }, () => f32(r.int(500, 1500) / 1000));
  const beta = Float32Array.from({ length: DEPTH }, () => f32(r.int(-500, 500) / 1000));
  const want = reference(x, gamma, beta);

  it('float32: every op of the graph as TFLite Micro computes it, bit for bit', () => {
    // rule: MEAN, SQUARED_DIFFERENCE, ADD, RSQRT, SUB, MUL in float32 are exact IEEE operations
    const got = invoke(prepare(layerNorm(gamma, beta)), [x]).outputs[0].data as Float32Array;
    expect(Array.from(got)).toEqual(want);
  });

  it('int8: the quantized graph runs in the core and stays within 4 output steps of float32', () => {
    // rule: the int8 lowering (per-tensor scales from the float ranges) runs end to end on the core
    const qs: Record<string, [number, number]> = {
      x: [4 / 127, 0],
      mean: [2 / 127, 0],
      sqd: [16 / 255, -128],
      var: [8 / 255, -128],
      eps: [EPS / 100, -128],
      ve: [8 / 255, -128],
      r: [32 / 255, -128],
      xm: [6 / 127, 0],
      n: [4 / 127, 0],
      gamma: [1.5 / 127, 0],
      ng: [6 / 127, 0],
      beta: [0.5 / 127, 0],
      y: [6 / 127, 0],
    };
    const xq = Int8Array.from(x, (e) => Math.max(-128, Math.min(127, Math.round(e / qs.x[0]))));
    const got = invoke(prepare(layerNorm(gamma, beta, qs)), [xq]).outputs[0].data as Int8Array;
    const [sy, zy] = qs.y;
    const xr = Float32Array.from(xq, (v) => f32(v * qs.x[0]));
    const ref = reference(xr, gamma, beta);
    Array.from(got).forEach((v, i) =>
      expect(Math.abs((v - zy) * sy - ref[i]), `y[${i}]`).toBeLessThanOrEqual(4 * sy),
    );
  });
});
