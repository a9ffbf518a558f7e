/**
 * Small control-flow models (WHILE, IF over subgraphs) written with the project's TFLite writer, and
 * their expected outputs by TFLite Micro's rule (while.cc, if.cc). Every activation is int8 at scale
 * 1 and zero point 0 (ADD is exact, saturated to [-128, 127]) or a raw int32 counter, so the
 * expected values follow from the control flow alone. The C twin is firmware/tests/test_flow.c.
 */
import type { Model, Operator } from '../../src-main/core/model/ir.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { irModel, type OpSpec, type TensorSpec } from './ir-models.ts';

export interface GraphSpec {
  tensors: TensorSpec[];
  ops: OpSpec[];
  inputs: number[];
  outputs: number[];
}

/** One model of several graphs (subgraph k = graphs[k]): operator codes and buffers merged. */
export function multiGraphIr(graphs: GraphSpec[]): Model {
  const parts = graphs.map((g) => irModel(g.tensors, g.ops, g.outputs));
  const names: string[] = [];
  const operatorCodes: Model['operatorCodes'] = [];
  const buffers: Uint8Array[] = [new Uint8Array(0)];
  const subgraphs = parts.map((p, k) => {
    const sg = p.subgraphs[0];
    const bufferOf = p.buffers.map((b, i) => (i === 0 ? 0 : buffers.push(b) - 1));
    const operators = sg.operators.map((o): Operator => {
      let ci = names.indexOf(o.op);
      if (ci < 0) ((ci = names.push(o.op) - 1), operatorCodes.push(p.operatorCodes[o.opcodeIndex]));
      return { ...o, opcodeIndex: ci };
    });
    const tensors = sg.tensors.map((t) => ({ ...t, buffer: bufferOf[t.buffer] }));
    return {
      ...sg,
      name: k === 0 ? 'main' : `subgraph${k}`,
      tensors,
      operators,
      inputs: graphs[k].inputs,
      outputs: graphs[k].outputs,
    };
  });
  return { ...parts[0], operatorCodes, subgraphs, buffers };
}

const ACC: TensorSpec = { dtype: 'int8', shape: [1, 4], q: [1, 0] };
const I32: TensorSpec = { dtype: 'int32', shape: [1] };
const BOOL: TensorSpec = { dtype: 'bool', shape: [1] };
const ADD = (a: number, b: number, out: number): OpSpec => ({
  op: 'ADD',
  inputs: [a, b],
  outputs: [out],
  options: { fused_activation_function: 'NONE' },
});

export const FLOW_STEP = [3, -5, 7, 1];
export const FLOW_THEN = [1, 2, 3, 4];
export const FLOW_ELSE = [-10, -20, -30, -40];

/** branch (a) -> a + c */
const branch = (c: number[]): GraphSpec => ({
  tensors: [ACC, { ...ACC, data: Int8Array.from(c) }, ACC],
  ops: [ADD(0, 1, 2)],
  inputs: [0],
  outputs: [2],
});

/**
 * The counter loop: main (x int8 [1,4], n int32 [1]) runs WHILE(i = 0, n, x) with cond i < n and
 * body (i + 1, n, acc + FLOW_STEP); outputs acc, i.
 */
export function whileCounterBytes(): Uint8Array {
  return writeTflite(
    multiGraphIr([
      {
        tensors: [ACC, I32, { ...I32, data: Int32Array.of(0) }, I32, I32, ACC],
        ops: [
          {
            op: 'WHILE',
            inputs: [2, 1, 0],
            outputs: [3, 4, 5],
            options: { cond_subgraph_index: 1, body_subgraph_index: 2 },
            optionsTable: 'WhileOptions',
          },
        ],
        inputs: [0, 1],
        outputs: [5, 3],
      },
      {
        tensors: [I32, I32, ACC, BOOL],
        ops: [{ op: 'LESS', inputs: [0, 1], outputs: [3] }],
        inputs: [0, 1, 2],
        outputs: [3],
      },
      {
        tensors: [
          I32,
          I32,
          ACC,
          { ...I32, data: Int32Array.of(1) },
          { ...ACC, data: Int8Array.from(FLOW_STEP) },
          I32,
          ACC,
        ],
        ops: [ADD(0, 3, 5), ADD(2, 4, 6)],
        inputs: [0, 1, 2],
        outputs: [5, 1, 6],
      },
    ]),
  );
}

const sat8 = (v: number) => Math.max(-128, Math.min(127, v));

/** while.cc: the body runs while i < n, so max(n, 0) times; each run adds FLOW_STEP (saturating). */
export function whileCounterExpected(x: Int8Array, n: number): { acc: number[]; i: number } {
  const acc = Array.from(x);
  for (let it = 0; it < n; it++) for (let k = 0; k < 4; k++) acc[k] = sat8(acc[k] + FLOW_STEP[k]);
  return { acc, i: Math.max(n, 0) };
}

/** IF: main (c bool [1], x int8 [1,4]) runs IF(c, x) -> x + FLOW_THEN (true) or x + FLOW_ELSE. */
export function ifBranchBytes(): Uint8Array {
  return writeTflite(
    multiGraphIr([
      {
        tensors: [BOOL, ACC, ACC],
        ops: [
          {
            op: 'IF',
            inputs: [0, 1],
            outputs: [2],
            options: { then_subgraph_index: 1, else_subgraph_index: 2 },
            optionsTable: 'IfOptions',
          },
        ],
        inputs: [0, 1],
        outputs: [2],
      },
      branch(FLOW_THEN),
      branch(FLOW_ELSE),
    ]),
  );
}

/** if.cc: a true condition runs then_subgraph, a false one else_subgraph. */
export function ifBranchExpected(cond: boolean, x: Int8Array): number[] {
  const c = cond ? FLOW_THEN : FLOW_ELSE;
  return Array.from(x, (v, k) => sat8(v + c[k]));
}

/** WHILE whose cond subgraph gives a constant true: TFLM would loop forever. */
export function whileEndlessBytes(): Uint8Array {
  return writeTflite(
    multiGraphIr([
      {
        tensors: [ACC, ACC],
        ops: [
          {
            op: 'WHILE',
            inputs: [0],
            outputs: [1],
            options: { cond_subgraph_index: 1, body_subgraph_index: 2 },
            optionsTable: 'WhileOptions',
          },
        ],
        inputs: [0],
        outputs: [1],
      },
      { tensors: [ACC, { ...BOOL, data: Uint8Array.of(1) }], ops: [], inputs: [0], outputs: [1] },
      branch(FLOW_STEP),
    ]),
  );
}
