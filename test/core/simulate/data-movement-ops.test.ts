/**
 * Shape and data-movement ops in the interpreter core, on one-op models written with the project's
 * TFLite writer, for every dtype TFLite Micro accepts for each: SPLIT, SPLIT_V, UNPACK (several
 * outputs per op: taps, lean runs and downstream ops), PACK, CONCATENATION, GATHER, GATHER_ND,
 * SLICE, STRIDED_SLICE, BROADCAST_TO, FILL, ZEROS_LIKE, DEPTH_TO_SPACE, SPACE_TO_DEPTH,
 * SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND, TRANSPOSE, ARG_MIN / ARG_MAX, SQUEEZE / EXPAND_DIMS, and
 * dilated CONV_2D / DEPTHWISE_CONV_2D. Expected values come from index arithmetic written here
 * (TFLite Micro's reference semantics), never from the core.
 */
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import type { DType } from '../../../src-main/core/model/ir.ts';
import {
  interpreterVerdict,
  invoke,
  prepare,
  type LayerOutput,
} from '../../../src-main/core/simulate/interpreter.ts';
import { allocate, type TensorData } from '../../../src-main/core/simulate/tensor-data.ts';
import { readFixture } from '../../helpers/fixtures.ts';
import { irModel, oneOpIr, type TensorSpec } from '../../helpers/ir-models.ts';

type Plain = 'int8' | 'int16' | 'int32' | 'float32';
const Q: [number, number] = [0.5, 3];

/** A tensor spec of dtype `dt` (int8 / int16 quantized, the others plain). */
const t = (dt: DType, shape: number[], data?: TensorData): TensorSpec => ({
  dtype: dt,
  shape,
  ...(data ? { data } : {}),
  ...(dt === 'int8' ? { q: Q } : dt === 'int16' ? { q: [0.25, 0] as [number, number] } : {}),
});
const i32 = (...v: number[]) => Int32Array.from(v);
/** 0, 1, 2, ... (negated on odd indices so signs move too) as dtype `dt`. */
function ramp(dt: DType, n: number): TensorData {
  const a = allocate(dt, n);
  for (let i = 0; i < n; i++) {
    const v = i % 2 ? -i : i;
    if (a instanceof BigInt64Array) a[i] = BigInt(v);
    else if (dt === 'bool') a[i] = i % 3 === 0 ? 1 : 0;
    else a[i] = v;
  }
  return a;
}
const nums = (d: TensorData): number[] => Array.from(d as ArrayLike<number | bigint>, Number);
const runAll = (m: ReturnType<typeof oneOpIr>, ...inputs: TensorData[]): LayerOutput[] =>
  invoke(prepare(m), inputs).outputs;
const run = (m: ReturnType<typeof oneOpIr>, ...inputs: TensorData[]): number[] =>
  nums(runAll(m, ...inputs)[0].data);
/** Row-major element index of `idx` in `shape`. */
const flat = (shape: number[], idx: number[]) => idx.reduce((o, v, d) => o * shape[d] + v, 0);
/** Every index of `shape` in row-major order. */
function* indices(shape: number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    const idx = new Array<number>(shape.length);
    let r = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = r % shape[d];
      r = Math.floor(r / shape[d]);
    }
    yield idx;
  }
}
/** A reference output: out[idx] = input[src(idx)] (or `fill` where src gives null). */
function gatherRef(
  inShape: number[],
  input: number[],
  outShape: number[],
  src: (o: number[]) => number[] | null,
  fill = 0,
): number[] {
  const out: number[] = [];
  for (const o of indices(outShape)) {
    const s = src(o);
    out.push(s ? input[flat(inShape, s)] : fill);
  }
  return out;
}
const refuse = (m: ReturnType<typeof oneOpIr>) => () => prepare(m);

const ALL4: Plain[] = ['int8', 'int16', 'int32', 'float32'];

describe('several outputs per op', () => {
  // rule: SPLIT cuts the input into num_splits equal parts along a constant axis (negative counts
  // from the end), for float32, int8, int16 and int32 (TFLite Micro's split.cc)
  it.each(ALL4)('SPLIT %s [2,6] into 3 along axis -1', (dt) => {
    const m = oneOpIr(
      'SPLIT',
      [t('int32', [], i32(-1)), t(dt, [2, 6]), t(dt, [2, 2]), t(dt, [2, 2]), t(dt, [2, 2])],
      [0, 1],
      [2, 3, 4],
      { num_splits: 3 },
    );
    const x = ramp(dt, 12);
    const outs = runAll(m, x);
    const v = nums(x);
    expect(outs.map((o) => nums(o.data))).toEqual(
      [0, 1, 2].map((k) => gatherRef([2, 6], v, [2, 2], ([r, c]) => [r, 2 * k + c])),
    );
    expect(outs.map((o) => o.tensor)).toEqual([2, 3, 4]);
  });

  // rule: SPLIT_V gives each output its own extent along the axis (size_splits, -1 = the rest)
  it.each(ALL4)('SPLIT_V %s [5,2] into 1, 3, 1 rows along axis 0 (size_splits 1, -1, 1)', (dt) => {
    const m = oneOpIr(
      'SPLIT_V',
      [
        t(dt, [5, 2]),
        t('int32', [3], i32(1, -1, 1)),
        t('int32', [], i32(0)),
        t(dt, [1, 2]),
        t(dt, [3, 2]),
        t(dt, [1, 2]),
      ],
      [0, 1, 2],
      [3, 4, 5],
      { num_splits: 3 },
      'SplitVOptions',
    );
    const x = ramp(dt, 10);
    const v = nums(x);
    expect(runAll(m, x).map((o) => nums(o.data))).toEqual([v.slice(0, 2), v.slice(2, 8), v.slice(8, 10)]);
  });

  // rule: UNPACK removes the axis: output i is the input at index i along it (any axis)
  it.each(ALL4)('UNPACK %s [3,2,2] along axis 1 and axis 2', (dt) => {
    for (const axis of [1, 2]) {
      const m = oneOpIr('UNPACK', [t(dt, [3, 2, 2]), t(dt, [3, 2]), t(dt, [3, 2])], [0], [1, 2], {
        num: 2,
        axis,
      });
      const x = ramp(dt, 12);
      const v = nums(x);
      expect(runAll(m, x).map((o) => nums(o.data))).toEqual(
        [0, 1].map((k) => gatherRef([3, 2, 2], v, [3, 2], ([a, b]) => (axis === 1 ? [a, k, b] : [a, b, k]))),
      );
    }
  });

  // rule: every output of a multi-output op is a tapped layer of that op (same opIndex, own
  // tensor), in lean runs too; a later op reads any of them (the planner keeps each alive)
  it('SPLIT feeding CONCATENATION in swapped order: layers, lean onLayer and graph outputs', () => {
    const m = irModel(
      [t('int32', [], i32(1)), t('int8', [2, 4]), t('int8', [2, 2]), t('int8', [2, 2]), t('int8', [2, 4])],
      [
        { op: 'SPLIT', inputs: [0, 1], outputs: [2, 3], options: { num_splits: 2 } },
        { op: 'CONCATENATION', inputs: [3, 2], outputs: [4], options: { axis: 1 } },
      ],
      [4, 2],
    );
    const pm = prepare(m);
    const x = Int8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const r = invoke(pm, [x]);
    expect(r.layers.map((l) => [l.opIndex, l.tensor])).toEqual([
      [0, 2],
      [0, 3],
      [1, 4],
    ]);
    expect(nums(r.layers[1].data)).toEqual([3, 4, 7, 8]);
    expect(nums(r.outputs[0].data)).toEqual([3, 4, 1, 2, 7, 8, 5, 6]);
    expect(nums(r.outputs[1].data)).toEqual([1, 2, 5, 6]);
    expect(nums(r.tensors.get(3)!)).toEqual([3, 4, 7, 8]);
    const seen: [number, number, number[]][] = [];
    const lean = invoke(pm, [x], {
      taps: false,
      onLayer: (l) => seen.push([l.opIndex, l.tensor, nums(l.data)]),
    });
    expect(seen).toEqual([
      [0, 2, [1, 2, 5, 6]],
      [0, 3, [3, 4, 7, 8]],
      [1, 4, [3, 4, 1, 2, 7, 8, 5, 6]],
    ]);
    expect(nums(lean.outputs[1].data)).toEqual([1, 2, 5, 6]);
  });

  // rule: shapes that do not add up, a num_splits that is not the output count, a non-constant
  // axis, or an op that has one output given two are refused by name at load
  it('refuses inconsistent SPLIT / UNPACK and a second output on a single-output op', () => {
    const bad = (shape: number[]) =>
      oneOpIr(
        'SPLIT',
        [t('int32', [], i32(1)), t('int8', [2, 6]), t('int8', shape), t('int8', shape)],
        [0, 1],
        [2, 3],
        {
          num_splits: 2,
        },
      );
    expect(refuse(bad([2, 2]))).toThrow(/equal parts|add up/);
    expect(refuse(bad([3, 3]))).toThrow(/off the axis/);
    const n3 = oneOpIr(
      'SPLIT',
      [t('int32', [], i32(1)), t('int8', [2, 6]), t('int8', [2, 3]), t('int8', [2, 3])],
      [0, 1],
      [2, 3],
      {
        num_splits: 3,
      },
    );
    expect(refuse(n3)).toThrow(/num_splits differs from its output count/);
    const dynAxis = oneOpIr(
      'SPLIT',
      [t('int32', []), t('int8', [2, 6]), t('int8', [2, 3]), t('int8', [2, 3])],
      [0, 1],
      [2, 3],
      {
        num_splits: 2,
      },
    );
    expect(refuse(dynAxis)).toThrow(/axis must be a constant/);
    const unpack = oneOpIr('UNPACK', [t('int8', [3, 2]), t('int8', [2]), t('int8', [2])], [0], [1, 2], {
      num: 2,
      axis: 0,
    });
    expect(refuse(unpack)).toThrow(/UNPACK's num|add up/);
    const relu2 = oneOpIr('RELU', [t('int8', [2]), t('int8', [2]), t('int8', [2])], [0], [1, 2]);
    expect(refuse(relu2)).toThrow(/exactly one output/);
  });
});

describe('joining tensors', () => {
  // rule: PACK stacks its inputs along a new axis (any axis) for float32, int8, int16, int32
  it.each(ALL4)('PACK %s three [2,2] along axis 0, 1 and 2', (dt) => {
    for (const axis of [0, 1, 2]) {
      const shape = [2, 2];
      const outShape = [2, 2];
      outShape.splice(axis, 0, 3);
      const m = oneOpIr('PACK', [t(dt, shape), t(dt, shape), t(dt, shape), t(dt, outShape)], [0, 1, 2], [3], {
        values_count: 3,
        axis,
      });
      const xs = [0, 1, 2].map((k) => nums(ramp(dt, 4)).map((v) => v + 10 * k));
      const inputs = xs.map((v) => {
        const a = allocate(dt, 4);
        v.forEach((e, i) => (a[i] = e));
        return a;
      });
      const want = [...indices(outShape)].map((o) => {
        const k = o[axis];
        const rest = o.filter((_, d) => d !== axis);
        return xs[k][flat(shape, rest)];
      });
      expect(run(m, ...inputs)).toEqual(want);
    }
  });

  // rule: CONCATENATION joins along an axis for float32, int8, int16, int32, bool and int64
  it.each([...ALL4, 'bool' as const, 'int64' as const])(
    'CONCATENATION %s [2,1] + [2,2] along axis 1',
    (dt) => {
      const m = oneOpIr('CONCATENATION', [t(dt, [2, 1]), t(dt, [2, 2]), t(dt, [2, 3])], [0, 1], [2], {
        axis: 1,
      });
      const a = ramp(dt, 2);
      const b = ramp(dt, 4);
      const va = nums(a);
      const vb = nums(b);
      expect(run(m, a, b)).toEqual([va[0], vb[0], vb[1], va[1], vb[2], vb[3]]);
    },
  );

  // rule: TFLite Micro does not rescale in CONCATENATION: int8 inputs must share the output's
  // scale and zero point; uint8 has no kernel there and says so by name
  it('refuses int8 CONCATENATION with a different input scale, and uint8 CONCATENATION by name', () => {
    const m = oneOpIr(
      'CONCATENATION',
      [{ dtype: 'int8', shape: [1], q: [0.25, 3] }, t('int8', [1]), t('int8', [2])],
      [0, 1],
      [2],
      { axis: 0 },
    );
    expect(refuse(m)).toThrow(/scale or zero point differs from the output's/);
    const u8 = (s: number[]): TensorSpec => ({ dtype: 'uint8', shape: s, q: [0.5, 128] });
    const mu = oneOpIr('CONCATENATION', [u8([1]), u8([1]), u8([2])], [0, 1], [2], { axis: 0 });
    expect(refuse(mu)).toThrow(/uint8 CONCATENATION|CONCATENATION of uint8/);
  });
});

describe('a field model TFLite Micro cannot run', () => {
  // rule: Coral's split_concat (uint8 SPLIT + CONCATENATION) fails in TFLite Micro at
  // CONCATENATION's uint8 type check; the core's refusal says exactly that
  it('google-coral__tools_split_concat is refused naming uint8 CONCATENATION', () => {
    const bytes = readFixture('field', 'models', 'google-coral__tools_split_concat.tflite');
    const v = interpreterVerdict(readTflite(bytes), bytes);
    expect(v.runs).toBe(false);
    expect(v.runs ? '' : v.message).toMatch(/CONCATENATION.*uint8|uint8 CONCATENATION/);
  });
});

describe('picking elements', () => {
  // rule: GATHER takes slices along an axis at int32 positions, float32 and int8 (gather.cc)
  it.each(['int8', 'float32'] as const)('GATHER %s [3,4] along axis 0 and axis 1', (dt) => {
    const x = ramp(dt, 12);
    const v = nums(x);
    const rows = oneOpIr(
      'GATHER',
      [t(dt, [3, 4]), t('int32', [2], i32(2, 0)), t(dt, [2, 4])],
      [0, 1],
      [2],
      { axis: 0 },
      'GatherOptions',
    );
    expect(run(rows, x)).toEqual([...v.slice(8, 12), ...v.slice(0, 4)]);
    const cols = oneOpIr(
      'GATHER',
      [t(dt, [3, 4]), t('int32', [2, 2], i32(3, 3, 0, 1)), t(dt, [3, 2, 2])],
      [0, 1],
      [2],
      { axis: -1 },
      'GatherOptions',
    );
    const pos = [3, 3, 0, 1];
    expect(run(cols, x)).toEqual(gatherRef([3, 4], v, [3, 2, 2], ([r, a, b]) => [r, pos[a * 2 + b]]));
  });

  // rule: GATHER with batch_dims 1 picks per batch row from that row's own indices
  it('GATHER int8 batch_dims 1', () => {
    const x = ramp('int8', 6);
    const v = nums(x);
    const m = oneOpIr(
      'GATHER',
      [t('int8', [2, 3]), t('int32', [2, 2], i32(2, 1, 0, 0)), t('int8', [2, 2])],
      [0, 1],
      [2],
      { axis: 1, batch_dims: 1 },
      'GatherOptions',
    );
    expect(run(m, x)).toEqual([v[2], v[1], v[3], v[3]]);
  });

  // rule: positions given at run time are checked at eval: one outside the axis gives zeros
  // instead of reading outside the tensor; constant ones are refused at load
  it('GATHER positions out of range: zeros at run time, refused when constant', () => {
    const m = oneOpIr(
      'GATHER',
      [t('float32', [3]), t('int32', [3]), t('float32', [3])],
      [0, 1],
      [2],
      { axis: 0 },
      'GatherOptions',
    );
    expect(run(m, Float32Array.of(5, 6, 7), Int32Array.of(2, 3, -1))).toEqual([7, 0, 0]);
    const c = oneOpIr(
      'GATHER',
      [t('float32', [3]), t('int32', [1], i32(3)), t('float32', [1])],
      [0, 1],
      [2],
      { axis: 0 },
      'GatherOptions',
    );
    expect(refuse(c)).toThrow(/outside the gathered axis/);
    const i16 = oneOpIr(
      'GATHER',
      [t('int16', [3]), t('int32', [1], i32(0)), t('int16', [1])],
      [0, 1],
      [2],
      { axis: 0 },
      'GatherOptions',
    );
    expect(refuse(i16)).toThrow(/float32 or int8/);
  });

  // rule: GATHER_ND reads slices at index tuples (indices[:-1] + params[nd:]), float32 and int8
  it.each(['int8', 'float32'] as const)('GATHER_ND %s [2,3,2] with 2-tuples and 3-tuples', (dt) => {
    const x = ramp(dt, 12);
    const v = nums(x);
    const pairs = oneOpIr(
      'GATHER_ND',
      [t(dt, [2, 3, 2]), t('int32', [2, 2], i32(1, 2, 0, 1)), t(dt, [2, 2])],
      [0, 1],
      [2],
    );
    expect(run(pairs, x)).toEqual([v[flat([2, 3, 2], [1, 2, 0])], v[flat([2, 3, 2], [1, 2, 1])], v[2], v[3]]);
    const triples = oneOpIr(
      'GATHER_ND',
      [t(dt, [2, 3, 2]), t('int32', [1, 3], i32(1, 1, 1)), t(dt, [1])],
      [0, 1],
      [2],
    );
    expect(run(triples, x)).toEqual([v[flat([2, 3, 2], [1, 1, 1])]]);
  });

  // rule: SLICE copies begin .. begin + size (size -1: to the end) for float32, int32, int8,
  // int16 and bool
  it.each([...ALL4, 'bool' as const])('SLICE %s [3,4] begin [1,1] size [-1,2]', (dt) => {
    const x = ramp(dt, 12);
    const m = oneOpIr(
      'SLICE',
      [t(dt, [3, 4]), t('int32', [2], i32(1, 1)), t('int32', [2], i32(-1, 2)), t(dt, [2, 2])],
      [0, 1, 2],
      [3],
    );
    expect(run(m, x)).toEqual(gatherRef([3, 4], nums(x), [2, 2], ([r, c]) => [r + 1, c + 1]));
    const over = oneOpIr(
      'SLICE',
      [t(dt, [3, 4]), t('int32', [2], i32(2, 0)), t('int32', [2], i32(2, 4)), t(dt, [2, 4])],
      [0, 1, 2],
      [3],
    );
    expect(refuse(over)).toThrow(/outside the input/);
  });

  // rule: STRIDED_SLICE ignores ellipsis_mask, new_axis_mask and offset as TFLite Micro does
  // (begin/end/strides apply per dimension), int16 like every type
  it('STRIDED_SLICE int16 with ellipsis_mask and offset set (ignored, as in TFLite Micro)', () => {
    const x = ramp('int16', 8);
    const m = oneOpIr(
      'STRIDED_SLICE',
      [
        t('int16', [2, 4]),
        t('int32', [2], i32(0, 3)),
        t('int32', [2], i32(2, 0)),
        t('int32', [2], i32(1, -2)),
        t('int16', [2, 2]),
      ],
      [0, 1, 2, 3],
      [4],
      { ellipsis_mask: 1, offset: true },
    );
    expect(run(m, x)).toEqual(gatherRef([2, 4], nums(x), [2, 2], ([r, c]) => [r, 3 - 2 * c]));
  });

  // rule: ranks above TFLite Micro's limits are refused by name (STRIDED_SLICE 4, SLICE 5)
  it('refuses a 5-D STRIDED_SLICE and a 6-D SLICE (TFLite Micro refuses them)', () => {
    const five = [1, 1, 1, 1, 2];
    const ss = oneOpIr(
      'STRIDED_SLICE',
      [
        t('int8', five),
        t('int32', [5], i32(0, 0, 0, 0, 0)),
        t('int32', [5], i32(1, 1, 1, 1, 1)),
        t('int32', [5], i32(1, 1, 1, 1, 1)),
        t('int8', [1, 1, 1, 1, 1]),
      ],
      [0, 1, 2, 3],
      [4],
    );
    expect(refuse(ss)).toThrow(/rank above 4 \(TFLite Micro's STRIDED_SLICE limit\)/);
    const six = [1, 1, 1, 1, 1, 2];
    const sl = oneOpIr(
      'SLICE',
      [
        t('int8', six),
        t('int32', [6], i32(0, 0, 0, 0, 0, 0)),
        t('int32', [6], i32(1, 1, 1, 1, 1, 1)),
        t('int8', [1, 1, 1, 1, 1, 1]),
      ],
      [0, 1, 2],
      [3],
    );
    expect(refuse(sl)).toThrow(/rank above 5 \(TFLite Micro's SLICE limit\)/);
  });

  // rule: ARG_MIN and ARG_MAX pick the first index of the extreme along any axis (ties keep the
  // first: strict < / >), float32 and int8 input, int32 output
  it.each(['int8', 'float32'] as const)('ARG_MIN / ARG_MAX %s [2,3,2] along every axis, with ties', (dt) => {
    const vals = [3, 1, 3, -2, 0, 1, -2, 5, 5, 5, 0, -2];
    const x = allocate(dt, 12);
    vals.forEach((v, i) => (x[i] = v));
    const shape = [2, 3, 2];
    for (const op of ['ARG_MIN', 'ARG_MAX'] as const)
      for (const axis of [0, 1, 2, -1]) {
        const a = axis < 0 ? axis + 3 : axis;
        const outShape = shape.filter((_, d) => d !== a);
        const m = oneOpIr(
          op,
          [t(dt, shape), t('int32', [], i32(axis)), { dtype: 'int32', shape: outShape }],
          [0, 1],
          [2],
          { output_type: 'INT32' },
          op === 'ARG_MIN' ? 'ArgMinOptions' : 'ArgMaxOptions',
        );
        const want = [...indices(outShape)].map((o) => {
          let best = 0;
          for (let k = 1; k < shape[a]; k++) {
            const at = (j: number) => vals[flat(shape, [...o.slice(0, a), j, ...o.slice(a)])];
            if (op === 'ARG_MIN' ? at(k) < at(best) : at(k) > at(best)) best = k;
          }
          return best;
        });
        expect(run(m, x), `${op} axis ${axis}`).toEqual(want);
      }
  });
});

describe('making tensors', () => {
  // rule: BROADCAST_TO repeats size-1 (and missing leading) dimensions to the constant shape,
  // any element type
  it.each([...ALL4, 'bool' as const])('BROADCAST_TO %s [3,1] -> [2,3,2]', (dt) => {
    const x = ramp(dt, 3);
    const m = oneOpIr(
      'BROADCAST_TO',
      [t(dt, [3, 1]), t('int32', [3], i32(2, 3, 2)), t(dt, [2, 3, 2])],
      [0, 1],
      [2],
    );
    expect(run(m, x)).toEqual(gatherRef([3, 1], nums(x), [2, 3, 2], ([, b]) => [b, 0]));
    const bad = oneOpIr(
      'BROADCAST_TO',
      [t(dt, [3, 2]), t('int32', [2], i32(3, 4)), t(dt, [3, 4])],
      [0, 1],
      [2],
    );
    expect(refuse(bad)).toThrow(/neither 1 nor the output's/);
  });

  // rule: FILL writes its scalar value everywhere (float32, int32, int8; value from a graph input)
  it.each(['int8', 'int32', 'float32'] as const)('FILL %s [2,3] from a scalar input', (dt) => {
    const m = oneOpIr('FILL', [t('int32', [2], i32(2, 3)), t(dt, []), t(dt, [2, 3])], [0, 1], [2]);
    const v = allocate(dt, 1);
    v[0] = -7;
    expect(run(m, v)).toEqual([-7, -7, -7, -7, -7, -7]);
  });

  // rule: ZEROS_LIKE is all zero bytes of the input's type and shape (int64, int32, int8, float32)
  it.each(['int8', 'int32', 'float32', 'int64'] as const)('ZEROS_LIKE %s', (dt) => {
    const m = oneOpIr('ZEROS_LIKE', [t(dt, [2, 2]), t(dt, [2, 2])], [0], [1]);
    expect(run(m, ramp(dt, 4))).toEqual([0, 0, 0, 0]);
  });

  // rule: FILL's dims must equal the output shape; its value must be a scalar
  it('refuses FILL whose dims differ from the output shape', () => {
    const m = oneOpIr('FILL', [t('int32', [2], i32(3, 2)), t('int8', []), t('int8', [2, 3])], [0, 1], [2]);
    expect(refuse(m)).toThrow(/dims differ from the output shape/);
  });
});

describe('space, depth and batch', () => {
  // rule: DEPTH_TO_SPACE: out[b,h,w,d] = in[b, h/bs, w/bs, ((h%bs)*bs + w%bs)*out_depth + d];
  // SPACE_TO_DEPTH is its inverse (float32 and int8)
  it.each(['int8', 'float32'] as const)('DEPTH_TO_SPACE and SPACE_TO_DEPTH %s, block 2', (dt) => {
    const deep = [1, 2, 3, 8];
    const wide = [1, 4, 6, 2];
    const x = ramp(dt, 48);
    const v = nums(x);
    const d2s = oneOpIr(
      'DEPTH_TO_SPACE',
      [t(dt, deep), t(dt, wide)],
      [0],
      [1],
      { block_size: 2 },
      'DepthToSpaceOptions',
    );
    const want = gatherRef(deep, v, wide, ([b, h, w, d]) => [
      b,
      h >> 1,
      w >> 1,
      ((h % 2) * 2 + (w % 2)) * 2 + d,
    ]);
    expect(run(d2s, x)).toEqual(want);
    const s2d = oneOpIr(
      'SPACE_TO_DEPTH',
      [t(dt, wide), t(dt, deep)],
      [0],
      [1],
      { block_size: 2 },
      'SpaceToDepthOptions',
    );
    const back = allocate(dt, 48);
    want.forEach((e, i) => (back[i] = e));
    expect(run(s2d, back)).toEqual(v);
  });

  // rule: SPACE_TO_BATCH_ND pads (with byte 0, as TFLite Micro, whatever the zero point) and moves
  // block offsets into the batch; BATCH_TO_SPACE_ND undoes it and crops (4-D and 3-D inputs)
  it.each(['int8', 'float32'] as const)('SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND %s', (dt) => {
    const inShape = [1, 3, 4, 1];
    const outShape = [4, 2, 2, 1]; // block [2,2], paddings [[1,0],[0,0]]
    const x = ramp(dt, 12);
    const v = nums(x);
    const s2b = oneOpIr(
      'SPACE_TO_BATCH_ND',
      [t(dt, inShape), t('int32', [2], i32(2, 2)), t('int32', [2, 2], i32(1, 0, 0, 0)), t(dt, outShape)],
      [0, 1, 2],
      [3],
    );
    const want = gatherRef(inShape, v, outShape, ([ob, h, w]) => {
      const sh = Math.floor(ob / 2);
      const sw = ob % 2;
      const y = h * 2 + sh - 1;
      const xw = w * 2 + sw;
      return y < 0 ? null : [0, y, xw, 0];
    });
    expect(run(s2b, x)).toEqual(want);
    const b2s = oneOpIr(
      'BATCH_TO_SPACE_ND',
      [t(dt, outShape), t('int32', [2], i32(2, 2)), t('int32', [2, 2], i32(1, 0, 0, 0)), t(dt, inShape)],
      [0, 1, 2],
      [3],
    );
    const batched = allocate(dt, 16);
    want.forEach((e, i) => (batched[i] = e));
    expect(run(b2s, batched)).toEqual(v);
    // 3-D: NHC read as NH1C, one block entry
    const s2b3 = oneOpIr(
      'SPACE_TO_BATCH_ND',
      [t(dt, [1, 4, 2]), t('int32', [1], i32(2)), t('int32', [1, 2], i32(0, 0)), t(dt, [2, 2, 2])],
      [0, 1, 2],
      [3],
    );
    const x3 = ramp(dt, 8);
    expect(run(s2b3, x3)).toEqual(
      gatherRef([1, 4, 2], nums(x3), [2, 2, 2], ([ob, h, c]) => [0, h * 2 + ob, c]),
    );
    // rule: the output keeps the input's depth (found by the loader fuzzer: a mismatch wrote past the output)
    const deep = oneOpIr(
      'SPACE_TO_BATCH_ND',
      [
        t(dt, [1, 2, 2, 3]),
        t('int32', [2], i32(2, 2)),
        t('int32', [2, 2], i32(0, 0, 0, 0)),
        t(dt, [4, 1, 1, 1]),
      ],
      [0, 1, 2],
      [3],
    );
    expect(refuse(deep)).toThrow(/output shape does not match block_shape and paddings/);
  });
});

describe('rank and type coverage of existing ops', () => {
  // rule: TRANSPOSE takes any permutation up to rank 6, float32, int8 and int16; int32 is refused
  // (TFLite Micro has no int32 TRANSPOSE)
  it('TRANSPOSE int16 rank 5 and rank 6; int32 refused', () => {
    for (const [shape, perm] of [
      [
        [2, 1, 3, 2, 2],
        [4, 2, 0, 3, 1],
      ],
      [
        [1, 2, 2, 1, 3, 2],
        [5, 3, 1, 4, 0, 2],
      ],
    ]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = ramp('int16', n);
      const outShape = perm.map((p) => shape[p]);
      const m = oneOpIr(
        'TRANSPOSE',
        [t('int16', shape), t('int32', [perm.length], Int32Array.from(perm)), t('int16', outShape)],
        [0, 1],
        [2],
      );
      expect(run(m, x)).toEqual(
        gatherRef(shape, nums(x), outShape, (o) => {
          const s = new Array<number>(shape.length);
          perm.forEach((p, d) => (s[p] = o[d]));
          return s;
        }),
      );
    }
    const m32 = oneOpIr(
      'TRANSPOSE',
      [t('int32', [2, 3]), t('int32', [2], i32(1, 0)), t('int32', [3, 2])],
      [0, 1],
      [2],
    );
    expect(refuse(m32)).toThrow(/float32, int8 or int16/);
  });

  // rule: SQUEEZE and EXPAND_DIMS keep the bytes for every type (int16 and bool here)
  it('SQUEEZE int16 and EXPAND_DIMS bool keep the data', () => {
    const sq = oneOpIr('SQUEEZE', [t('int16', [1, 3, 1]), t('int16', [3])], [0], [1], {
      squeeze_dims: [0, 2],
    });
    expect(run(sq, Int16Array.of(-300, 2, 30000))).toEqual([-300, 2, 30000]);
    const ex = oneOpIr(
      'EXPAND_DIMS',
      [t('bool', [3]), t('int32', [], i32(0)), t('bool', [1, 3])],
      [0, 1],
      [2],
    );
    expect(run(ex, Uint8Array.of(1, 0, 1))).toEqual([1, 0, 1]);
  });
});

describe('dilation', () => {
  // rule: CONV_2D with dilation 2 reads input taps 2 apart: out = sum over the 2x2 kernel of
  // in[y + 2i, x + 2j] * w[i][j] (VALID, scales 1, zero points 0: the int8 sum itself)
  it('CONV_2D int8 dilation 2 (VALID) and DEPTHWISE_CONV_2D int8 dilation 2', () => {
    const x = Int8Array.from({ length: 16 }, (_, i) => i - 8); // [1,4,4,1]
    const w = Int8Array.of(1, -2, 3, 4); // [1,2,2,1]
    const unit: [number, number] = [1, 0];
    const conv = oneOpIr(
      'CONV_2D',
      [
        { dtype: 'int8', shape: [1, 4, 4, 1], q: unit },
        { dtype: 'int8', shape: [1, 2, 2, 1], q: unit, data: w },
        { dtype: 'int32', shape: [1], data: i32(5), q: unit },
        { dtype: 'int8', shape: [1, 2, 2, 1], q: unit },
      ],
      [0, 1, 2],
      [3],
      { padding: 'VALID', stride_w: 1, stride_h: 1, dilation_w_factor: 2, dilation_h_factor: 2 },
    );
    const at = (y: number, xx: number) => x[y * 4 + xx];
    const want: number[] = [];
    for (let y = 0; y < 2; y++)
      for (let xx = 0; xx < 2; xx++)
        want.push(5 + at(y, xx) * 1 + at(y, xx + 2) * -2 + at(y + 2, xx) * 3 + at(y + 2, xx + 2) * 4);
    expect(run(conv, x)).toEqual(want);
    const dw = oneOpIr(
      'DEPTHWISE_CONV_2D',
      [
        { dtype: 'int8', shape: [1, 4, 4, 1], q: unit },
        { dtype: 'int8', shape: [1, 2, 2, 1], q: unit, data: w },
        { dtype: 'int32', shape: [1], data: i32(5), q: unit },
        { dtype: 'int8', shape: [1, 2, 2, 1], q: unit },
      ],
      [0, 1, 2],
      [3],
      {
        padding: 'VALID',
        stride_w: 1,
        stride_h: 1,
        depth_multiplier: 1,
        dilation_w_factor: 2,
        dilation_h_factor: 2,
      },
    );
    expect(run(dw, x)).toEqual(want);
  });

  // rule: the float32 kernels honour dilation the same way (dilation 2 x 3 on a 5x7 input, SAME:
  // taps outside the input are zero padding)
  it('CONV_2D float32 dilation 2x3 (SAME) and DEPTHWISE_CONV_2D float32 dilation 3x2 (VALID)', () => {
    const H = 5;
    const W = 7;
    const x = Float32Array.from({ length: H * W }, (_, i) => (i % 5) - 2 + i / 8);
    const w = Float32Array.of(1, -2, 0.5, 4); // [1,2,2,1]
    const at = (y: number, xx: number) => (y >= 0 && y < H && xx >= 0 && xx < W ? x[y * W + xx] : 0);
    for (const [op, dh, dw, padding] of [
      ['CONV_2D', 2, 3, 'SAME'],
      ['DEPTHWISE_CONV_2D', 3, 2, 'VALID'],
    ] as const) {
      const effH = dh + 1;
      const effW = dw + 1;
      const oh = padding === 'SAME' ? H : H - effH + 1;
      const ow = padding === 'SAME' ? W : W - effW + 1;
      // SAME: total padding (eff - 1), top/left gets half (rounded down), as TFLite computes it
      const pt = padding === 'SAME' ? Math.floor((effH - 1) / 2) : 0;
      const pl = padding === 'SAME' ? Math.floor((effW - 1) / 2) : 0;
      const m = oneOpIr(
        op,
        [
          { dtype: 'float32', shape: [1, H, W, 1] },
          { dtype: 'float32', shape: [1, 2, 2, 1], data: w },
          { dtype: 'float32', shape: [1], data: Float32Array.of(0.25) },
          { dtype: 'float32', shape: [1, oh, ow, 1] },
        ],
        [0, 1, 2],
        [3],
        {
          padding,
          stride_w: 1,
          stride_h: 1,
          dilation_w_factor: dw,
          dilation_h_factor: dh,
          ...(op === 'DEPTHWISE_CONV_2D' ? { depth_multiplier: 1 } : {}),
        },
      );
      const want: number[] = [];
      for (let y = 0; y < oh; y++)
        for (let xx = 0; xx < ow; xx++) {
          let acc = 0;
          for (let i = 0; i < 2; i++)
            for (let j = 0; j < 2; j++) acc += at(y - pt + i * dh, xx - pl + j * dw) * w[i * 2 + j];
          want.push(Math.fround(acc + 0.25));
        }
      const got = run(m, x);
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => expect(g, `${op} output ${i}`).toBeCloseTo(want[i], 4));
    }
  });
});
