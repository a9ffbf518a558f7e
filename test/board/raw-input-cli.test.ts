/** `quantscope run --raw-input FILE.npy`: raw uint16/uint8 samples normalized with the model's parameters. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/fixtures.ts';
import { runQuantscope } from '../helpers/cli-process.ts';
import { hostInputTensor, hostQuantizedRps, rawInput, rpsModel } from './raw-input-check.ts';

const cli = (...args: string[]) => runQuantscope(args, { timeout: 120_000 });

/** A version 1.0 .npy file (header padded to 64 bytes, as NumPy writes it). */
function npy(descr: string, shape: number[], data: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(data, 10 + header.length);
  return out;
}

describe('quantscope run --raw-input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qs-raw-'));
  const m = rpsModel();

  it.each([
    ['uint16', '<u2', 'random'],
    ['uint8', '|u1', 'constant'],
  ] as const)(
    'rps: %s samples -> the QUANTIZE op sees the host-normalized input',
    async (dtype, descr, kind) => {
      const raw = rawInput(m.model, dtype, kind, 41);
      const file = join(dir, `${dtype}.npy`);
      writeFileSync(file, npy(descr, [84, 84], raw.data));
      const dump = join(dir, `${dtype}.json`);
      const r = await cli(
        'run',
        fixturePath('models', 'rock_paper_scissors.tflite'),
        '--raw-input',
        file,
        '--dump',
        dump,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('raw input normalized on the host: (x - mean) / (population std + 1e-6)');
      expect(r.stdout).toMatch(/note: .*bare std/);
      const d = JSON.parse(readFileSync(dump, 'utf8')) as {
        inputs: { data_b64: string }[];
        op_outputs: { tensor: number; data_b64: string }[];
      };
      expect(
        Buffer.from(d.inputs[0].data_b64, 'base64').equals(Buffer.from(hostInputTensor(m.model, raw))),
      ).toBe(true);
      const quantizeOut = m.model.subgraphs[0].operators[0].outputs[0];
      const op0 = d.op_outputs.find((o) => o.tensor === quantizeOut)!;
      expect(Buffer.from(op0.data_b64, 'base64').equals(Buffer.from(hostQuantizedRps(m.model, raw)))).toBe(
        true,
      );
    },
    120_000,
  );

  it('names the problem: a model without parameters, a wrong sample count', async () => {
    const file = join(dir, 'one.npy');
    writeFileSync(file, npy('|u1', [1], new Uint8Array([3])));
    const a = await cli('run', fixturePath('models', 'hello_world_int8.tflite'), '--raw-input', file);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/samplewise_norm.*neither/);
    const b = await cli('run', fixturePath('models', 'rock_paper_scissors.tflite'), '--raw-input', file);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/one.npy: 1 samples, input .* has 7056 elements/);
  }, 120_000);
});
