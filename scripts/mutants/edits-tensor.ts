/** Structural edits of tensors: dtypes, shapes, quantization parameters, constant data. */
import type { DType } from '../../src-main/core/model/ir.ts';
import type { Tensor } from '../../src-main/core/model/ir.ts';
import { broken, dtypeBytes, isConst, main, pickTensor, type Edit, type Edited } from './edit-ir.ts';

/** A broken graph by issue 14's list; the interpreter core does not check it yet (it checks
 * the filter and weight scale counts of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED only). */
export const SCALE_COUNT_RULE = 'scale count is neither 1 nor the quantized dimension';

/** Tagged when the counts break the rule: as many zero points as scales (or none), and one scale,
 * or one per element of the quantized dimension. */
function countsBroken(t: Tensor, what: string): string | Edited {
  const q = t.quantization!;
  const zp = q.zeroPoint.length && q.zeroPoint.length !== q.scale.length;
  const dim = t.shape[q.axis];
  const perAxis = q.scale.length !== 1 && (dim === undefined || q.scale.length !== dim);
  if (zp) return broken(what, 'zero-point count differs from scale count');
  return perAxis ? broken(what, SCALE_COUNT_RULE) : what;
}

/** Element size of the dtypes whose constant data has a fixed byte size. */
const FIXED_SIZE = new Set<string>([
  'float32',
  'int32',
  'uint8',
  'int64',
  'int16',
  'int8',
  'float16',
  'bool',
]);

/** Tagged when constant data no longer matches shape × element size (it did before the edit). */
function sizeBroken(t: Tensor, had: number, has: number, what: string): string | Edited {
  if (!FIXED_SIZE.has(t.dtype) || t.shape.some((d) => d < 0)) return what;
  const want = t.shape.reduce((n, d) => n * d, dtypeBytes(t.dtype));
  return had === want && has !== want ? broken(what, 'constant data size does not match its shape') : what;
}

const DTYPES: DType[] = ['float32', 'int32', 'uint8', 'int64', 'bool', 'int16', 'int8', 'float16', 'string'];

export const TENSOR_EDITS: Record<string, Edit> = {
  /** Scale / zero-point counts that do not match each other or the quantized dimension. */
  'quant-count'(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r, (x) => !!x.quantization?.scale.length);
    const q = t?.quantization;
    if (!t || !q) return null;
    switch (r.int(4)) {
      case 0:
        if (q.scale.length < 2) return null;
        q.scale.pop();
        q.zeroPoint.pop();
        return countsBroken(t, `tensor${t.index}-one-scale-fewer(${q.scale.length})`);
      case 1:
        q.scale.push(q.scale[0]);
        q.zeroPoint.push(q.zeroPoint[0] ?? 0);
        return countsBroken(t, `tensor${t.index}-one-scale-more(${q.scale.length})`);
      case 2:
        q.zeroPoint.push(0);
        return countsBroken(t, `tensor${t.index}-zero-points-${q.zeroPoint.length}-scales-${q.scale.length}`);
      default: {
        const n = 2 + r.int(5);
        q.scale = Array.from({ length: n }, () => q.scale[0]);
        q.zeroPoint = Array.from({ length: n }, () => q.zeroPoint[0] ?? 0);
        return countsBroken(t, `tensor${t.index}-${n}-scales`);
      }
    }
  },
  'quant-axis'(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r, (x) => !!x.quantization?.scale.length);
    if (!t?.quantization) return null;
    const axis = r.pick([-1, t.shape.length, t.shape.length + 3, r.int(Math.max(1, t.shape.length))]);
    t.quantization.axis = axis;
    return `tensor${t.index}-axis=${axis}`;
  },
  'quant-scale'(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r, (x) => !!x.quantization?.scale.length);
    const q = t?.quantization;
    if (!t || !q) return null;
    const k = r.int(q.scale.length);
    const v = r.pick([0, -q.scale[k], NaN, Infinity, -Infinity, 1e-45, 1e30, 1e-30]);
    q.scale[k] = v;
    return `tensor${t.index}-scale${k}=${v}`;
  },
  'quant-zero-point'(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r, (x) => !!x.quantization?.scale.length);
    const q = t?.quantization;
    if (!t || !q) return null;
    const v = r.pick([128, -129, 255, 40000, -40000, 70000, 3, -3]);
    if (!q.zeroPoint.length) q.zeroPoint = q.scale.map(() => 0);
    q.zeroPoint[r.int(q.zeroPoint.length)] = v;
    return `tensor${t.index}-zero-point=${v}`;
  },
  'quant-drop'(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r, (x) => !!x.quantization?.scale.length);
    if (!t) return null;
    t.quantization = null;
    return `tensor${t.index}`;
  },
  'quant-add'(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r, (x) => !x.quantization?.scale.length);
    if (!t) return null;
    t.quantization = { scale: [r.pick([0.5, 1 / 128, 0.1])], zeroPoint: [r.pick([0, -128, 5])], axis: 0 };
    return `tensor${t.index}`;
  },
  dtype(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r);
    if (!t) return null;
    const to = r.pick(DTYPES.filter((d) => d !== t.dtype));
    const from = t.dtype;
    t.dtype = to;
    return `tensor${t.index}-${from}-to-${to}`;
  },
  'shape-dim'(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r, (x) => x.shape.length > 0);
    if (!t) return null;
    const k = r.int(t.shape.length);
    const d = t.shape[k];
    t.shape[k] = r.pick([d + 1, d - 1, d * 2, 0, 1, -1, 3]);
    return `tensor${t.index}-dim${k}-${d}-to-${t.shape[k]}`;
  },
  'shape-rank'(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r);
    if (!t) return null;
    const from = t.shape.length;
    switch (r.int(4)) {
      case 0:
        if (!from) return null;
        t.shape.splice(r.int(from), 1);
        break;
      case 1:
        t.shape.splice(r.int(from + 1), 0, r.pick([1, 2]));
        break;
      case 2:
        t.shape = [1, 1, 1, 1, 1, 1, ...t.shape].slice(-7);
        break;
      default:
        t.shape = [];
    }
    return `tensor${t.index}-rank-${from}-to-${t.shape.length}`;
  },
  'huge-dim'(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r, (x) => x.shape.length > 0);
    if (!t) return null;
    const k = r.int(t.shape.length);
    t.shape[k] = r.pick([65536, 1 << 20, 1 << 28, 0x7fffffff, t.shape[k] * 64]);
    return `tensor${t.index}-dim${k}=${t.shape[k]}`;
  },
  variable(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r);
    if (!t) return null;
    t.isVariable = true;
    return `tensor${t.index}`;
  },
  /** Constant data one element short or long, or taken from another buffer. */
  'buffer-size'(m, r) {
    const sg = main(m);
    const t = pickTensor(sg, r, (x) => isConst(m, x));
    if (!sg || !t) return null;
    const data = m.buffers[t.buffer];
    switch (r.int(3)) {
      case 0:
        m.buffers[t.buffer] = data.slice(0, data.length - 1);
        return sizeBroken(t, data.length, data.length - 1, `tensor${t.index}-one-byte-short`);
      case 1: {
        const longer = new Uint8Array(data.length + 4);
        longer.set(data);
        m.buffers[t.buffer] = longer;
        return sizeBroken(t, data.length, longer.length, `tensor${t.index}-4-bytes-long`);
      }
      default: {
        const other = pickTensor(sg, r, (x) => isConst(m, x) && x.buffer !== t.buffer);
        if (!other) return null;
        t.buffer = other.buffer;
        const what = `tensor${t.index}-buffer-of-tensor${other.index}`;
        return sizeBroken(t, data.length, m.buffers[t.buffer].length, what);
      }
    }
  },
  /** A graph input given constant data of the right size. */
  'input-constant'(m) {
    const sg = main(m);
    const t = sg && sg.tensors[sg.inputs[0]];
    if (!t) return null;
    const bytes = t.shape.reduce((n, d) => n * Math.max(d, 0), dtypeBytes(t.dtype));
    if (!bytes || bytes > 1 << 20) return null;
    t.buffer = m.buffers.length;
    m.buffers.push(new Uint8Array(bytes));
    return `tensor${t.index}`;
  },
};
