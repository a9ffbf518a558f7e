/**
 * `quantscope quantize --keep-float LAYER… --int16 LAYER…|all` on image_example1, an unknown layer
 * name, and a model whose bias overflows int32 (the adjusted channels in the printed summary and the
 * HTML report). The printed summary carries the model-level metrics.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/index.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { augmentedPhotos } from '../core/quantize/calibration-data.ts';
import { deadChannelModel, IN, samples } from '../core/quantize/dead-channel-model.ts';
import { cli } from '../helpers/cli.ts';
import { fixturePath } from '../helpers/fixtures.ts';

const FLOAT = fixturePath('float', 'image_example1.float32.tflite');
/** image_example1's third CONV_2D (layer 3), by one ';'-part of its output tensor name. */
const CONV3 = 'image_example1/conv2d_2/Conv2D1';
let dir: string;

function npy(xs: Float32Array[], shape: number[]): Buffer {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${[xs.length, ...shape].join(', ')}), }`;
  const total = 10 + header.length + 1;
  const h = header + ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]);
  return Buffer.concat([
    pre,
    Buffer.from(h, 'latin1'),
    ...xs.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength)),
  ]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qs-quantize-selective-'));
  writeFileSync(join(dir, 'data.npy'), npy(augmentedPhotos(96, 12, 5), [96, 96, 1]));
  writeFileSync(join(dir, 'dead.tflite'), writeTflite(deadChannelModel().model));
  writeFileSync(
    join(dir, 'dead.npy'),
    npy(
      samples(16, 3).map((s) => s[0]),
      [IN],
    ),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantscope quantize --keep-float / --int16', () => {
  it('keeps one layer in float32 and puts the rest in int16x8; the summary names them and prints the metrics', async () => {
    const out = join(dir, 'mixed.tflite');
    const json = join(dir, 'mixed.json');
    const r = await cli(
      'quantize',
      FLOAT,
      '--data',
      join(dir, 'data.npy'),
      '--method',
      'minmax',
      '--io',
      'float32',
      '--keep-float',
      CONV3,
      '--int16',
      'all',
      '--out',
      out,
      '--report',
      json,
      '--quiet',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // rule: the summary lists each layer not in int8 and the model-level metrics (classifier: top-1)
    expect(r.out).toMatch(/kept float32: layer 3 CONV_2D '.*Conv2D1'/);
    expect(r.out).toMatch(/int16x8: layer 0 CONV_2D/);
    expect(r.out).toMatch(
      /outputs \(classification\): rmse [\d.e-]+, mae .*, SNR [\d.]+ dB, NSE 0\.99\d+, top-1 agreement/,
    );
    // rule: the written model has a float32 CONV_2D and int16 ones
    const sg = readTflite(new Uint8Array(readFileSync(out))).subgraphs[0];
    const convs = sg.operators.filter((o) => o.op === 'CONV_2D').map((o) => sg.tensors[o.outputs[0]].dtype);
    expect(convs).toEqual(['int16', 'int16', 'float32']);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.layer_precision.find((p: { layer: number }) => p.layer === 3).precision).toBe('float32');
    expect(doc.outputs.snr_db).toBeGreaterThan(20);
    // rule: the virtual board (the core built natively) runs the mixed model bit-exact with the host
    const p = await cli('profile', out, '--board', 'virtual', '--seed', '3');
    expect(p.code).toBe(0);
    expect(p.out).toContain(`on QuantScope virtual board (host): all ${sg.operators.length} layers match`);
  }, 120_000);

  it('an unknown layer name is one line naming it and listing the layers', async () => {
    const r = await cli(
      'quantize',
      FLOAT,
      '--data',
      join(dir, 'data.npy'),
      '--keep-float',
      'conv9',
      '--out',
      join(dir, 'x.tflite'),
      '--quiet',
    );
    // rule: a flag value the command cannot use is exit 1 with one clear line, no stack trace (docs/cli.md)
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /--keep-float 'conv9': no layer has that name\. Layers: 0 CONV_2D '.*', .*7 SOFTMAX 'StatefulPartitionedCall:0'/,
    );
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('a bias that overflows int32 is fitted and its channels are reported', async () => {
    const html = join(dir, 'dead.html');
    const r = await cli(
      'quantize',
      join(dir, 'dead.tflite'),
      '--data',
      join(dir, 'dead.npy'),
      '--out',
      join(dir, 'dead.int8.tflite'),
      '--report',
      html,
      '--quiet',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // rule: each adjusted channel is named with its old and new weight scale
    expect(r.out).toMatch(/bias fit: layer 0 FULLY_CONNECTED channel 1: weight scale [\d.e-]+ -> [\d.e-]+/);
    expect(r.out).toMatch(/bias fit: layer 0 FULLY_CONNECTED channel 4/);
    // rule: a regression output (no SOFTMAX, no labels) gets no top-1
    expect(r.out).toMatch(/outputs \(regression\)/);
    expect(r.out).not.toMatch(/top-1/);
    expect(readFileSync(html, 'utf8')).toContain('Bias channels with a raised weight scale');
    // rule: NAME.metrics.csv is the model-level companion of MLTK's per-layer CSV
    const csv = join(dir, 'dead.metrics.csv');
    const m = await cli(
      'quantize',
      join(dir, 'dead.tflite'),
      '--data',
      join(dir, 'dead.npy'),
      '--out',
      join(dir, 'dead2.tflite'),
      '--report',
      csv,
      '--quiet',
    );
    expect(m.code).toBe(0);
    const rows = Object.fromEntries(
      readFileSync(csv, 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf(',')), l.slice(l.indexOf(',') + 1)]),
    );
    expect(rows.metric).toBe('value');
    expect(rows.task).toBe('regression');
    expect(Number(rows.rmse)).toBeGreaterThan(0);
    expect(Number(rows.rmse)).toBeLessThan(0.05);
    expect(Number(rows.snr_db)).toBeGreaterThan(10);
    expect(rows.top1_agreement).toBeUndefined();
    expect(
      Object.keys(rows).filter((k) => k.startsWith('bias fit layer 0 FULLY_CONNECTED channel')),
    ).toHaveLength(2);
  });
});
