/**
 * A small MobileNet-style Keras block (Conv2D → DepthwiseConv2D → BatchNorm → ReLU6 →
 * GlobalAveragePooling2D → Dense softmax) through every path: tfjs (independent float reference),
 * conversion to the float TFLite IR (run in TFLite-WASM), and int8 quantization with
 * per-channel depthwise weights.
 */
import { describe, expect, it } from 'vitest';
import { loadTfliteWasm } from '../../helpers/tflite-wasm.ts';
import { forDesktopTflite } from './layer-harness.ts';
import { readTflite, writeTflite } from '../../../src-main/core/model/index.ts';
import {
  kerasToTflite,
  kerasToTfjs,
  predictTfjs,
  readKerasH5,
} from '../../../src-main/core/model/keras/index.ts';
import { autoQuantize } from '../../../src-main/core/quantize/index.ts';
import { loadTf } from '../../../src-main/services/tfjs.ts';
import { buildH5, sequential } from './h5-builder.ts';

const wave = (n: number, f: number, amp: number) =>
  Float32Array.from({ length: n }, (_, i) => amp * Math.sin(i * f + 0.3));

async function mobileBlock() {
  const config = sequential('mobile_block', [
    { class_name: 'InputLayer', config: { batch_input_shape: [null, 16, 16, 3], name: 'img' } },
    {
      class_name: 'Conv2D',
      config: {
        name: 'c1',
        filters: 8,
        kernel_size: [3, 3],
        strides: [1, 1],
        padding: 'same',
        activation: 'relu',
        use_bias: true,
      },
    },
    {
      class_name: 'DepthwiseConv2D',
      config: {
        name: 'dw',
        kernel_size: [3, 3],
        strides: [2, 2],
        padding: 'same',
        depth_multiplier: 1,
        activation: 'linear',
        use_bias: true,
      },
    },
    {
      class_name: 'BatchNormalization',
      config: { name: 'bn', axis: [3], epsilon: 0.001, center: true, scale: true },
    },
    { class_name: 'ReLU', config: { name: 'relu6', max_value: 6 } },
    { class_name: 'GlobalAveragePooling2D', config: { name: 'gap' } },
    { class_name: 'Dense', config: { name: 'fc', units: 4, activation: 'softmax', use_bias: true } },
  ]);
  return buildH5(
    { model_config: config },
    {
      c1: [
        { name: 'c1/kernel:0', shape: [3, 3, 3, 8], data: wave(216, 0.7, 0.4) },
        { name: 'c1/bias:0', shape: [8], data: wave(8, 1.3, 0.1) },
      ],
      dw: [
        { name: 'dw/depthwise_kernel:0', shape: [3, 3, 8, 1], data: wave(72, 0.45, 0.6) },
        { name: 'dw/bias:0', shape: [8], data: wave(8, 2.1, 0.05) },
      ],
      bn: [
        { name: 'bn/gamma:0', shape: [8], data: Float32Array.from({ length: 8 }, (_, i) => 0.5 + i * 0.1) },
        { name: 'bn/beta:0', shape: [8], data: wave(8, 0.9, 0.2) },
        { name: 'bn/moving_mean:0', shape: [8], data: wave(8, 1.7, 0.3) },
        {
          name: 'bn/moving_variance:0',
          shape: [8],
          data: Float32Array.from({ length: 8 }, (_, i) => 0.2 + i * 0.05),
        },
      ],
      fc: [
        { name: 'fc/kernel:0', shape: [8, 4], data: wave(32, 0.8, 1.5) },
        { name: 'fc/bias:0', shape: [4], data: wave(4, 1.1, 0.1) },
      ],
    },
  );
}

describe('DepthwiseConv2D / BatchNorm / ReLU6 / GAP through conversion and quantization', () => {
  it('converted float graph matches tfjs; the int8 graph stays close in TFLite', async () => {
    const keras = await readKerasH5(await mobileBlock());
    const floatIr = kerasToTflite(keras);
    const ops = floatIr.subgraphs[0].operators.map(
      (o) => `${o.op}:${o.options.fused_activation_function ?? ''}`,
    );
    expect(ops).toEqual([
      'CONV_2D:RELU',
      'DEPTHWISE_CONV_2D:RELU6',
      'MEAN:', // GlobalAveragePooling2D → MEAN over [1,2], as TFLite's converter lowers it (issue 16)
      'FULLY_CONNECTED:NONE',
      'SOFTMAX:',
    ]);

    const samples = Array.from({ length: 60 }, (_, s) =>
      Float32Array.from(
        { length: 16 * 16 * 3 },
        (_, i) => Math.sin(i * (0.05 + s * 0.003) + s) * (0.5 + (s % 5) * 0.2),
      ),
    );
    const { tf } = await loadTf();
    const reference = await kerasToTfjs(tf, keras);
    const floatRun = await loadTfliteWasm(writeTflite(floatIr));
    let worstFloat = 0;
    for (const x of samples.slice(0, 10)) {
      const [want] = predictTfjs(tf, reference, [x]);
      const got = floatRun.predict([x])[0] as Float32Array;
      want.forEach((v, i) => (worstFloat = Math.max(worstFloat, Math.abs(v - got[i]))));
    }
    expect(worstFloat).toBeLessThan(1e-5);

    const { model: int8 } = autoQuantize(
      floatIr,
      samples.slice(0, 40).map((x) => [x]),
      { io: 'float32' },
    );
    const bytes = writeTflite(int8);
    const sg = readTflite(bytes).subgraphs[0];
    const dw = sg.operators.find((o) => o.op === 'DEPTHWISE_CONV_2D')!;
    const w = sg.tensors[dw.inputs[1]];
    expect([w.dtype, w.quantization!.axis, w.quantization!.scale.length]).toEqual(['int8', 3, 8]);
    // the Dense + softmax head runs its interior in int16, entered by a QUANTIZE int8 → int16 that
    // desktop TFLite lacks (TFLite Micro has it): forDesktopTflite goes through float32 there
    const int8Run = await loadTfliteWasm(writeTflite(forDesktopTflite(int8)));
    let se = 0;
    let n = 0;
    for (const x of samples.slice(40)) {
      const f = floatRun.predict([x])[0] as Float32Array;
      const q = int8Run.predict([x])[0] as Float32Array;
      f.forEach((v, i) => ((se += (v - q[i]) ** 2), n++));
    }
    // Softmax outputs are int8 at 1/256 steps: an RMSE of a few steps is healthy.
    expect(Math.sqrt(se / n)).toBeLessThan(0.02);
    [floatRun, int8Run].forEach((m) => m.dispose());
    reference.dispose();
  });
});
