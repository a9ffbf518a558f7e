/** Shared assertions: a board's per-op outputs against the TFLite Micro goldens. */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import type { ProfileResult } from '../../src-main/services/board/session.ts';
import {
  fixturePath,
  goldenBytes,
  readFixture,
  type Golden,
  type GoldenTensor,
} from '../helpers/fixtures.ts';
import { floatTolerance } from '../helpers/golden-cases.ts';

export interface BoardGoldenCase {
  /** what failures name: the golden's name or path as given */
  label: string;
  model: Uint8Array;
  inputs: Uint8Array[];
  expected: Uint8Array[];
  tensors: number[];
  golden: Golden;
}

/**
 * `golden` is a golden of fixtures/golden/ by name ("person_detect") or any golden file by its
 * path relative to the fixtures ("golden/person_detect.json", "field/golden/<file>.json"); the
 * model is the one the golden names (relative to the folder above golden/).
 */
export function goldenCase(golden: string): BoardGoldenCase {
  const path = golden.endsWith('.json') ? golden : `golden/${golden}.json`;
  const g = JSON.parse(readFileSync(fixturePath(path), 'utf8')) as Golden;
  return {
    label: golden,
    model: readFixture(dirname(dirname(path)), g.model),
    inputs: g.inputs.map(goldenBytes),
    expected: g.op_outputs.map(goldenBytes),
    tensors: g.op_outputs.map((t) => t.tensor),
    golden: g,
  };
}

function elements(t: GoldenTensor, bytes: Uint8Array): ArrayLike<number> {
  const b = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  switch (t.dtype) {
    case 'float32':
      return new Float32Array(b, 0, bytes.length >> 2);
    case 'int32':
      return new Int32Array(b, 0, bytes.length >> 2);
    case 'int16':
      return new Int16Array(b, 0, bytes.length >> 1);
    case 'int8':
      return new Int8Array(b);
    default:
      return bytes;
  }
}

/**
 * Every op output of the run equals the golden (int8 and the like: every byte; float32: within
 * FLOAT_TOL, or from the first float32 op calling libm on, a relative FLOAT_REL_TOL: golden-cases.ts). A failure names the first differing op output: layer (op index), op, tensor and
 * element, with both values.
 */
export function expectMatchesGolden(r: ProfileResult, golden: string | BoardGoldenCase): void {
  const c = typeof golden === 'string' ? goldenCase(golden) : golden;
  const { label } = c;
  const sg = readTflite(c.model).subgraphs[0];
  // A board streams every output of every op (ALL_OUTPUTS, PROTOCOL.md §3: one entry per output,
  // the op's index repeated), so every op output of the golden is compared, SPLIT's and
  // SignalFftAutoScale's second outputs too.
  const ran = new Set(r.ops.map((o) => o.index)).size;
  const outputs = sg.operators.reduce((n, o) => n + o.outputs.filter((t) => t >= 0).length, 0);
  if (ran !== sg.operators.length || r.ops.length !== outputs || c.expected.length < outputs)
    throw new Error(
      `${label}: the board ran ${ran} of ${sg.operators.length} ops and sent ${r.ops.length} of their ${outputs} outputs, the golden has ${c.expected.length} op outputs`,
    );
  // The golden files list op outputs keyed by tensor index (the graph output comes first), so
  // match each op's output tensor rather than its position.
  const tol = floatTolerance();
  for (const op of r.ops) {
    const opName = sg.operators[op.index]?.op ?? '?';
    const where = `layer ${op.index} (${opName}) tensor ${op.tensor} '${sg.tensors[op.tensor]?.name ?? '?'}'`;
    const k = c.tensors.indexOf(op.tensor);
    if (k < 0) throw new Error(`${label}: ${where} has no golden output`);
    const want = c.expected[k];
    if (op.data.length !== want.length)
      throw new Error(`${label}: ${where}: ${op.data.length} bytes, the golden has ${want.length}`);
    const t = c.golden.op_outputs[k];
    const got = elements(t, op.data);
    const exp = elements(t, want);
    tol.see(opName, t.dtype);
    for (let i = 0; i < got.length; i++) {
      if (!(Math.abs(got[i] - exp[i]) <= (t.dtype === 'float32' ? tol.bound(exp[i]) : 0)))
        throw new Error(
          `${label}: first difference at ${where}, element ${i}: expected ${exp[i]}, got ${got[i]}`,
        );
    }
  }
}
