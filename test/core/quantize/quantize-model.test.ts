/**
 * End to end: calibrate a float .tflite in the simulator, quantize it, write it, and run it in real
 * TFLite (WASM) and in our int8 simulator. On held-out data (same for both models) its output error
 * against the float model is no worse than the official converter's int8 model.
 */
import { describe, expect, it } from 'vitest';
import { readTflite, writeTflite, type Model } from '../../../src-main/core/model/index.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { normalizationOf, normalizeSample } from '../../../src-main/core/simulate/inputs/normalize.ts';
import { autoQuantize, calibrate, quantizeModel } from '../../../src-main/core/quantize/index.ts';
import { readFixture } from '../../helpers/fixtures.ts';
import { loadTfliteWasm, type TfliteWasmModel } from '../../helpers/tflite-wasm.ts';
import { augmentedPhotos } from './calibration-data.ts';

const argmax = (a: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
};

/** Output RMSE and top-1 agreement of `model` against the float reference over `samples`. */
function compare(ref: TfliteWasmModel, model: TfliteWasmModel, samples: Float32Array[]) {
  let se = 0;
  let n = 0;
  let agree = 0;
  for (const x of samples) {
    const f = ref.predict([x])[0] as Float32Array;
    const q = model.predict([x])[0] as Float32Array;
    for (let i = 0; i < f.length; i++, n++) se += (f[i] - q[i]) ** 2;
    if (argmax(f) === argmax(q)) agree++;
  }
  return { rmse: Math.sqrt(se / n), top1: agree / samples.length };
}

const IMAGE_MODELS = [
  { name: 'image_example1', official: ['float', 'image_example1.int8.tflite'] },
  { name: 'rock_paper_scissors', official: ['models', 'rock_paper_scissors.tflite'] },
];

describe('quantizeModel on the float fixtures', () => {
  for (const { name, official } of IMAGE_MODELS) {
    it(`${name}: loads in TFLite, keeps its parameters, and is at least as accurate as the official int8`, async () => {
      const floatBytes = readFixture('float', `${name}.float32.tflite`);
      const float = readTflite(floatBytes);
      const norm = normalizationOf(float.parameters)!;
      const size = float.subgraphs[0].tensors[float.subgraphs[0].inputs[0]].shape[1];
      const calibration = augmentedPhotos(size, 100, 1).map((x) => [normalizeSample(x, norm)]);
      const heldOut = augmentedPhotos(size, 40, 777).map((x) => normalizeSample(x, norm));

      const auto = autoQuantize(float, calibration, { io: 'float32' });
      // Three range methods, each with per-channel and per-tensor Dense weights (both have a Dense).
      expect(Object.keys(auto.scores).sort()).toEqual([
        'minmax',
        'minmax per-tensor Dense',
        'mse',
        'mse per-tensor Dense',
        'percentile',
        'percentile per-tensor Dense',
      ]);
      const quantized = auto.model;
      const bytes = writeTflite(quantized);
      const reread = readTflite(bytes);
      const sg = reread.subgraphs[0];
      expect(sg.operators[0].op).toBe('QUANTIZE');
      expect(sg.operators[sg.operators.length - 1].op).toBe('DEQUANTIZE');
      expect(sg.tensors[sg.inputs[0]].dtype).toBe('float32');
      for (const op of sg.operators.filter((o) => o.op === 'CONV_2D')) {
        const w = sg.tensors[op.inputs[1]];
        expect(w.dtype).toBe('int8');
        expect(w.quantization!.scale).toHaveLength(w.shape[0]);
        expect(sg.tensors[op.inputs[2]].dtype).toBe('int32');
      }
      const dense = sg.operators.filter((o) => o.op === 'FULLY_CONNECTED');
      expect(dense.length).toBeGreaterThan(0);
      for (const op of dense) {
        const w = sg.tensors[op.inputs[1]];
        expect(w.quantization!.scale).toHaveLength(auto.fcPerTensor ? 1 : w.shape[0]);
      }
      expect(reread.parameters).toEqual(float.parameters);
      expect(bytes.length).toBeLessThan(floatBytes.length / 2);

      const [ref, ours, theirs] = await Promise.all([
        loadTfliteWasm(floatBytes),
        loadTfliteWasm(bytes),
        loadTfliteWasm(readFixture(...official)),
      ]);
      try {
        const a = compare(ref, ours, heldOut);
        const b = compare(ref, theirs, heldOut);
        const detail = `ours (${auto.method}) ${JSON.stringify(a)} vs official ${JSON.stringify(b)}`;
        expect(a.rmse, detail).toBeLessThanOrEqual(b.rmse);
        expect(a.top1).toBeGreaterThanOrEqual(b.top1);
        // Our own int8 simulator runs it too. TFLite-WASM's kernels are not bit-exact with TFLite
        // Micro's reference kernels (±1 LSB per conv/FC, compounding; see ANCHORS.md), so the
        // softmax outputs may differ by a few 1/256 steps, but the predicted class must agree.
        const pm = prepare(reread);
        const step = sg.tensors[sg.operators[sg.operators.length - 1].inputs[0]].quantization!.scale[0];
        for (const x of heldOut.slice(0, 5)) {
          const sim = invoke(pm, [x], { taps: false }).outputs[0].data as Float32Array;
          const wasm = ours.predict([x])[0] as Float32Array;
          let worst = 0;
          sim.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - wasm[i]))));
          expect(worst / step).toBeLessThanOrEqual(8);
          expect(argmax(sim)).toBe(argmax(wasm));
        }
      } finally {
        [ref, ours, theirs].forEach((m) => m.dispose());
      }
    });
  }

  it('autoQuantize: the final ranges cover every sample, not only those that chose the method', () => {
    // Sorted data: the held-back tail (used to score the methods) holds x in (4.7, 2π].
    const float = readTflite(readFixture('float', 'hello_world_float.tflite'));
    const sorted = Array.from({ length: 100 }, (_, i) => [Float32Array.of((i / 99) * 2 * Math.PI)]);
    const auto = autoQuantize(float, sorted, { io: 'float32', methods: ['minmax'] });
    const sg = float.subgraphs[0];
    const input = auto.ranges.get(sg.inputs[0])!;
    expect(input.max).toBeCloseTo(2 * Math.PI, 5);
    expect(input.min).toBeLessThanOrEqual(0);
  });

  it('hello_world: int8 I/O, x uniform over [0, 2π], no worse than hello_world_int8.tflite', async () => {
    const floatBytes = readFixture('float', 'hello_world_float.tflite');
    const float = readTflite(floatBytes);
    const calibration = Array.from({ length: 100 }, (_, i) => [Float32Array.of((i / 99) * 2 * Math.PI)]);
    const quantized = quantizeModel(float, calibrate(float, calibration, { method: 'minmax' }), {
      io: 'int8',
    });
    const officialModel = readTflite(readFixture('models', 'hello_world_int8.tflite'));
    const ref = await loadTfliteWasm(floatBytes);
    /** RMSE over held-out x of an int8-I/O model, quantizing x and dequantizing y with its own params. */
    const rmse = async (m: Model) => {
      const sg = m.subgraphs[0];
      const qi = sg.tensors[sg.inputs[0]].quantization!;
      const qo = sg.tensors[sg.outputs[0]].quantization!;
      expect(sg.tensors[sg.inputs[0]].dtype).toBe('int8');
      const run = await loadTfliteWasm(writeTflite(m));
      let se = 0;
      const count = 200;
      for (let k = 0; k < count; k++) {
        const x = ((k + 0.37) / count) * 2 * Math.PI;
        const xi = Math.max(-128, Math.min(127, Math.round(x / qi.scale[0]) + qi.zeroPoint[0]));
        const y = ((run.predict([Int8Array.of(xi)])[0] as Int8Array)[0] - qo.zeroPoint[0]) * qo.scale[0];
        se += ((ref.predict([Float32Array.of(x)])[0] as Float32Array)[0] - y) ** 2;
      }
      run.dispose();
      return Math.sqrt(se / count);
    };
    const ours = await rmse(quantized);
    const theirs = await rmse(officialModel);
    ref.dispose();
    expect(ours, `ours ${ours} vs official ${theirs}`).toBeLessThanOrEqual(theirs);
  });

  it('names the layer it cannot quantize and the tensor without a range', () => {
    const float = readTflite(readFixture('float', 'hello_world_float.tflite'));
    const ranges = calibrate(float, [[Float32Array.of(1)]], { method: 'minmax' });
    const renamed: Model = {
      ...float,
      subgraphs: [
        {
          ...float.subgraphs[0],
          // EXP: an op with no int8 kernel (TANH has one since the Keras layer rules)
          operators: float.subgraphs[0].operators.map((o, i) => (i === 1 ? { ...o, op: 'EXP' } : o)),
        },
      ],
    };
    // rule: the message names the layer and how to keep it in float
    expect(() => quantizeModel(renamed, ranges)).toThrow(
      /layer 1 \(EXP\): the int8 firmware has no kernel for it; keep it in float32 with --keep-float 'sequential\/dense_1\/MatMul;/,
    );
    const out = float.subgraphs[0].outputs[0];
    const partial = new Map([...ranges].filter(([t]) => t !== out));
    expect(() => quantizeModel(float, partial)).toThrow(new RegExp(`No calibration range for tensor ${out}`));
    expect(() => calibrate(float, [], { method: 'minmax' })).toThrow(/at least one/);
    const int8 = readTflite(readFixture('models', 'hello_world_int8.tflite'));
    expect(() => calibrate(int8, [[Float32Array.of(1)]], { method: 'minmax' })).toThrow(
      /needs a float model/,
    );
  });
});
