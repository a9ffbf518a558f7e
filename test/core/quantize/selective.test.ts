/**
 * Selective quantization on a real fixture (image_example1, MLTK's float model with its own
 * normalization): keeping the report's worst layer in float32, and putting every layer in int16x8,
 * each lower the model-level error against the float model on held-out data; both results load and
 * run in the core, with the conversions where precisions meet. Layer names are checked.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { readTflite } from '../../../src-main/core/model/index.ts';
import { kerasToTflite, readKeras } from '../../../src-main/core/model/keras/index.ts';
import type { Model } from '../../../src-main/core/model/ir.ts';
import { quantizeWorkflow, type QuantizeRequest } from '../../../src-main/core/quantize/index.ts';
import { dequantizedOutputs } from '../../../src-main/core/quantize/io-convert.ts';
import { precisionPlan, resolveLayers } from '../../../src-main/core/quantize/layer-select.ts';
import { argmax, outputMetrics } from '../../../src-main/core/quantize/output-metrics.ts';
import { normalizationOf, normalizeSample } from '../../../src-main/core/simulate/inputs/normalize.ts';
import { prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { fixturePath, readFixture } from '../../helpers/fixtures.ts';
import { loadTfliteWasm } from '../../helpers/tflite-wasm.ts';
import { augmentedPhotos } from './calibration-data.ts';

const float = readTflite(readFixture('float', 'image_example1.float32.tflite'));
const norm = normalizationOf(float.parameters)!;
const calibration = augmentedPhotos(96, 32, 1).map((x) => [x]); // raw pixels: the workflow normalizes
const heldOut = augmentedPhotos(96, 24, 777).map((x) => [normalizeSample(x, norm)]);
const reference = dequantizedOutputs(prepare(float), heldOut);

const quantize = (extra: Partial<QuantizeRequest> = {}) =>
  quantizeWorkflow({ float, samples: calibration, io: 'float32', method: 'minmax', ...extra });
/** Output RMSE on the held-out samples, the model run in the core (WASM). */
const heldOutRmse = (m: Model) => outputMetrics(reference, dequantizedOutputs(prepare(m), heldOut)).rmse;
const ops = (m: Model) => m.subgraphs[0].operators.map((o) => o.op);

describe('selective quantization (image_example1)', () => {
  const int8 = quantize();
  const int8Rmse = heldOutRmse(int8.model);

  it('--keep-float of the worst layer lowers the model-level error', () => {
    // the worst layer: the report row with the largest rmse/scale (what the report flags)
    const worst = int8.report.layers.reduce((a, b) => (b.rmse_over_scale > a.rmse_over_scale ? b : a));
    const out = quantize({ layers: { keepFloat: [worst.tensor_name] } });
    const rmse = heldOutRmse(out.model);
    console.log(
      `image_example1 held-out output RMSE: int8 ${int8Rmse.toPrecision(4)}, keep-float '${worst.tensor_name}' (${worst.op_name}) ${rmse.toPrecision(4)}`,
    );
    // rule: keeping the worst layer in float lowers the model-level error
    expect(rmse).toBeLessThan(int8Rmse);
    expect(out.precision).toHaveLength(1);
    expect(out.precision[0]).toMatchObject({ op: worst.op_name, precision: 'float32' });
    // rule: the kept layer has float weights, a DEQUANTIZE before it and a QUANTIZE after it
    const sg = out.model.subgraphs[0];
    const name = out.precision[0].name; // the float model's name (the report showed its _int8 twin)
    expect(worst.tensor_name.startsWith(name)).toBe(true);
    const k = sg.operators.findIndex((o) => o.outputs.some((t) => sg.tensors[t].name === name));
    const kept = sg.operators[k];
    expect(kept.inputs.every((t) => sg.tensors[t].dtype === 'float32')).toBe(true);
    expect(sg.tensors[kept.outputs[0]].dtype).toBe('float32');
    expect(sg.operators[k - 1].op).toBe('DEQUANTIZE');
    // after it a QUANTIZE, unless it writes the float32 graph output itself
    if (!sg.outputs.includes(kept.outputs[0])) expect(sg.operators[k + 1].op).toBe('QUANTIZE');
    expect(ops(out.model).filter((o) => o !== 'QUANTIZE' && o !== 'DEQUANTIZE')).toEqual(ops(float));
    // the report still pairs every layer with the float model
    expect(out.report.layers).toHaveLength(float.subgraphs[0].operators.length);
  });

  it('--keep-float of the worst layer with weights: float weights, DEQUANTIZE before, QUANTIZE after', async () => {
    const worst = int8.report.layers
      .filter((l) => l.op_name === 'CONV_2D' || l.op_name === 'FULLY_CONNECTED')
      .reduce((a, b) => (b.rmse_over_scale > a.rmse_over_scale ? b : a));
    const out = quantize({ layers: { keepFloat: [worst.tensor_name] } });
    const rmse = heldOutRmse(out.model);
    console.log(
      `image_example1 held-out output RMSE: int8 ${int8Rmse.toPrecision(4)}, keep-float '${worst.tensor_name}' (${worst.op_name}) ${rmse.toPrecision(4)}`,
    );
    // rule: keeping the worst weighted layer in float lowers the model-level error too
    expect(rmse).toBeLessThan(int8Rmse);
    const sg = out.model.subgraphs[0];
    const k = sg.operators.findIndex((o) => o.outputs.some((t) => sg.tensors[t].name === worst.tensor_name));
    const kept = sg.operators[k];
    // rule: the kept layer runs in float32 (weights and bias float) between DEQUANTIZE and QUANTIZE
    expect(kept.inputs.map((t) => sg.tensors[t].dtype)).toEqual(['float32', 'float32', 'float32']);
    expect([sg.operators[k - 1].op, sg.operators[k + 1].op]).toEqual(['DEQUANTIZE', 'QUANTIZE']);
    expect(sg.tensors[sg.operators[k + 1].outputs[0]].dtype).toBe('int8');
    // rule: the mixed model is a valid TFLite file: desktop TFLite loads and runs it too
    const tfl = await loadTfliteWasm(out.bytes);
    const y = tfl.predict([heldOut[0][0]])[0] as Float32Array;
    tfl.dispose();
    expect(argmax(y)).toBe(argmax(reference[0]));
  });

  it('--int16 all lowers the model-level error; int16 activations, int8 weights, int64 bias', () => {
    const out = quantize({ layers: { int16: 'all' } });
    const rmse = heldOutRmse(out.model);
    console.log(
      `image_example1 held-out output RMSE: int8 ${int8Rmse.toPrecision(4)}, int16x8 ${rmse.toPrecision(4)}`,
    );
    // rule: 16-bit activations lower the model-level error
    expect(rmse).toBeLessThan(int8Rmse / 2);
    // rule: and cost arena (int16 activations) and flash (int64 biases); the outcome says how much
    console.log(
      `image_example1 footprint: int8 ${int8.footprint.modelBytes} B model / ${int8.footprint.arenaBytes} B arena, int16x8 ${out.footprint.modelBytes} B / ${out.footprint.arenaBytes} B`,
    );
    expect(out.footprint.arenaBytes).toBeGreaterThan(int8.footprint.arenaBytes);
    expect(out.footprint.modelBytes).toBe(out.bytes.length);
    expect(out.footprint.modelBytes).toBeGreaterThan(int8.footprint.modelBytes);
    const sg = out.model.subgraphs[0];
    for (const op of sg.operators.filter((o) => o.op === 'CONV_2D' || o.op === 'FULLY_CONNECTED')) {
      const [x, w, b] = op.inputs.map((i) => sg.tensors[i]);
      expect([x.dtype, w.dtype, b.dtype, sg.tensors[op.outputs[0]].dtype]).toEqual([
        'int16',
        'int8',
        'int64',
        'int16',
      ]);
      expect(x.quantization!.zeroPoint).toEqual([0]);
    }
    // rule: the int8 thresholds (rmse/scale, range) do not flag int16 layers: their error against a
    // 1/32767 step is large by construction (int8 weights), so the rows say their type instead
    expect(new Set(out.report.layers.map((l) => l.dtype))).toEqual(new Set(['int16']));
    expect(out.report.layers.some((l) => l.rmse_over_scale > 0.7)).toBe(true);
    expect(out.report.advice.filter((a) => a.kind === 'rmse_over_scale' || a.kind === 'range')).toEqual([]);
    // rule: float I/O converts straight to and from int16 at the edges
    expect(ops(out.model)[0]).toBe('QUANTIZE');
    expect(ops(out.model).at(-1)).toBe('DEQUANTIZE');
    expect(sg.tensors[sg.operators[0].outputs[0]].dtype).toBe('int16');
  });

  it('--int16 all with int8 I/O: QUANTIZE int8→int16 first and int16→int8 last', () => {
    const out = quantize({ io: 'int8', layers: { int16: 'all' } });
    const sg = out.model.subgraphs[0];
    const first = sg.operators[0];
    const last = sg.operators.at(-1)!;
    // rule: the model's int8 edges meet the int16 layers through requantizing QUANTIZE ops
    expect([first.op, sg.tensors[first.inputs[0]].dtype, sg.tensors[first.outputs[0]].dtype]).toEqual([
      'QUANTIZE',
      'int8',
      'int16',
    ]);
    expect([last.op, sg.tensors[last.inputs[0]].dtype, sg.tensors[last.outputs[0]].dtype]).toEqual([
      'QUANTIZE',
      'int16',
      'int8',
    ]);
    expect(out.report.outputs.cosine_similarity).toBeGreaterThan(0.999);
  });

  it('names layers as the report does; unknown, ambiguous and conflicting names are clear errors', () => {
    const names = float.subgraphs[0].operators.map((o) => float.subgraphs[0].tensors[o.outputs[0]].name);
    // rule: the full tensor name, one unique ';' part of it, or the twin name of a float-I/O report
    expect(resolveLayers(float, [names[3]], '--keep-float')).toEqual([3]);
    expect(resolveLayers(float, ['image_example1/dense/MatMul'], '--keep-float')).toEqual([6]);
    expect(resolveLayers(float, ['StatefulPartitionedCall:0_int8'], '--keep-float')).toEqual([7]);
    // rule: an unknown name lists the valid ones
    expect(() => resolveLayers(float, ['conv9'], '--keep-float')).toThrow(
      /--keep-float 'conv9': no layer has that name\. Layers: 0 CONV_2D 'image_example1\/conv2d\/Relu;.*7 SOFTMAX 'StatefulPartitionedCall:0'/,
    );
    // rule: a part several layers share is ambiguous (rock_paper_scissors: conv2d_1/Conv2D in layers 0 and 2)
    const rps = readTflite(readFixture('float', 'rock_paper_scissors.float32.tflite'));
    expect(() => resolveLayers(rps, ['sequential/conv2d_1/Conv2D'], '--int16')).toThrow(
      /--int16 'sequential\/conv2d_1\/Conv2D' names 2 layers \(0, 2\): give the full name of one/,
    );
    // rule: one layer cannot be both float32 and int16
    expect(() => precisionPlan(float, { keepFloat: [names[6]], int16: [names[6]] })).toThrow(
      /Layer 6 .* is in both --keep-float and --int16/,
    );
    // rule: keep-float wins over int16 'all'
    const plan = precisionPlan(float, { keepFloat: [names[6]], int16: 'all' });
    expect(plan.get(6)).toBe('float32');
    expect(plan.get(0)).toBe('int16');
  });
});

describe('selective quantization (keras3 kws_cnn.keras, its 8 MFCC samples)', () => {
  it('--int16 all lowers the model-level error below int8 and the official int8 model', async () => {
    const keras = await readKeras(readFixture('keras3', 'kws_cnn.keras'));
    const kws = kerasToTflite(keras);
    const samples = readdirSync(fixturePath('keras3', 'kws_cnn_samples'))
      .sort()
      .map((f) => {
        const b = readFixture('keras3', 'kws_cnn_samples', f);
        return [new Float32Array(b.slice(10 + (b[8] | (b[9] << 8))).buffer)];
      });
    const ref = dequantizedOutputs(prepare(kws), samples);
    const rmse = (m: Model) => outputMetrics(ref, dequantizedOutputs(prepare(m), samples)).rmse;
    const opts = {
      float: kws,
      keras,
      samples,
      io: 'float32' as const,
      method: 'minmax' as const,
      fcPerTensor: false,
    };
    const int8Kws = rmse(quantizeWorkflow(opts).model);
    const int16Kws = rmse(quantizeWorkflow({ ...opts, layers: { int16: 'all' } }).model);
    const official = rmse(readTflite(readFixture('keras3', 'kws_cnn_int8.tflite')));
    console.log(
      `kws_cnn output RMSE on its 8 samples: official int8 ${official.toPrecision(4)}, ours int8 ${int8Kws.toPrecision(4)}, ours int16x8 ${int16Kws.toPrecision(4)}`,
    );
    // rule: int16x8 activations lower the model-level error (here about 3x)
    expect(int16Kws).toBeLessThan(int8Kws / 2);
    expect(int16Kws).toBeLessThan(official);
  });
});

describe('selective quantization (keras3 effnetv2_cifar10.keras: DEPTHWISE_CONV_2D, ADD, squeeze-excite MUL)', () => {
  it('--int16 all puts every layer in int16x8 (no conversions inside) and lowers the error', async () => {
    const keras = await readKeras(readFixture('keras3', 'effnetv2_cifar10.keras'));
    const eff = kerasToTflite(keras);
    // grey photos as 32×32 RGB in [0, 1]
    const rgb = (n: number, seed: number) =>
      augmentedPhotos(32, n, seed).map((g) => [
        Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => g[Math.floor(i / 3)] / 255),
      ]);
    const held = rgb(8, 77);
    const ref = dequantizedOutputs(prepare(eff), held);
    const rmse = (m: Model) => outputMetrics(ref, dequantizedOutputs(prepare(m), held)).rmse;
    const opts = {
      float: eff,
      keras,
      samples: rgb(16, 3),
      io: 'float32' as const,
      method: 'minmax' as const,
    };
    const int8Eff = rmse(quantizeWorkflow(opts).model);
    const out = quantizeWorkflow({ ...opts, layers: { int16: 'all' } });
    const int16Eff = rmse(out.model);
    console.log(
      `effnetv2_cifar10 held-out output RMSE: int8 ${int8Eff.toPrecision(4)}, int16x8 ${int16Eff.toPrecision(4)}`,
    );
    // rule: every layer of this network has an int16 kernel, so only the float I/O edges convert
    expect(out.precision).toHaveLength(eff.subgraphs[0].operators.length);
    expect(ops(out.model).filter((o) => o === 'QUANTIZE' || o === 'DEQUANTIZE')).toEqual([
      'QUANTIZE',
      'DEQUANTIZE',
    ]);
    // rule: int16 activations lower the model-level error
    expect(int16Eff).toBeLessThan(int8Eff);
  });
});

describe('every layer choice runs in the core (autoencoder_example, hello_world)', () => {
  it('each layer alone, and all but it, in float32 or int16x8, with int8 and float32 I/O', () => {
    const cases: [string, Float32Array[][]][] = [
      [
        'autoencoder_example.float32.tflite',
        Array.from({ length: 6 }, (_, k) => [
          Float32Array.from({ length: 140 }, (_, i) => Math.sin(i * 0.1 + k)),
        ]),
      ],
      ['hello_world_float.tflite', Array.from({ length: 6 }, (_, k) => [Float32Array.of(k)])],
    ];
    let runs = 0;
    for (const [name, samples] of cases) {
      const model = readTflite(readFixture('float', name));
      const ops = model.subgraphs[0].operators;
      const names = ops.map((o) => model.subgraphs[0].tensors[o.outputs[0]].name);
      const ref = dequantizedOutputs(prepare(model), samples);
      for (const io of ['int8', 'float32'] as const)
        for (let i = 0; i < ops.length; i++) {
          const others = names.filter((_, k) => k !== i);
          for (const layers of [
            { keepFloat: [names[i]] },
            { keepFloat: others },
            { int16: [names[i]] },
            { int16: others },
          ]) {
            const out = quantizeWorkflow({
              float: model,
              samples,
              io,
              method: 'minmax',
              fcPerTensor: false,
              layers,
            });
            // rule: whatever the choice, the result loads and runs in the core and tracks the float model
            const m = outputMetrics(ref, dequantizedOutputs(prepare(out.model), samples));
            expect(m.cosine_similarity, `${name} ${io} ${JSON.stringify(layers)}`).toBeGreaterThan(0.98);
            runs++;
          }
        }
    }
    expect(runs).toBe(2 * 4 * (7 + 3));
  }, 60_000);
});
