/**
 * One small Keras model per layer class, end to end: built as an .h5 in memory (h5-builder.ts),
 * read, converted to the float TFLite IR, run as float32 in the core (the WASM simulator),
 * quantized to int8 on calibration samples and run again in the core. The caller compares both
 * with a float reference: tfjs-layers where it has the layer, otherwise values worked out in the
 * test.
 */
import { expect } from 'vitest';
import type { Model } from '../../../src-main/core/model/ir.ts';
import { readKerasH5, type KerasModel } from '../../../src-main/core/model/keras/index.ts';
import { writeTflite } from '../../../src-main/core/model/tflite-writer.ts';
import { loadTfliteWasm } from '../../helpers/tflite-wasm.ts';
import { kerasToTflite } from '../../../src-main/core/model/keras/to-tflite.ts';
import { kerasToTfjs, predictTfjs } from '../../../src-main/core/model/keras/tfjs-model.ts';
import { autoQuantize, fakeQuantize } from '../../../src-main/core/quantize/index.ts';
import { quantizeValue16 } from '../../../src-main/core/quantize/params.ts';
import { cloneModel, newOperator } from '../../../src-main/core/quantize/model-edit.ts';
import { OPTIONS_FOR_OP } from '../../../src-main/core/model/tflite-options.ts';
import { alignOps, dequantize } from '../../../src-main/core/quantize/index.ts';
import { singleOpModel } from '../../../src-main/core/quantize/single-op.ts';
import { invoke, prepare, tensorValue } from '../../../src-main/core/simulate/interpreter.ts';
import type { TensorData } from '../../../src-main/core/simulate/tensor-data.ts';
import { loadTf } from '../../../src-main/services/tfjs.ts';
import { buildH5, type BuildWeights } from './h5-builder.ts';

export const input = (name: string, shape: number[]) => ({
  class_name: 'InputLayer',
  config: { batch_input_shape: [null, ...shape], name, dtype: 'float32' },
});

/** A Keras 2 Sequential model of `layers` (the first one an InputLayer). */
export async function sequentialModel(
  layers: unknown[],
  weights: BuildWeights = {},
  version = '2.13.1',
): Promise<KerasModel> {
  const config = JSON.stringify({ class_name: 'Sequential', config: { name: 'm', layers } });
  return readKerasH5(
    await buildH5({ model_config: config, keras_version: version, backend: 'tensorflow' }, weights),
  );
}

/** A Keras 2 functional model: layers carry their own `inbound_nodes`. */
export async function functionalModel(
  layers: unknown[],
  inputs: string[],
  outputs: string[],
  weights: BuildWeights = {},
): Promise<KerasModel> {
  const config = JSON.stringify({
    class_name: 'Functional',
    config: {
      name: 'm',
      layers,
      input_layers: inputs.map((n) => [n, 0, 0]),
      output_layers: outputs.map((n) => [n, 0, 0]),
    },
  });
  return readKerasH5(
    await buildH5({ model_config: config, keras_version: '2.13.1', backend: 'tensorflow' }, weights),
  );
}

/** A functional layer entry fed by `from` (layer names, first output of their first call). */
export const call = (className: string, config: Record<string, unknown>, from: string[]) => ({
  class_name: className,
  name: config.name,
  config,
  inbound_nodes: [from.map((n) => [n, 0, 0, {}])],
});

/** Deterministic values in [lo, hi) (xorshift32). */
export function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let x = (seed * 2654435761) >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return lo + ((hi - lo) * x) / 4294967296;
  });
}

/** `count` samples per graph input of the given element counts. */
export function samples(sizes: number[], count: number, seed = 1, lo = -1, hi = 1): Float32Array[][] {
  return Array.from({ length: count }, (_, s) =>
    sizes.map((n, i) => values(n, seed * 1000 + s * 10 + i, lo, hi)),
  );
}

/** The float reference from tfjs-layers, one output array per sample. */
export async function tfjsReference(keras: KerasModel, inputs: Float32Array[][]): Promise<Float32Array[]> {
  const { tf } = await loadTf();
  const model = await kerasToTfjs(tf, keras);
  try {
    return inputs.map((xs) => predictTfjs(tf, model, xs)[0]);
  } finally {
    model.dispose();
  }
}

/** Run a model (float32 I/O) in the core on each sample; the first output of each run. */
export function runCore(model: Model, inputs: Float32Array[][]): Float32Array[] {
  const pm = prepare(model);
  return inputs.map((xs) =>
    Float32Array.from(invoke(pm, xs, { taps: false }).outputs[0].data as Float32Array),
  );
}

export function ops(model: Model): string[] {
  return model.subgraphs[0].operators.map((o) => o.op);
}

/**
 * The int8 tolerance of a layer with weights, in output steps: the output's own rounding (half a
 * step) plus its int8 weights' rounding (each weight off by up to half its channel's step), which
 * the reference, computed with the float weights, does not have. Layers without weights must be
 * within one step.
 */
export const WEIGHTED_STEPS = 1.5;

/**
 * The int8 rule of a layer: each int8 op within one step of its float op on the same inputs (ops
 * with weights: WEIGHTED_STEPS), and the whole layer against the reference on the quantized input
 * within `total` steps (by default one step, WEIGHTED_STEPS with weights). A lowering of several
 * ops runs its interior in int16 by default (quantize/lowering-interior.ts), so the only int8
 * rounding is its output's; its int16 ops are in perOp (bits 16) for the report, measured in int16
 * steps, where an int8 weight's rounding alone is tens of steps: the rule holds them to the end-to-
 * end bound, not to a per-op one.
 */
export function expectInt8(
  r: LayerCheck,
  total = r.perOp.some((o) => o.weighted) ? WEIGHTED_STEPS : 1,
): void {
  for (const o of r.perOp.filter((p) => p.bits === 8)) {
    const limit = o.weighted ? WEIGHTED_STEPS : 1;
    expect(o.steps, `${o.op} '${o.name}': ${o.steps.toFixed(3)} steps off its float op`).toBeLessThanOrEqual(
      limit,
    );
  }
  expect(r.worstSteps, `int8 output ${r.worst} off the reference, step ${r.step}`).toBeLessThanOrEqual(total);
  expect(r.liteWorstSteps, 'the int8 model in TFLite, steps off the reference').toBeLessThanOrEqual(total);
}

/**
 * The int8 model as desktop TFLite can load it. A layer whose interior runs in int16
 * (quantize/lowering-interior.ts) enters it through a QUANTIZE int8 → int16, which TFLite Micro
 * has (micro/kernels/quantize_common.cc) and desktop TFLite's quantize.cc does not: here each such
 * QUANTIZE reads a DEQUANTIZE of its input instead (int8 → float32 → int16, the same values but for
 * the rounding of the requantization multiplier, far below an int8 output step). Desktop TFLite's
 * SQUARED_DIFFERENCE also has no int16 eval (TFLite Micro's squared_difference.cc has): an int16
 * one becomes SUB into an int16 tensor wide enough for any difference, then MUL of it by itself
 * (one extra rounding of at most 1/65534 of the inputs' full range).
 */
export function forDesktopTflite(int8: Model): Model {
  const m = cloneModel(int8);
  const sg = m.subgraphs[0];
  const ordered: typeof sg.operators = [];
  for (const op of sg.operators) {
    const [src, dst] = [sg.tensors[op.inputs[0]], sg.tensors[op.outputs[0]]];
    if (op.op === 'QUANTIZE' && src?.dtype === 'int8' && dst.dtype === 'int16') {
      const real = sg.tensors.length;
      sg.tensors.push({
        ...src,
        index: real,
        name: `${src.name}_float32`,
        dtype: 'float32',
        quantization: null,
        buffer: 0,
        data: null,
        shape: src.shape.slice(),
      });
      ordered.push(newOperator(m, 'DEQUANTIZE', 6, 2, [src.index], [real]));
      op.inputs = [real];
    }
    if (op.op === 'SQUARED_DIFFERENCE' && dst.dtype === 'int16') {
      const [a, b] = op.inputs.map((i) => sg.tensors[i]);
      const d = sg.tensors.length;
      const scale = ((a.quantization!.scale[0] + b.quantization!.scale[0]) * 32768) / 32767;
      sg.tensors.push({
        ...dst,
        index: d,
        name: `${dst.name}_difference`,
        buffer: 0,
        data: null,
        shape: dst.shape.slice(),
        quantization: { scale: [scale], zeroPoint: [0], axis: 0 },
      });
      const sub = newOperator(m, 'SUB', 41, 5, [a.index, b.index], [d]);
      sub.options = { fused_activation_function: 'NONE', pot_scale_int16: false };
      sub.optionsTable = OPTIONS_FOR_OP.SUB;
      ordered.push(sub);
      const mul = newOperator(m, 'MUL', 18, 4, [d, d], [dst.index]);
      mul.options = { fused_activation_function: 'NONE' };
      mul.optionsTable = OPTIONS_FOR_OP.MUL;
      ordered.push(mul);
      continue;
    }
    ordered.push(op);
  }
  sg.operators = ordered;
  sg.operators.forEach((op, i) => (op.index = i));
  return m;
}

export type Reference = (inputs: Float32Array[][]) => Float32Array[] | Promise<Float32Array[]>;

/** tfjs-layers as the reference function. */
export const tfjs =
  (keras: KerasModel): Reference =>
  (inputs) =>
    tfjsReference(keras, inputs);

export interface LayerCheck {
  float: Model;
  int8: Model;
  /** The int8 output's quantization step. */
  step: number;
  /** Largest |int8 - reference on the int8 model's quantized inputs|, and in steps. */
  worst: number;
  worstSteps: number;
  /** The same for the int8 model run in TensorFlow Lite. */
  liteWorstSteps: number;
  /** Root mean square of the same, in steps. */
  rmsSteps: number;
  /** Largest |float conversion - reference|. */
  floatWorst: number;
  /** Per int8 / int16 op: its largest local error in its output steps (see opSteps). */
  perOp: { op: string; name: string; steps: number; weighted: boolean; bits: 8 | 16 }[];
}

/**
 * Each int8 (and int16) op's own error, as TFLite's quantization debugger measures it: the op's
 * output against its float op run on the dequantized inputs the int8 model produced, as the largest
 * difference over the samples in steps of the op's output. Ops with a float32 output (CAST) are
 * left out. `weighted`: the float op has a float constant input (weights, a table, a constant
 * operand), which int8 holds rounded.
 */
export function opSteps(int8: Model, float: Model, inputs: Float32Array[][]) {
  const sg = int8.subgraphs[0];
  const pm = prepare(int8);
  const runs = inputs.map((xs) => invoke(pm, xs).tensors);
  return alignOps(int8, float)
    .filter(({ int8: op }) => ['int8', 'int16'].includes(sg.tensors[op.outputs[0]].dtype))
    .map(({ int8: op, float: fop }) => {
      const single = singleOpModel(float, fop);
      const one = prepare(single.model);
      const out = sg.tensors[op.outputs[0]];
      let worst = 0;
      for (const tensors of runs) {
        const feed: TensorData[] = single.inputSlots.map((slot) => {
          const t = sg.tensors[op.inputs[slot]];
          const v = tensorValue(tensors, t.index);
          return t.dtype === 'int8' || t.dtype === 'int16' ? dequantize(t, v) : v;
        });
        const want = invoke(one, feed, { taps: false }).outputs[0].data as Float32Array;
        const got = dequantize(out, tensorValue(tensors, out.index));
        got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want[i]))));
      }
      const fsg = float.subgraphs[0];
      const weighted = fop.inputs.some(
        (i) => i >= 0 && !!fsg.tensors[i].data && fsg.tensors[i].dtype === 'float32',
      );
      const bits: 8 | 16 = out.dtype === 'int16' ? 16 : 8;
      return { op: op.op, name: out.name, steps: worst / out.quantization!.scale[0], weighted, bits };
    });
}

/**
 * Convert; check the float32 conversion against the reference on `test` (within `floatTol`);
 * quantize on `calib` + `test`; run the int8 model on `test` and compare it with the reference
 * computed on the inputs as the int8 model sees them (quantized to its input scale), so what is
 * measured is the int8 layer's own arithmetic. Both models also run in TensorFlow Lite itself: the
 * float32 one within `floatTol` of the reference, the int8 one measured like the core's.
 */
export async function checkLayer(
  keras: KerasModel,
  calib: Float32Array[][],
  test: Float32Array[][],
  reference: Reference,
  floatTol = 1e-5,
): Promise<LayerCheck> {
  const float = kerasToTflite(keras);
  const want = await reference(test);
  const got = runCore(float, test);
  let floatWorst = 0;
  got.forEach((y, s) => {
    expect(y.length).toBe(want[s].length);
    y.forEach((v, i) => (floatWorst = Math.max(floatWorst, Math.abs(v - want[s][i]))));
  });
  expect(floatWorst, `float32 conversion vs reference: ${floatWorst}`).toBeLessThanOrEqual(floatTol);
  // the same graph in TensorFlow Lite itself: the lowering means what TFLite means by it
  const tflite = await loadTfliteWasm(writeTflite(float));
  let tfliteWorst = 0;
  try {
    test.forEach((xs, s) => {
      const y = tflite.predict(xs)[0] as Float32Array;
      y.forEach((v, i) => (tfliteWorst = Math.max(tfliteWorst, Math.abs(v - want[s][i]))));
    });
  } finally {
    tflite.dispose();
  }
  expect(tfliteWorst, `float32 conversion in TFLite vs reference: ${tfliteWorst}`).toBeLessThanOrEqual(
    floatTol,
  );
  // The test samples are among the calibration samples: their values are in range, so what is
  // measured is int8 rounding, not saturation of values the calibration never saw.
  const { model: int8 } = autoQuantize(float, [...calib, ...test], { io: 'float32', methods: ['minmax'] });
  const sg = int8.subgraphs[0];
  const paramsOf = (t: number) => {
    const q = sg.tensors[t].quantization!;
    return { scale: q.scale[0], zeroPoint: q.zeroPoint[0] };
  };
  const inputParams = sg.inputs.map((t) => {
    const op = sg.operators.find((o) => o.op === 'QUANTIZE' && o.inputs[0] === t);
    return op ? paramsOf(op.outputs[0]) : null;
  });
  // an input read by a layer whose interior runs in int16 (lowering-interior.ts) is quantized
  // straight to int16 when the model's I/O is float32
  const inputBits = sg.inputs.map((t) => {
    const op = sg.operators.find((o) => o.op === 'QUANTIZE' && o.inputs[0] === t);
    return op && sg.tensors[op.outputs[0]].dtype === 'int16' ? 16 : 8;
  });
  const quantized = (x: Float32Array, i: number) => {
    const p = inputParams[i]!;
    return inputBits[i] === 16
      ? Float32Array.from(x, (v) => quantizeValue16(v, p) * p.scale)
      : fakeQuantize(x, p);
  };
  const seen = test.map((xs) => xs.map((x, i) => (inputParams[i] ? quantized(x, i) : x)));
  const ref = await reference(seen);
  const deq = sg.operators.find((o) => o.op === 'DEQUANTIZE' && o.outputs[0] === sg.outputs[0])!;
  const step = paramsOf(deq.inputs[0]).scale;
  const q = runCore(int8, seen);
  // TensorFlow Lite itself runs the int8 model too (its int8 kernels are desktop TFLite's, which
  // round some ops unlike TFLite Micro's); expectInt8 holds it to the same end-to-end bound
  const lite = await loadTfliteWasm(writeTflite(forDesktopTflite(int8)));
  let liteWorst = 0;
  try {
    seen.forEach((xs, k) => {
      const y = lite.predict(xs)[0] as Float32Array;
      y.forEach((v, i) => (liteWorst = Math.max(liteWorst, Math.abs(v - ref[k][i]))));
    });
  } finally {
    lite.dispose();
  }
  let worst = 0;
  let se = 0;
  let n = 0;
  q.forEach((y, s) =>
    y.forEach((v, i) => {
      const e = Math.abs(v - ref[s][i]);
      worst = Math.max(worst, e);
      se += e * e;
      n++;
    }),
  );
  const perOp = opSteps(int8, float, seen);
  if (process.env.QS_LAYER_REPORT)
    console.log(
      `${ops(float).join(',')}: float ${floatWorst.toExponential(2)}, int8 ` +
        `${(worst / step).toFixed(2)} steps max, ${(Math.sqrt(se / n) / step).toFixed(2)} rms; per op ` +
        perOp.map((o) => `${o.op}${o.bits === 16 ? '(16)' : ''} ${o.steps.toFixed(2)}`).join(', ') +
        `; TFLite ${(liteWorst / step).toFixed(2)} steps`,
    );
  return {
    float,
    int8,
    step,
    worst,
    worstSteps: worst / step,
    liteWorstSteps: liteWorst / step,
    rmsSteps: Math.sqrt(se / n) / step,
    floatWorst,
    perOp,
  };
}
