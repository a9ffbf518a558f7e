/**
 * The custom op TFLite_Detection_PostProcess in the C core against TFLite Micro's kernel
 * (micro/kernels/detection_postprocess.cc) worked out here: FlexBuffers options (as the converter writes them), box decoding with anchors, fast and regular NMS, background
 * class offset, score and IoU thresholds, and the refusals for what TFLM does not run.
 */
import { describe, expect, it } from 'vitest';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { writeTflite } from '../../../src-main/core/model/tflite-writer.ts';
import { flexMap, oneOpModel } from '../../helpers/compute-op-models.ts';
import { loadTfliteWasm } from '../../helpers/tflite-wasm.ts';
import { Rng } from '../../helpers/one-op-models.ts';
import { f32 } from '../../helpers/tflm-arith.ts';

interface Opts {
  max_detections: number;
  max_classes_per_detection: number;
  detections_per_class?: number;
  use_regular_nms?: boolean;
  nms_score_threshold: number;
  nms_iou_threshold: number;
  num_classes: number;
  y_scale: number;
  x_scale: number;
  h_scale: number;
  w_scale: number;
}

interface Case {
  opts: Opts;
  n: number;
  /** score columns (num_classes, or num_classes + 1 with a background class) */
  ncb: number;
  anchors: Float32Array;
  outLen: number;
  dtype?: 'float32' | 'int8';
}

function model(c: Case) {
  const dt = c.dtype ?? 'float32';
  const q: [number, number] | undefined = dt === 'int8' ? [0.1, 0] : undefined;
  return oneOpModel({
    op: 'CUSTOM',
    customCode: 'TFLite_Detection_PostProcess',
    customOptions: flexMap({ ...c.opts }),
    tensors: [
      { dtype: dt, shape: [1, c.n, 4], q },
      { dtype: dt, shape: [1, c.n, c.ncb], q },
      { dtype: 'float32', shape: [c.n, 4], data: c.anchors },
      { dtype: 'float32', shape: [1, c.outLen, 4] },
      { dtype: 'float32', shape: [1, c.outLen] },
      { dtype: 'float32', shape: [1, c.outLen] },
      { dtype: 'float32', shape: [1] },
    ],
    inputs: [0, 1, 2],
    outputs: [3, 4, 5, 6],
  });
}

type Box = [number, number, number, number];

/** TFLM's kernel, step by step, in float32 (Math.fround) where it computes in float32. */
function reference(c: Case, enc: Float32Array, scores: Float32Array) {
  const o = c.opts;
  const boxes: Box[] = [];
  for (let i = 0; i < c.n; i++) {
    const [ey, ex, eh, ew] = enc.subarray(4 * i, 4 * i + 4);
    const [ay, ax, ah, aw] = c.anchors.subarray(4 * i, 4 * i + 4);
    const yc = f32((ey / f32(o.y_scale)) * ah + ay);
    const xc = f32((ex / f32(o.x_scale)) * aw + ax);
    const hh = f32(0.5 * Math.exp(eh / f32(o.h_scale)) * ah);
    const hw = f32(0.5 * Math.exp(ew / f32(o.w_scale)) * aw);
    boxes.push([f32(yc - hh), f32(xc - hw), f32(yc + hh), f32(xc + hw)]);
  }
  const outBoxes = new Array<number>(4 * c.outLen).fill(0);
  const outCls = new Array<number>(c.outLen).fill(0);
  const outScores = new Array<number>(c.outLen).fill(0);
  const valid = boxes.every((b) => !(b[0] >= b[2] || b[1] >= b[3]));
  const iou = (a: Box, b: Box): number => {
    const areaA = f32(f32(a[2] - a[0]) * f32(a[3] - a[1]));
    const areaB = f32(f32(b[2] - b[0]) * f32(b[3] - b[1]));
    if (areaA <= 0 || areaB <= 0) return 0;
    const ih = Math.max(f32(Math.min(a[2], b[2]) - Math.max(a[0], b[0])), 0);
    const iw = Math.max(f32(Math.min(a[3], b[3]) - Math.max(a[1], b[1])), 0);
    const inter = f32(ih * iw);
    return f32(inter / f32(f32(areaA + areaB) - inter));
  };
  const thr = f32(o.nms_score_threshold);
  const iouThr = f32(o.nms_iou_threshold);
  /** single-class NMS: a stable sort of the kept scores (descending), then greedy suppression */
  const nms = (s: number[], maxDet: number): number[] => {
    const kept = s.map((v, i) => [v, i]).filter(([v]) => v >= thr);
    const order = kept.map((_, k) => k).sort((a, b) => kept[b][0] - kept[a][0] || a - b);
    const sel: number[] = [];
    const active = kept.map(() => true);
    for (let i = 0; i < order.length && sel.length < Math.min(kept.length, maxDet); i++) {
      if (!active[i]) continue;
      const bi = kept[order[i]][1];
      sel.push(bi);
      for (let j = i + 1; j < order.length; j++)
        if (active[j] && iou(boxes[bi], boxes[kept[order[j]][1]]) > iouThr) active[j] = false;
    }
    return sel;
  };
  const off = c.ncb - o.num_classes;
  let count = 0;
  if (valid && o.use_regular_nms) {
    let top: { idx: number; score: number }[] = [];
    for (let col = 0; col < o.num_classes; col++) {
      const cs = Array.from({ length: c.n }, (_, r) => scores[r * c.ncb + col + off]);
      const merged = [
        ...top,
        ...nms(cs, o.detections_per_class ?? 100).map((a) => ({ idx: a * c.ncb + col + off, score: cs[a] })),
      ];
      // partial sort: score descending, then position in the merged list
      top = merged
        .map((e, pos) => ({ ...e, pos }))
        .sort((a, b) => b.score - a.score || a.pos - b.pos)
        .slice(0, Math.min(merged.length, o.max_detections));
    }
    top.forEach((e, i) => {
      const anchor = Math.floor(e.idx / c.ncb);
      boxes[anchor].forEach((v, k) => (outBoxes[4 * i + k] = v));
      outCls[i] = e.idx - anchor * c.ncb - off;
      outScores[i] = e.score;
    });
    count = top.length;
  } else if (valid) {
    const ncat = Math.min(o.max_classes_per_detection, o.num_classes);
    const classOrder = Array.from({ length: c.n }, (_, r) =>
      Array.from({ length: o.num_classes }, (_, k) => k).sort(
        (a, b) => scores[r * c.ncb + off + b] - scores[r * c.ncb + off + a] || a - b,
      ),
    );
    const maxScores = classOrder.map((ord, r) => scores[r * c.ncb + off + ord[0]]);
    for (const a of nms(maxScores, o.max_detections))
      for (let col = 0; col < ncat; col++) {
        const at = ncat * count + col; // the reference's offset
        boxes[a].forEach((v, k) => (outBoxes[4 * at + k] = v));
        outCls[at] = classOrder[a][col];
        outScores[at] = scores[a * c.ncb + off + classOrder[a][col]];
        count++;
      }
  }
  return { boxes: outBoxes, classes: outCls, scores: outScores, count };
}

function run(c: Case, enc: Float32Array, scores: Float32Array) {
  const outs = invoke(prepare(model(c)), [enc, scores]).outputs.map((t) =>
    Array.from(t.data as Float32Array),
  );
  return { boxes: outs[0], classes: outs[1], scores: outs[2], count: outs[3][0] };
}

/** Anchors on a grid (y, x, h, w), some overlapping. */
function gridAnchors(r: Rng, n: number): Float32Array {
  return Float32Array.from({ length: 4 * n }, (_, k) =>
    k % 4 < 2 ? r.int(0, 8) / 8 : r.pick([0.1, 0.2, 0.25, 0.5]),
  );
}

const base: Opts = {
  max_detections: 5,
  max_classes_per_detection: 1,
  nms_score_threshold: 0.3,
  nms_iou_threshold: 0.5,
  num_classes: 3,
  y_scale: 10,
  x_scale: 10,
  h_scale: 5,
  w_scale: 5,
};

describe('TFLite_Detection_PostProcess', () => {
  it('decodes boxes with the anchors and keeps the best of two overlapping ones (fast NMS)', () => {
    // rule: y = ey / y_scale * ah + ay, half = 0.5 * exp(eh / h_scale) * ah; IoU 1 > 0.5 suppresses
    const anchors = Float32Array.of(0.5, 0.5, 0.2, 0.2, 0.5, 0.5, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1);
    const c: Case = { opts: base, n: 3, ncb: 4, anchors, outLen: 5 };
    const enc = new Float32Array(12); // zero encodings: each box is its anchor
    // background column first (ignored: 4 columns, 3 classes)
    const scores = Float32Array.of(0.9, 0.1, 0.8, 0.2, 0.9, 0.1, 0.2, 0.7, 0.9, 0.6, 0.1, 0.1);
    const got = run(c, enc, scores);
    expect(got.count).toBe(2);
    expect(got.classes.slice(0, 2)).toEqual([1, 0]); // anchor 0 (class 1, 0.8), anchor 2 (class 0, 0.6)
    expect(got.scores.slice(0, 2).map(f32)).toEqual([f32(0.8), f32(0.6)]);
    expect(got.boxes.slice(0, 8)).toEqual([0.4, 0.4, 0.6, 0.6, 0.05, 0.05, 0.15, 0.15].map(f32));
    expect(got.boxes.slice(8).every((v) => v === 0)).toBe(true); // unwritten entries are 0
  });

  it('custom options that are not a FlexBuffers map are refused, never read out of bounds', () => {
    // rule: the options are untrusted bytes: a truncated map is a clear load error
    const c: Case = { opts: base, n: 2, ncb: 3, anchors: new Float32Array(8).fill(0.5), outLen: 5 };
    const good = model(c);
    const op = good.subgraphs[0].operators[0];
    for (const bad of [flexMap({ ...base }).subarray(40), Uint8Array.of(1, 2, 3), Uint8Array.of(0x27, 9)]) {
      op.customOptions = bad;
      expect(() => prepare(good)).toThrow(/not a valid FlexBuffers map|custom options/);
    }
  });

  it('the model reader knows the op (summary shows it supported); another custom op stays unknown', () => {
    // rule: a custom op is known only when QuantScope has it (SUPPORTED_CUSTOM_OPS)
    const c: Case = { opts: base, n: 2, ncb: 3, anchors: new Float32Array(8).fill(0.5), outLen: 5 };
    expect(model(c).subgraphs[0].operators[0].known).toBe(true);
    const other = oneOpModel({
      op: 'CUSTOM',
      customCode: 'PosenetDecoderOp',
      customOptions: flexMap({ max_detections: 1 }),
      tensors: [
        { dtype: 'float32', shape: [1, 4] },
        { dtype: 'float32', shape: [1, 4] },
      ],
      inputs: [0],
      outputs: [1],
    });
    expect(other.subgraphs[0].operators[0].op).toBe('PosenetDecoderOp');
    expect(other.subgraphs[0].operators[0].known).toBe(false);
  });

  it('quantized inputs are refused by name (TFLM decodes float32 only)', () => {
    // rule: TFLM's kernel has no int8/uint8 box or score path at this version
    const c: Case = {
      opts: base,
      n: 2,
      ncb: 3,
      anchors: new Float32Array(8).fill(0.5),
      outLen: 5,
      dtype: 'int8',
    };
    expect(() => prepare(model(c))).toThrow(/takes float32 inputs only/);
  });

  it('an IoU threshold outside (0, 1] is refused, as TFLM does', () => {
    // rule: TFLM ensures 0 < nms_iou_threshold <= 1
    const c: Case = {
      opts: { ...base, nms_iou_threshold: 0 },
      n: 2,
      ncb: 3,
      anchors: new Float32Array(8).fill(0.5),
      outLen: 5,
    };
    expect(() => prepare(model(c))).toThrow(/nms_iou_threshold must be in \(0, 1\]/);
  });

  it('outputs too small for max_detections are refused (TFLM would write past them)', () => {
    // rule: the kernel writes max_detections entries
    const c: Case = { opts: base, n: 2, ncb: 3, anchors: new Float32Array(8).fill(0.5), outLen: 3 };
    expect(() => prepare(model(c))).toThrow(/smaller than the entries TFLite Micro writes/);
  });

  it('a constant anchor of height 0 is refused at load (every TFLM invoke fails on it)', () => {
    // rule: ValidateBoxes fails for an empty decoded box
    const anchors = Float32Array.of(0.5, 0.5, 0, 0.2, 0.5, 0.5, 0.2, 0.2);
    const c: Case = { opts: base, n: 2, ncb: 3, anchors, outLen: 5 };
    expect(() => prepare(model(c))).toThrow(/anchor has a height or width <= 0/);
  });

  it('agrees bit for bit with TFLite (tfjs-tflite WASM) wherever no two scores tie', async () => {
    // rule: an independent implementation (full TFLite's kernel) gives the same boxes, classes,
    // scores and count, fast and regular NMS; ties are left out because TFLM orders equal scores
    // by index explicitly while that TFLite build's partial sort leaves them in heap order
    const r2 = new Rng(4242);
    for (const regular of [false, true]) {
      const n = 120;
      const opts: Opts = {
        ...base,
        max_detections: 12,
        num_classes: 6,
        use_regular_nms: regular,
        detections_per_class: 6,
      };
      const c: Case = { opts, n, ncb: 7, anchors: gridAnchors(r2, n), outLen: 12 };
      const bytes = writeTflite(model(c));
      const ref = await loadTfliteWasm(bytes);
      try {
        for (let t = 0; t < 3; t++) {
          const enc = Float32Array.from({ length: 4 * n }, () => (r2.next() / 2 ** 32) * 2 - 1);
          const scores = Float32Array.from({ length: 7 * n }, () => r2.next() / 2 ** 32);
          const ours = invoke(prepare(model(c)), [enc, scores]).outputs.map((o) =>
            Array.from(o.data as Float32Array),
          );
          const theirs = ref.predict([enc, scores]).map((o) => Array.from(o as Float32Array));
          expect(ours).toEqual(theirs);
          expect(ours[3][0]).toBeGreaterThan(0);
        }
      } finally {
        ref.dispose();
      }
    }
  });

  const r = new Rng(7878);
  for (let k = 0; k < 24; k++) {
    const regular = k % 2 === 1;
    const n = r.pick([1, 5, 17, 40, 64]);
    const nc = r.int(1, 6);
    const ncb = nc + (r.chance(0.5) ? 1 : 0);
    const maxCls = regular ? 1 : r.pick([1, 1, 2, 3]);
    const opts: Opts = {
      ...base,
      max_detections: r.int(0, 12),
      max_classes_per_detection: maxCls,
      use_regular_nms: regular,
      nms_score_threshold: r.pick([0, 0.2, 0.5, 0.9]),
      nms_iou_threshold: r.pick([0.1, 0.45, 0.6, 1]),
      num_classes: nc,
      ...(regular && r.chance(0.7) ? { detections_per_class: r.int(1, 10) } : {}),
    };
    const ncat = Math.min(maxCls, nc);
    const outLen = regular || ncat === 1 ? opts.max_detections : ncat * ncat * opts.max_detections;
    const c: Case = { opts, n, ncb, anchors: gridAnchors(r, n), outLen: Math.max(outLen, 1) };
    // encodings: small offsets and sizes; scores with ties now and then
    const enc = Float32Array.from({ length: 4 * n }, () => r.int(-20, 20) / 4);
    const scores = Float32Array.from({ length: n * ncb }, () =>
      r.chance(0.2) ? 0.5 : r.int(0, 1000) / 1000,
    );
    it(`${regular ? 'regular' : 'fast'} NMS: ${n} anchors, ${nc} classes${ncb > nc ? ' + background' : ''}, max ${opts.max_detections}${maxCls > 1 ? ` x ${maxCls} classes` : ''}`, () => {
      // rule: every output equals TFLM's (boxes within 1e-6 relative: exp comes from the C library)
      const got = run(c, enc, scores);
      const want = reference(c, enc, scores);
      expect(got.count).toBe(want.count);
      expect(got.classes).toEqual(want.classes);
      expect(got.scores).toEqual(want.scores.map(f32));
      got.boxes.forEach((v, i) =>
        expect(Math.abs(v - want.boxes[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want.boxes[i]))),
      );
    });
  }
});
