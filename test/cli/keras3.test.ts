/**
 * The CLI on Keras 3 `.keras` files: `summary` shows the layers, the Keras version and the graph
 * edges (a layer's inputs); a corrupt file is one line and exit 1; `quantize` turns kws_cnn.keras
 * and its 8 MFCC samples into an int8 .tflite that `run` executes; `report` pairs the official
 * converter's kws_cnn_int8.tflite with kws_cnn.keras layer by layer.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/index.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';
import { cli, profileOnVirtualBoard } from '../helpers/cli.ts';
import { npyF32 } from '../helpers/npy-f32.ts';
import { augmentedPhotos } from '../core/quantize/calibration-data.ts';
import { harWindows } from '../core/keras/har-data.ts';

const KWS = fixturePath('keras3', 'kws_cnn.keras');
const EFFNET = fixturePath('keras3', 'effnetv2_cifar10.keras');

describe('quantscope on Keras 3 .keras', () => {
  // Rule: summary of a .keras lists every layer by its config name, with the Keras version.
  it('summary shows layers, dotted names, version and the graph edges', async () => {
    const text = await cli('summary', EFFNET);
    expect(text.code).toBe(0);
    expect(text.out).toContain('(keras 3.8.0)');
    expect(text.out).toMatch(/Ops 52 +Params 63,118/);
    const json = await cli('summary', EFFNET, '--json');
    expect(json.code).toBe(0);
    const s = JSON.parse(json.out);
    expect(s.layers).toHaveLength(52);
    const mul = s.layers.find(
      (l: { outputs: { name: string }[] }) => l.outputs[0].name === 'stage1_mbconv1_se_ex.mul',
    );
    expect(mul.inputs.map((t: { name: string }) => t.name)).toEqual([
      'stage1_mbconv1_dp_act',
      'stage1_mbconv1_se_ex.act',
    ]);
  });

  // Rule: a corrupt model is one line naming the file and the problem, exit 1, no stack trace.
  it('a truncated .keras is one line and exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-keras3-'));
    const cut = join(dir, 'cut.keras');
    writeFileSync(cut, readFixture('keras3', 'kws_cnn.keras').subarray(0, 5000));
    const r = await cli('summary', cut);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/cut\.keras: Not a Keras \.keras model: the zip archive is truncated or corrupt/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  // Rule: har_lstm.keras quantizes to full-integer UNIDIRECTIONAL_SEQUENCE_LSTM (int16 cell state);
  // the int8 model runs on the virtual board bit-exact with the host, every layer.
  it('quantize har_lstm.keras, then profile its int8 LSTMs on the virtual board', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-keras3-'));
    const windows = harWindows(16, 5).map(([x]) => x);
    writeFileSync(join(dir, 'windows.npy'), npyF32(windows, [128, 9]));
    writeFileSync(join(dir, 'one.npy'), npyF32(windows.slice(2, 3), [128, 9]));
    const out = join(dir, 'har.int8.tflite');
    const q = await cli(
      'quantize',
      fixturePath('keras3', 'har_lstm.keras'),
      '--data',
      join(dir, 'windows.npy'),
      '--out',
      out,
    );
    expect(q.code, q.err).toBe(0);
    const model = readTflite(new Uint8Array(readFileSync(out)));
    const sg = model.subgraphs[0];
    // the Dense + softmax head runs its interior in int16 between QUANTIZEs (quantize/lowering-interior.ts)
    expect(sg.operators.map((o) => `${o.op}:${sg.tensors[o.outputs[0]].dtype}`)).toEqual([
      'UNIDIRECTIONAL_SEQUENCE_LSTM:int8', 'UNIDIRECTIONAL_SEQUENCE_LSTM:int8', 'STRIDED_SLICE:int8',
      'QUANTIZE:int16', 'FULLY_CONNECTED:int16', 'SOFTMAX:int16', 'QUANTIZE:int8',
    ]); // prettier-ignore
    expect(sg.tensors[sg.operators[0].inputs[19]].dtype).toBe('int16');
    const board = await profileOnVirtualBoard(out, join(dir, 'one.npy'));
    expect(board.code, board.err).toBe(0);
    expect(board.out).toMatch(/UNIDIRECTIONAL_SEQUENCE_LSTM\s+int8\[1x128x32\]\s+match/);
    expect(board.out).toMatch(/SOFTMAX\s+int16\[1x6\]\s+match/);
    expect(board.out).toMatch(/QUANTIZE\s+int8\[1x6\]\s+match/);
    // Rule: run reports, per LSTM layer, each gate's saturated share and names the gate saturating most.
    const run = await cli('run', out, '--input', join(dir, 'one.npy'), '--json');
    expect(run.code, run.err).toBe(0);
    const gates = JSON.parse(run.out).lstm_gates as {
      index: number;
      steps: number;
      saturation: Record<string, number>;
      most_saturated: string | null;
    }[];
    expect(gates.map((g) => [g.index, g.steps])).toEqual([
      [0, 128],
      [1, 128],
    ]);
    for (const g of gates) {
      const worst = Object.entries(g.saturation).sort((a, b) => b[1] - a[1])[0];
      expect(g.most_saturated).toBe(worst[1] > 0 ? worst[0] : null);
    }
    const text = await cli('run', out, '--input', join(dir, 'one.npy'));
    console.log(
      text.out
        .split('\n')
        .filter((l) => l.startsWith('LSTM'))
        .join('\n'),
    );
    expect(text.out).toMatch(
      /LSTM #0 gates saturated over 128 steps x 32 units: forget <?[\d.]+ %, input <?[\d.]+ %, cell <?[\d.]+ %, output <?[\d.]+ %; (most saturated: \w+ gate|no gate saturates)/,
    );
  });

  // Rule: quantize reads a .keras like an .h5; the int8 model it writes runs in the simulator.
  it('quantize kws_cnn.keras with its MFCC samples, then run the int8 model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-keras3-'));
    const out = join(dir, 'kws.int8.tflite');
    const q = await cli('quantize', KWS, '--data', fixturePath('keras3', 'kws_cnn_samples'), '--out', out);
    expect(q.code, q.err).toBe(0);
    expect(q.out).toContain('top-1 agreement 100.0 %');
    const model = readTflite(new Uint8Array(readFileSync(out)));
    expect(model.subgraphs[0].operators.map((o) => o.op)).toEqual([
      'CONV_2D', 'MAX_POOL_2D', 'CONV_2D', 'MAX_POOL_2D', 'CONV_2D', 'MEAN',
      'FULLY_CONNECTED', 'QUANTIZE', 'FULLY_CONNECTED', 'SOFTMAX', 'QUANTIZE',
    ]); // prettier-ignore
    // (GlobalAveragePooling2D is MEAN, as in the official kws_cnn_int8.tflite — issue 16; the
    // Dense + softmax head runs its interior in int16 between QUANTIZEs, quantize/lowering-interior.ts)
    const input = join(dir, 'up.npy');
    copyFileSync(fixturePath('keras3', 'kws_cnn_samples', 'sample_mfcc_up.npy'), input);
    const run = await cli('run', out, '--input', input, '--json');
    expect(run.code, run.err).toBe(0);
    const result = JSON.parse(run.out);
    expect(JSON.stringify(result)).toContain('output_softmax');
    // Rule: the int8 model runs bit-exact on the virtual board (the same core, native build).
    const board = await profileOnVirtualBoard(out, input);
    expect(board.code, board.err).toBe(0);
    expect(board.out).toMatch(/SOFTMAX\s+int16\[1x12\]\s+match/);
    expect(board.out).toMatch(/QUANTIZE\s+int8\[1x12\]\s+match/);
  });

  // Rule (issue 16): report pairs the official converter's int8 kws_cnn with kws_cnn.keras op for op —
  // our lowering of GlobalAveragePooling2D is MEAN like theirs — and gives every layer's error.
  it('report of the official kws_cnn_int8.tflite against kws_cnn.keras gives per-layer errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-keras3-'));
    const official = fixturePath('keras3', 'kws_cnn_int8.tflite');
    const out = join(dir, 'kws-report.json');
    const r = await cli(
      'report',
      official,
      '--float',
      KWS,
      '--data',
      fixturePath('keras3', 'kws_cnn_samples'),
      '--out',
      out,
      '--quiet',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toMatch(/not the same network/);
    expect(r.out).toContain('top-1 agreement 100.0 %');
    expect(r.out).toMatch(/layers: 9, flagged: \d+/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    const ops = readTflite(new Uint8Array(readFileSync(official))).subgraphs[0].operators.map((o) => o.op);
    expect(ops).toContain('MEAN');
    type Row = { op_name: string; local: { rmse: number; rmse_over_scale: number } };
    const layers: Row[] = report.layers;
    expect(layers.map((l) => l.op_name)).toEqual(
      ops.filter((op) => op !== 'QUANTIZE' && op !== 'DEQUANTIZE'),
    );
    for (const l of layers) {
      expect(Number.isFinite(l.local.rmse), l.op_name).toBe(true);
      // each int8 layer, fed the same int8 inputs as its float twin, is within about one step
      expect(l.local.rmse_over_scale, l.op_name).toBeLessThan(1);
    }
    // MAX_POOL_2D only selects int8 values: no local error; MEAN averages, so it rounds.
    for (const l of layers.filter((x) => x.op_name === 'MAX_POOL_2D')) expect(l.local.rmse).toBe(0);
    expect(layers.find((l) => l.op_name === 'MEAN')!.local.rmse).toBeGreaterThan(0);
  });

  // Rule: effnetv2 quantizes from the CLI and its int8 model matches the host on the virtual board.
  it('quantize effnetv2_cifar10.keras, then profile it on the virtual board', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-keras3-'));
    const photos = augmentedPhotos(32, 24, 1).map((g) =>
      Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => g[Math.floor(i / 3)] / 255),
    );
    writeFileSync(join(dir, 'photos.npy'), npyF32(photos, [32, 32, 3]));
    writeFileSync(join(dir, 'one.npy'), npyF32(photos.slice(5, 6), [32, 32, 3]));
    const out = join(dir, 'effnet.int8.tflite');
    const q = await cli('quantize', EFFNET, '--data', join(dir, 'photos.npy'), '--out', out);
    expect(q.code, q.err).toBe(0);
    const board = await profileOnVirtualBoard(out, join(dir, 'one.npy'));
    expect(board.code, board.err).toBe(0);
    expect(board.out).toMatch(/MUL\s+int8\[1x16x16x48\]\s+match/);
  });
});
