/**
 * `quantscope quantize --lowering-interior int16|int8` on the Keras 3 kws_cnn fixture, whose
 * Dense + softmax head is a Keras layer lowered to two ops (FULLY_CONNECTED, SOFTMAX): by default
 * its interior runs in int16 with int8 at the layer's boundary, and the summary and the JSON report
 * name it with its flash and arena cost; `int8` writes the converter's all-int8 form; a bad value
 * is one clear line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/index.ts';
import { cli } from '../helpers/cli.ts';
import { fixturePath } from '../helpers/fixtures.ts';

const KERAS = fixturePath('keras3', 'kws_cnn.keras');
const DATA = fixturePath('keras3', 'kws_cnn_samples');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qs-quantize-interior-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const activationTypes = (path: string) => {
  const sg = readTflite(new Uint8Array(readFileSync(path))).subgraphs[0];
  return sg.operators.map((o) => `${o.op}:${sg.tensors[o.outputs[0]].dtype}`);
};

/** `quantscope quantize` of the kws model on its data (minmax) into `out`, with `extra` options. */
const quantizeKws = (out: string, ...extra: string[]) =>
  cli('quantize', KERAS, '--data', DATA, '--method', 'minmax', ...extra, '--out', out, '--quiet');

describe('quantscope quantize --lowering-interior', () => {
  it('int16 by default, named in the summary and the report with its cost; int8 is the all-int8 form', async () => {
    const wide = join(dir, 'wide.tflite');
    const json = join(dir, 'wide.json');
    const a = await quantizeKws(wide, '--report', json);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    // rule: the summary names the layers whose interior runs in int16 and what that costs
    expect(a.out).toMatch(
      /int16 interior in 1 lowered layer \(output_softmax\): \+\d+ bytes model, \+\d+ bytes arena over all-int8/,
    );
    // rule: the head's FULLY_CONNECTED and SOFTMAX are int16 between int8 QUANTIZEs
    const ops = activationTypes(wide);
    expect(ops).toContain('FULLY_CONNECTED:int16');
    expect(ops).toContain('SOFTMAX:int16');
    expect(ops.slice(-1)).toEqual(['QUANTIZE:int8']);
    // rule: the virtual board (the core built natively) runs it bit-exact with the host
    const p = await cli('profile', wide, '--board', 'virtual', '--seed', '3');
    expect(p.code).toBe(0);
    expect(p.out).toContain(`on QuantScope virtual board (host): all ${ops.length} layers match`);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.int16_interior.layers).toEqual(['output_softmax']);
    expect(doc.int16_interior.extra_arena_bytes).toBeGreaterThan(0);

    const narrow = join(dir, 'narrow.tflite');
    const b = await quantizeKws(narrow, '--lowering-interior', 'int8');
    expect(b.code).toBe(0);
    // rule: --lowering-interior int8 writes every activation in int8 and no interior line
    expect(b.out).not.toMatch(/int16 interior/);
    expect(activationTypes(narrow).filter((t) => !t.endsWith(':int8'))).toEqual([]);
    // rule: the int16 interior costs flash (int64 bias, the QUANTIZE ops), as the report says
    expect(readFileSync(wide).length).toBeGreaterThan(readFileSync(narrow).length);
    expect(doc.int16_interior.extra_model_bytes).toBeGreaterThan(0);
  }, 120_000);

  it('a value other than int16 or int8 is one line', async () => {
    const r = await cli('quantize', KERAS, '--data', DATA, '--lowering-interior', 'int4', '--quiet');
    // rule: a flag value the command cannot use is exit 1 with one clear line, no stack trace (docs/cli.md)
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--lowering-interior int4: expected int16 or int8/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
