/**
 * `quantscope compare MODEL DUMP.json`: a per-layer dump in the golden format against the host
 * simulator on the dump's own inputs. TFLite Micro's goldens match layer for layer; a golden with
 * one element changed is a failed JUnit case naming that layer and its |Δ|.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/exit.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';
import { runQuantscope } from '../helpers/cli-process.ts';
import { junitSchemaErrors } from '../helpers/junit-schema.ts';

const cli = (...args: string[]) => runQuantscope(args, { timeout: 120_000 });

describe('quantscope compare against TFLite Micro goldens', () => {
  // rule: the host simulator is bit-exact with TFLM's reference kernels on the goldens' own inputs
  it.each(['person_detect', 'keyword_spotting_on_off'])(
    '%s: every layer matches its golden',
    async (name) => {
      const dir = mkdtempSync(join(tmpdir(), 'qs-compare-'));
      const xml = join(dir, 'c.xml');
      const r = await cli(
        'compare',
        fixturePath('models', `${name}.tflite`),
        fixturePath('golden', `${name}.json`),
        '--junit',
        xml,
        '--fail-on',
        'mismatch,error',
      );
      const ops = readTflite(readFixture('models', `${name}.tflite`)).subgraphs[0].operators.length;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(EXIT.OK);
      expect(r.stdout).toContain(`${name}.tflite vs ${name}.json: all ${ops} layers match`);
      const text = readFileSync(xml, 'utf8');
      expect(await junitSchemaErrors(text)).toEqual([]);
      expect(text).toMatch(
        new RegExp(`<testcase [^>]*name="${name}\\.tflite on ${name}\\.json"[^>]*>\\s*</testcase>`),
      );
    },
  );

  // rule: one changed element in one layer's golden output is that layer, that |Δ|, and nothing else
  it('person_detect with one element of layer 5 changed by +3: failed case naming layer 5 and 3 LSB, exit 4', async () => {
    const golden = JSON.parse(readFileSync(fixturePath('golden', 'person_detect.json'), 'utf8'));
    const ops = readTflite(readFixture('models', 'person_detect.tflite')).subgraphs[0].operators;
    // the golden lists the graph output first, then each op's output: find layer 5's by tensor
    const out = golden.op_outputs.find((t: { tensor: number }) => t.tensor === ops[5].outputs[0]);
    const bytes = Buffer.from(out.data_b64, 'base64');
    bytes[10] = (bytes[10] + 3) & 0xff; // int8 element 10: 3 steps away (the value is far from +127 in this golden)
    expect(
      Math.abs(((bytes[10] << 24) >> 24) - ((Buffer.from(out.data_b64, 'base64')[10] << 24) >> 24)),
    ).toBe(3);
    out.data_b64 = bytes.toString('base64');
    const dir = mkdtempSync(join(tmpdir(), 'qs-compare-'));
    const dump = join(dir, 'changed.json');
    writeFileSync(dump, JSON.stringify(golden));
    const xml = join(dir, 'c.xml');
    const r = await cli(
      'compare',
      fixturePath('models', 'person_detect.tflite'),
      dump,
      '--junit',
      xml,
      '--fail-on',
      'mismatch',
    );
    expect(r.code).toBe(EXIT.MISMATCH);
    const message = new RegExp(
      `^quantscope: 1 layer\\(s\\) differ between host and board; first divergent layer 5 \\(${ops[5].op} '[^']*'\\): 1 of \\d+ elements differ, max \\|Δ\\| 3 LSB\\n$`,
    );
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toMatch(
      /first divergent layer: 5\n {2}layer 5 \S+ '[^']*': mismatch, 1 of \d+ elements differ, max \|Δ\| 3\n/,
    );
    const text = readFileSync(xml, 'utf8');
    expect(await junitSchemaErrors(text)).toEqual([]);
    expect(text).toMatch(
      /<failure type="mismatch" message="1 layer\(s\) differ[^"]*first divergent layer 5 /,
    );
  });

  // rule: a file that is not a dump is one line naming it (an <error> case when --junit is given)
  it('a dump that is not one: exit 1 naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-compare-'));
    const dump = join(dir, 'nope.json');
    writeFileSync(dump, JSON.stringify({ inputs: [] }));
    const r = await cli('compare', fixturePath('models', 'person_detect.tflite'), dump);
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.stderr).toBe(
      'quantscope: nope.json: not a per-layer dump (golden JSON format): no op_outputs list\n',
    );
  });
});
