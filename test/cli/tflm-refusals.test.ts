/**
 * Models TFLite Micro itself cannot run (issue 13): `quantscope run` exits 1 with the interpreter
 * core's specific reason, never a generic "operator not supported" or "expected an int8 tensor",
 * and `summary` still opens the model and shows the same reason as its `interpreter` verdict.
 * The field models are the real third-party files of ../shared/fixtures/field (SOURCES.md's third
 * column is TFLite Micro's own failure for each); the hybrid model is built here with the
 * project's TFLite writer, as no field model is one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { addTensor, oneOpModel, q, type Draft } from '../helpers/one-op-models.ts';

const field = (name: string) => fixturePath('field', 'models', name);

/** FULLY_CONNECTED with float32 input/output and int8 weights: TFLite's "hybrid" quantization. */
function hybridFc(): Uint8Array {
  const d: Draft = { tensors: [], buffers: [new Uint8Array(0)] };
  const input = addTensor(d, 'float32', [1, 4], null);
  const weights = addTensor(
    d,
    'int8',
    [3, 4],
    q([0.02], [0]),
    new Uint8Array(Int8Array.of(1, -2, 3, -4, 5, 6, 7, 8, 9, 10, 11, 12).buffer),
  );
  const bias = addTensor(d, 'float32', [3], null, new Uint8Array(new Float32Array(3).buffer));
  const out = addTensor(d, 'float32', [1, 3], null);
  return oneOpModel('FULLY_CONNECTED', d, [input, weights, bias], out, { fused_activation_function: 'NONE' });
}

let hybridPath: string;
beforeAll(() => {
  hybridPath = join(mkdtempSync(join(tmpdir(), 'qs-tflm-gaps-')), 'hybrid_fc.tflite');
  writeFileSync(hybridPath, hybridFc());
});

/** [class, model path, the message `run` prints on stderr (whole line)] */
const CASES: [string, () => string, RegExp][] = [
  [
    // rule: a Vela-compiled model (custom op ethos-u) is refused with Vela named and what to open instead
    'Vela-compiled (ethos-u)',
    () => field('tensorflow__tensorflow_lite_micro_models_person_detect_vela.tflite'),
    /^quantscope: layer 0 \(ethos-u\): compiled by Vela for an Arm Ethos-U NPU — open the model from before Vela/,
  ],
  [
    // rule: an Edge TPU-compiled model (custom op edgetpu-custom-op) is refused naming the Edge TPU and the CPU model
    'Edge TPU-compiled (edgetpu-custom-op)',
    () => field('google-coral__mobilenet_v1_0.25_128_quant_edgetpu.tflite'),
    /^quantscope: layer 0 \(edgetpu-custom-op\): compiled for a Coral Edge TPU — open the CPU model/,
  ],
  [
    // rule: a legacy uint8-quantized CONV model says TFLM dropped its uint8 kernels (not "expected an int8 tensor")
    'legacy uint8-quantized CONV_2D',
    () => field('google-coral__mobilenet_v1_0.25_128_quant.tflite'),
    /^quantscope: layer 0 \(CONV_2D\), tensor 0 'input': uint8-quantized model \(TFLite's legacy scheme\): TFLite Micro dropped its uint8 kernels/,
  ],
  [
    // rule: the legacy uint8 verdict names the first CONV even when an earlier op (uint8 SPLIT) comes first, as TFLM does
    'legacy uint8 model whose first op is a SPLIT',
    () => field('google-coral__automl_video_ondevice_traffic_model.tflite'),
    /^quantscope: layer \d+ \(CONV_2D\), tensor \d+ '.*': uint8-quantized model \(TFLite's legacy scheme\)/,
  ],
  [
    // rule: a hybrid model (int8 weights, float32 activations) is refused as hybrid, naming the weights tensor
    'hybrid FULLY_CONNECTED',
    () => hybridPath,
    /^quantscope: layer 0 \(FULLY_CONNECTED\), tensor 1 't1': hybrid model \(int8 weights, float32 activations\): TFLite Micro does not run hybrid models/,
  ],
  [
    // rule: a custom op TFLM has no kernel for is named (PosenetDecoderOp) and said to be missing from TFLM
    'custom op TFLM does not have (PosenetDecoderOp)',
    () => field('google-coral__posenet_posenet_mobilenet_v1_075_353_481_16_quant_decoder.tflite'),
    /^quantscope: layer 37 \(PosenetDecoderOp\): custom op that TFLite Micro does not have/,
  ],
  [
    // rule: CAST from uint8 fails with TFLM's own text, whether or not the core has CAST
    'CAST from uint8 (movenet)',
    () => field('google-coral__movenet_single_pose_lightning_ptq.tflite'),
    /^quantscope: layer 0 \(CAST\), tensor 0 '.*': Input type UINT8 not supported/,
  ],
  [
    // rule: CONCATENATION of uint8 is refused at that layer with TFLM's accepted types, before the later SPLIT
    'CONCATENATION of uint8 (split_concat)',
    () => field('google-coral__tools_split_concat.tflite'),
    /^quantscope: layer 0 \(CONCATENATION\), tensor \d+ '.*': uint8 CONCATENATION: TFLite Micro concatenates float32, int8, int16, int32, int64 and bool only/,
  ],
];

describe('models TFLite Micro cannot run: run exits 1 with the specific reason, summary opens them', () => {
  for (const [what, path, message] of CASES) {
    it(`${what}: run refuses with the reason`, async () => {
      const r = await cli('run', path(), '--seed', '1');
      expect(r.code).toBe(1);
      expect(r.err.trim()).toMatch(message);
      expect(r.err).not.toMatch(/at .*\.ts:\d+/); // a message, never a stack trace
    });

    it(`${what}: summary opens it and shows the same verdict`, async () => {
      const r = await cli('summary', path(), '--json');
      expect(r.code).toBe(0);
      const s = JSON.parse(r.out) as { layers: unknown[]; interpreter: { runs: boolean; message?: string } };
      expect(s.layers.length).toBeGreaterThan(0);
      expect(s.interpreter.runs).toBe(false);
      expect(`quantscope: ${s.interpreter.message}`).toMatch(message);
    });
  }
});
