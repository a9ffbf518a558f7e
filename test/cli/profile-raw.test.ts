/**
 * `quantscope profile --raw-input FILE.npy` on the virtual board: the host normalizes the raw
 * samples with rock_paper_scissors' samplewise_norm.mean_and_std, the board normalizes the same
 * samples itself (SET_INPUT_RAW), and the first comparison row is the input tensor host vs board.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostInputTensor, rpsModel } from '../board/raw-input-check.ts';
import { constantFrame, npy, personFrame } from '../board/raw-profile-samples.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { runQuantscope } from '../helpers/cli-process.ts';

const RPS = fixturePath('models', 'rock_paper_scissors.tflite');

const cli = (...args: string[]) => runQuantscope(args, { timeout: 120_000 });

interface Layer {
  index: number;
  op: string;
  status: string;
  mismatches: number;
}

describe('quantscope profile --raw-input on the virtual board', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qs-profile-raw-'));
  const m = rpsModel();

  it.each([
    ['a camera frame resized to 84x84', 'person.npy', personFrame()],
    ['a constant frame (std 0)', 'constant.npy', constantFrame(200)],
  ])(
    'rps with %s: the input row (host vs board normalization) and every op match',
    async (_what, name, samples) => {
      const file = join(dir, name);
      writeFileSync(file, npy('|u1', [84, 84], samples));
      const dump = join(dir, `${name}.json`);
      const table = await cli(
        'profile',
        RPS,
        '--board',
        'virtual',
        '--raw-input',
        file,
        '--dump',
        dump,
        '--fail-on-mismatch',
      );
      expect(table.stderr).toBe('');
      expect(table.code).toBe(0);
      expect(table.stdout).toContain(
        `raw input normalized on the host and on the board: raw ${name} (uint8): (x - mean) / (population std + 1e-6)`,
      );
      expect(table.stdout).toMatch(/note: .*bare std/);
      expect(table.stdout).toContain('all 12 layers match');
      expect(table.stdout).toMatch(/\n\s+in\s+INPUT\s+float32\[1x84x84x1\]\s+match\s+0\s+0/);

      // the host side really ran on the normalized samples (the dump's inputs are the host's)
      const want = hostInputTensor(m.model, { dtype: 'uint8', data: samples });
      const d = JSON.parse(readFileSync(dump, 'utf8')) as { inputs: { data_b64: string }[] };
      expect(Buffer.from(d.inputs[0].data_b64, 'base64').equals(Buffer.from(want))).toBe(true);
      const f = new Float32Array(want.slice().buffer);
      expect(f.every(Number.isFinite)).toBe(true);
      if (name === 'constant.npy') expect(f.every((v) => v === 0)).toBe(true);

      const json = await cli('profile', RPS, '--board', 'virtual', '--raw-input', file, '--json');
      expect(json.code).toBe(0);
      const r = JSON.parse(json.stdout) as { input: string; layers: Layer[]; summary: unknown };
      expect(r.input).toContain(`raw ${name} (uint8)`);
      expect(r.layers).toHaveLength(13);
      expect(r.layers[0]).toMatchObject({ index: -1, op: 'INPUT', status: 'match', mismatches: 0 });
      expect(r.layers.slice(1).map((l) => l.index)).toEqual([...Array(12).keys()]);
      expect(r.layers.every((l) => l.status === 'match')).toBe(true);
    },
    240_000,
  );

  it('names the problem before any board work', async () => {
    const file = join(dir, 'person.npy');
    writeFileSync(file, npy('|u1', [84, 84], personFrame()));
    const noParams = await cli(
      'profile',
      fixturePath('models', 'hello_world_int8.tflite'),
      '--board',
      'virtual',
      '--raw-input',
      file,
    );
    expect(noParams.code).toBe(1);
    expect(noParams.stderr).toContain(
      'raw input needs the model parameters samplewise_norm.rescale or samplewise_norm.mean_and_std; this model has neither',
    );
    const big = join(dir, 'big.npy');
    writeFileSync(big, npy('|u1', [96, 96], new Uint8Array(96 * 96)));
    const count = await cli('profile', RPS, '--board', 'virtual', '--raw-input', big);
    expect(count.code).toBe(1);
    expect(count.stderr).toContain(
      "big.npy: 9216 samples, input 'serving_default_conv2d_input:0' has 7056 elements",
    );
    const wide = join(dir, 'wide.npy');
    writeFileSync(wide, npy('<i4', [84, 84], new Uint8Array(84 * 84 * 4)));
    const dtype = await cli('profile', RPS, '--board', 'virtual', '--raw-input', wide);
    expect(dtype.code).toBe(1);
    expect(dtype.stderr).toContain(
      'wide.npy: raw samples must be float32/uint8/int16/int8/uint16, not int32',
    );
    const both = await cli('profile', RPS, '--board', 'virtual', '--raw-input', file, '--seed', '2');
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('give --raw-input alone (not with --input or --seed)');
  }, 120_000);
});
