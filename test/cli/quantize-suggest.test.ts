/**
 * `quantscope quantize … --suggest --target-rmse X|--target-snr DB [--suggest-mode float|int16]` on
 * MLTK's image_example1.float32.tflite with 32 augmented grey photos (PNG files in a folder): the
 * chosen layers and before/after metrics are printed, the model is written only with --out and,
 * read back and run in the core, meets the target; an unreachable target exits 1 naming it and
 * writes nothing; bad target flags are usage errors. (It ran on kws_cnn.keras until issue 16's
 * GlobalAveragePooling2D → MEAN: no single layer kept in float lowers that model's error since.)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/index.ts';
import { dequantizedOutputs } from '../../src-main/core/quantize/io-convert.ts';
import { outputMetrics } from '../../src-main/core/quantize/output-metrics.ts';
import { normalizationOf, normalizeSample } from '../../src-main/core/simulate/inputs/normalize.ts';
import { prepare } from '../../src-main/core/simulate/interpreter.ts';
import { samplesFromFiles } from '../../src-main/services/quantize/samples.ts';
import { cli } from '../helpers/cli.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';
import { photoPngs, writePhotoPngs } from '../helpers/photo-pngs.ts';

const MODEL = fixturePath('float', 'image_example1.float32.tflite');
const dir = mkdtempSync(join(tmpdir(), 'qs-quantize-suggest-'));
const DATA = join(dir, 'photos');
writePhotoPngs(DATA, 32, 21);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Output RMSE of a written model against the float model on the 32 photos, run in the core. */
function rmseOf(path: string): number {
  const float = readTflite(readFixture('float', 'image_example1.float32.tflite'));
  const sg = float.subgraphs[0];
  const norm = normalizationOf(float.parameters)!;
  const samples = samplesFromFiles(
    photoPngs(32, 21),
    sg.inputs.map((i) => sg.tensors[i]),
  ).samples.map((s) => s.map((x) => normalizeSample(x, norm)));
  const m = readTflite(new Uint8Array(readFileSync(path)));
  return outputMetrics(dequantizedOutputs(prepare(float), samples), dequantizedOutputs(prepare(m), samples))
    .rmse;
}

describe('quantscope quantize --suggest', () => {
  it('meets an RMSE target with layers kept in float, prints before/after, writes the model with --out', async () => {
    const out = join(dir, 'ie1.suggested.tflite');
    const r = await cli(
      'quantize',
      MODEL,
      '--data',
      DATA,
      '--suggest',
      '--target-rmse',
      '0.011',
      '--out',
      out,
      '--quiet',
    );
    // rule: the suggestion is printed with the chosen layers and metrics before and after
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/suggest \(keep in float32, greedy by accumulated RMSE/);
    expect(r.out).toMatch(/meets? RMSE ≤ 0\.011/);
    const chosen = /^chosen: (.+)$/m.exec(r.out)![1].split(' ');
    expect(chosen.length).toBeGreaterThan(0);
    const before = Number(/^before: rmse (\S+),/m.exec(r.out)![1]);
    const after = Number(/^after: {2}rmse (\S+),/m.exec(r.out)![1]);
    expect(after).toBeLessThanOrEqual(0.011);
    expect(before).toBeGreaterThan(0.011);
    expect(r.out).toMatch(/^after: .*model \d+ bytes, arena \d+ bytes$/m);
    // rule: the written model, run again in the core, meets the target
    const rmse = rmseOf(out);
    expect(rmse).toBeLessThanOrEqual(0.011);
    expect(rmse).toBeCloseTo(after, 5);
  }, 120_000);

  it('writes nothing without --out', async () => {
    const cwd = process.cwd();
    const here = mkdtempSync(join(dir, 'cwd-'));
    process.chdir(here);
    try {
      const r = await cli(
        'quantize',
        MODEL,
        '--data',
        DATA,
        '--suggest',
        '--target-rmse',
        '0.011',
        '--quiet',
      );
      // rule: with --suggest the model is written only where --out says
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('model not written (give --out to write it)');
      expect(readdirSync(here)).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  }, 120_000);

  it('an unreachable target exits 1, says so and writes nothing', async () => {
    const out = join(dir, 'never.tflite');
    const r = await cli(
      'quantize',
      MODEL,
      '--data',
      DATA,
      '--suggest',
      '--target-snr',
      '200',
      '--out',
      out,
      '--quiet',
    );
    // rule: a target nothing meets is an error naming the target; no model is written
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /Adding layers in float32 one at a time does not meet SNR ≥ 200 dB.*every candidate was tried\. Nothing was written\./,
    );
    expect(existsSync(out)).toBe(false);
  }, 90_000);

  it('target flags are checked before any work', async () => {
    // rule: --suggest needs exactly one target, a valid mode, and targets need --suggest
    const both = await cli(
      'quantize',
      MODEL,
      '--data',
      DATA,
      '--suggest',
      '--target-rmse',
      '1',
      '--target-snr',
      '3',
    );
    expect(both.code).toBe(1);
    expect(both.err).toContain('--suggest needs exactly one of --target-snr DB or --target-rmse X');
    const mode = await cli(
      'quantize',
      MODEL,
      '--data',
      DATA,
      '--suggest',
      '--target-snr',
      '3',
      '--suggest-mode',
      'int4',
    );
    expect(mode.err).toContain('--suggest-mode int4: expected float or int16');
    const rmse = await cli('quantize', MODEL, '--data', DATA, '--suggest', '--target-rmse', '-2');
    expect(rmse.err).toContain('--target-rmse -2: expected a number ≥ 0');
    const alone = await cli('quantize', MODEL, '--data', DATA, '--target-snr', '3');
    expect(alone.err).toContain('--target-snr, --target-rmse and --suggest-mode go with --suggest');
  });
});
