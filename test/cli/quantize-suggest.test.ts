/**
 * `quantscope quantize … --suggest --target-rmse X|--target-snr DB [--suggest-mode float|int16]` on
 * kws_cnn.keras with its 8 MFCC samples: the chosen layers and before/after metrics are printed,
 * the model is written only with --out and, read back and run in the core, meets the target; an
 * unreachable target exits 1 naming it and writes nothing; bad target flags are usage errors.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/index.ts';
import { dequantizedOutputs } from '../../src-main/core/quantize/io-convert.ts';
import { outputMetrics } from '../../src-main/core/quantize/output-metrics.ts';
import { prepare } from '../../src-main/core/simulate/interpreter.ts';
import { readFloatModel } from '../../src-main/services/quantize/quantize-task.ts';
import { samplesFromFiles } from '../../src-main/services/quantize/samples.ts';
import { cli } from '../helpers/cli.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';

const MODEL = fixturePath('keras3', 'kws_cnn.keras');
const DATA = fixturePath('keras3', 'kws_cnn_samples');
const dir = mkdtempSync(join(tmpdir(), 'qs-quantize-suggest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Output RMSE of a written model against the float model on the 8 samples, run in the core. */
async function rmseOf(path: string): Promise<number> {
  const { float } = await readFloatModel({
    name: 'kws_cnn.keras',
    bytes: readFixture('keras3', 'kws_cnn.keras'),
  });
  const sg = float.subgraphs[0];
  const files = readdirSync(DATA).map((name) => ({
    name,
    bytes: readFixture('keras3', 'kws_cnn_samples', name),
  }));
  const samples = samplesFromFiles(
    files,
    sg.inputs.map((i) => sg.tensors[i]),
  ).samples;
  const m = readTflite(new Uint8Array(readFileSync(path)));
  return outputMetrics(dequantizedOutputs(prepare(float), samples), dequantizedOutputs(prepare(m), samples))
    .rmse;
}

describe('quantscope quantize --suggest', () => {
  it('meets an RMSE target with layers kept in float, prints before/after, writes the model with --out', async () => {
    const out = join(dir, 'kws.suggested.tflite');
    const r = await cli(
      'quantize',
      MODEL,
      '--data',
      DATA,
      '--suggest',
      '--target-rmse',
      '0.004',
      '--out',
      out,
      '--quiet',
    );
    // rule: the suggestion is printed with the chosen layers and metrics before and after
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/suggest \(keep in float32, greedy by accumulated RMSE/);
    expect(r.out).toMatch(/meets? RMSE ≤ 0\.004/);
    const chosen = /^chosen: (.+)$/m.exec(r.out)![1].split(' ');
    expect(chosen.length).toBeGreaterThan(0);
    const before = Number(/^before: rmse (\S+),/m.exec(r.out)![1]);
    const after = Number(/^after: {2}rmse (\S+),/m.exec(r.out)![1]);
    expect(after).toBeLessThanOrEqual(0.004);
    expect(before).toBeGreaterThan(0.004);
    expect(r.out).toMatch(/^after: .*model \d+ bytes, arena \d+ bytes$/m);
    // rule: the written model, run again in the core, meets the target
    const rmse = await rmseOf(out);
    expect(rmse).toBeLessThanOrEqual(0.004);
    expect(rmse).toBeCloseTo(after, 5);
  }, 60_000);

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
        '0.004',
        '--quiet',
      );
      // rule: with --suggest the model is written only where --out says
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('model not written (give --out to write it)');
      expect(readdirSync(here)).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  }, 60_000);

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
