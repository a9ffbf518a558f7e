/** `quantscope run` (src-main/cli/commands/run.ts): dump equals the golden, JSON output, errors. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCommand } from '../../../src-main/cli/commands/run.ts';
import { fixturePath, readGolden } from '../../helpers/fixtures.ts';

function captureStdout(): { text: () => string } {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  return { text: () => out };
}

afterEach(() => vi.restoreAllMocks());

describe('quantscope run', () => {
  it('--seed 1 --dump writes the golden of micro_speech_quantized exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-run-'));
    const dumpPath = join(dir, 'dump.json');
    const out = captureStdout();
    await runCommand(fixturePath('models', 'micro_speech_quantized.tflite'), { seed: '1', dump: dumpPath });
    expect(out.text()).toMatch(/4 ops simulated/);
    const dump = JSON.parse(readFileSync(dumpPath, 'utf8')) as ReturnType<typeof readGolden>;
    const golden = readGolden('micro_speech_quantized');
    expect(dump.inputs.map((t) => t.data_b64)).toEqual(golden.inputs.map((t) => t.data_b64));
    const byTensor = new Map(golden.op_outputs.map((t) => [t.tensor, t.data_b64]));
    for (const t of dump.op_outputs) expect(t.data_b64).toBe(byTensor.get(t.tensor));
  });

  it('--json --repeat reports outputs, per-layer stats and median_ms', async () => {
    const out = captureStdout();
    await runCommand(fixturePath('models', 'keyword_spotting_on_off.tflite'), {
      json: true,
      repeat: '3',
      cpu: 'cortex-m4@80',
    });
    const doc = JSON.parse(out.text());
    expect(doc.layers).toHaveLength(7);
    expect(doc.layers[0].stats).toHaveProperty('saturatedLowPct');
    expect(doc.outputs[0].top_k).toHaveLength(4);
    expect(doc.median_ms).toBeGreaterThan(0);
    expect(doc.est_cycles).toBeGreaterThan(0);
  });

  it('image input: person_detect takes the npy with --u8-bytes and names the top class', async () => {
    const out = captureStdout();
    await runCommand(fixturePath('models', 'person_detect.tflite'), {
      input: [fixturePath('data', 'tflm_person_gray_u8_96x96.npy')],
      u8Bytes: true,
      json: true,
    });
    expect(JSON.parse(out.text()).outputs[0].top_k[0].index).toBe(1);
  });

  // Rule (issue 19): with no flag the CLI reads a uint8 .npy on an int8 input as the GUI does — int8
  // bytes unless the model has normalization parameters — and says which reading it used; the
  // opposite reading is one flag away and gives the other answer.
  it('uint8 .npy on person_detect: int8 bytes by default (says so), pixels on request', async () => {
    const image = fixturePath('data', 'tflm_person_gray_u8_96x96.npy');
    const model = fixturePath('models', 'person_detect.tflite');
    let out = captureStdout();
    await runCommand(model, { input: [image], json: true });
    let doc = JSON.parse(out.text());
    expect(doc.outputs[0].top_k[0].index).toBe(1); // "person", as TFLM's example
    expect(doc.uint8_reading[0]).toMatch(/read as int8 bytes \(default: the model has no normalization/);
    vi.restoreAllMocks();
    out = captureStdout();
    await runCommand(model, { input: [image], json: true, u8Reading: 'pixels' });
    doc = JSON.parse(out.text());
    expect(doc.uint8_reading[0]).toMatch(/read as pixels 0–255 → scale\/zp \(as asked\)/);
    expect(doc.outputs[0].top_k[0].index).toBe(0); // the misreading this default avoids
    await expect(runCommand(model, { input: [image], u8Reading: 'raw' })).rejects.toThrow(
      /--u8-reading expects 'bytes' or 'pixels', got 'raw'/,
    );
  });

  it('clear errors for a missing file and a bad --repeat', async () => {
    await expect(runCommand('/no/such/model.tflite', {})).rejects.toThrow(
      /No such file: \/no\/such\/model\.tflite/,
    );
    await expect(
      runCommand(fixturePath('models', 'hello_world_int8.tflite'), { repeat: 'x' }),
    ).rejects.toThrow(/--repeat expects a positive integer, got 'x'/);
  });
});
