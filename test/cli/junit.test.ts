/**
 * CI output: `--junit FILE` on run and profile (one test case per model × board, timings as suite
 * properties, failures naming the first divergent layer and its max |Δ| in LSB) and the exit codes
 * of `--fail-on mismatch|slower-than=PCT|error` (docs/cli.md). Every report is validated against
 * the common JUnit schema. Run through the package bin, as a pipeline runs it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/exit.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { firmwareDir } from '../../src-main/services/board/firmware.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';
import { runQuantscope } from '../helpers/cli-process.ts';
import { junitSchemaErrors } from '../helpers/junit-schema.ts';

const MICRO = fixturePath('models', 'micro_speech_quantized.tflite');

const run = promisify(execFile);
const cli = (...args: string[]) => runQuantscope(args, { timeout: 240_000 });

/** testcase elements with their failure/error children, read with a small regex (the XSD checks the rest). */
function testcases(xml: string): { name: string; body: string }[] {
  return [...xml.matchAll(/<testcase [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)].map((m) => ({
    name: m[1],
    body: m[2],
  }));
}

const property = (xml: string, name: string) =>
  new RegExp(`<property name="${name.replace(/\./g, '\\.')}" value="([^"]*)"/>`).exec(xml)?.[1];

describe('run --junit', () => {
  // rule: a host run is one valid test case with the simulator's timings as properties
  it('hello_world_int8: one passing test case, valid against the JUnit schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-junit-'));
    const xml = join(dir, 'run.xml');
    const r = await cli('run', fixturePath('models', 'hello_world_int8.tflite'), '--junit', xml);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${xml}`);
    const text = readFileSync(xml, 'utf8');
    expect(await junitSchemaErrors(text)).toEqual([]);
    expect(testcases(text)).toEqual([{ name: 'hello_world_int8.tflite on host', body: '\n    ' }]);
    expect(property(text, 'model.ops')).toBe('3');
    expect(Number(property(text, 'host.invoke_ms'))).toBeGreaterThan(0);
  });

  // rule: a model that cannot run is the case's <error> (valid XML, written) and exit 1 with the reason
  it('a file that is not a model: an <error> case and exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-junit-'));
    const bad = join(dir, 'not-a-model.tflite');
    writeFileSync(bad, 'this is not a flatbuffer <&> "quoted"');
    const xml = join(dir, 'run.xml');
    const r = await cli('run', bad, '--junit', xml);
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.stderr).toMatch(/^quantscope: .*TFLite/);
    const text = readFileSync(xml, 'utf8');
    expect(await junitSchemaErrors(text)).toEqual([]);
    expect(text).toMatch(/<testsuites name="quantscope run" tests="1" failures="0" errors="1"/);
    expect(testcases(text)[0].body).toMatch(/<error type="error" message="[^"]*TFLite/);
  });
});

describe('profile --junit and --fail-on on the virtual board', () => {
  // rule: a matching board is a passing case; timings (total and per layer) are suite properties
  it('micro_speech_quantized: passing case with total_us and per-layer µs; --fail-on mismatch exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-junit-'));
    const xml = join(dir, 'p.xml');
    const r = await cli(
      'profile',
      MICRO,
      '--board',
      'virtual',
      '--junit',
      xml,
      '--fail-on',
      'mismatch,error',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(EXIT.OK);
    const text = readFileSync(xml, 'utf8');
    expect(await junitSchemaErrors(text)).toEqual([]);
    expect(testcases(text).map((c) => c.name)).toEqual(['micro_speech_quantized.tflite on virtual']);
    expect(testcases(text)[0].body).not.toMatch(/<failure|<error/);
    expect(property(text, 'all_match')).toBe('true');
    expect(Number(property(text, 'total_us'))).toBeGreaterThan(0);
    expect(Number(property(text, 'layer.1.DEPTHWISE_CONV_2D.us'))).toBeGreaterThan(0);
  });

  // rule: slower-than=PCT compares measurement and estimate on one scale (QEMU: instructions), both ways
  it('--fail-on slower-than=PCT on QEMU: exit 5 naming both counts when over the limit, 0 within it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-junit-'));
    const model = fixturePath('models', 'keyword_spotting_on_off.tflite');
    const within = await cli(
      'profile',
      model,
      '--board',
      'qemu',
      '--fail-on',
      'slower-than=5',
      '--junit',
      join(dir, 'ok.xml'),
    );
    expect(within.code).toBe(EXIT.OK);
    const ok = readFileSync(join(dir, 'ok.xml'), 'utf8');
    const measured = Number(property(ok, 'total_cycles'));
    const est = Number(property(ok, 'est_cycles'));
    expect(measured).toBeGreaterThan(0);
    // the M3 model is calibrated on these kernels (issue 18): within 5 % of the count
    expect(Math.abs(measured / est - 1)).toBeLessThan(0.05);
    // a limit the measurement misses: demand a run 10 points further below the estimate than it is
    const limit = Math.round((measured / est - 1) * 100) - 10;
    const over = await cli(
      'profile',
      model,
      '--board',
      'qemu',
      '--fail-on',
      `slower-than=${limit}`,
      '--junit',
      join(dir, 'over.xml'),
    );
    expect(over.code).toBe(EXIT.SLOWER);
    const off = (measured / est - 1) * 100;
    const where = off >= 0 ? `${off.toFixed(1)}% above` : `${(-off).toFixed(1)}% below`;
    expect(over.stderr).toBe(
      `quantscope: measured ${measured} instructions is ${where} the estimate ${est} M3 instructions (cortex-m3 (QEMU icount)); limit ${limit}%\n`,
    );
    const text = readFileSync(join(dir, 'over.xml'), 'utf8');
    expect(await junitSchemaErrors(text)).toEqual([]);
    expect(testcases(text)[0].body).toMatch(/<failure type="slower-than" message="measured \d+ instructions/);
  }, 120_000);

  // rule: a time that cannot be put against the estimate (host µs vs MCU cycles) fails slower-than, saying why
  it('--fail-on slower-than on the virtual board: exit 5, not comparable', async () => {
    const r = await cli(
      'profile',
      MICRO,
      '--board',
      'virtual',
      '--cpu',
      'cortex-m4@80',
      '--fail-on',
      'slower-than=20',
    );
    expect(r.code).toBe(EXIT.SLOWER);
    expect(r.stderr).toMatch(
      /^quantscope: QuantScope virtual board's time cannot be checked against the estimate: not comparable: host µs vs .*\n$/,
    );
  });

  // rule: a wrong --fail-on value is refused before any board work, naming the accepted values
  it('an unknown --fail-on condition: exit 1 naming the accepted ones', async () => {
    const r = await cli('profile', MICRO, '--board', 'virtual', '--fail-on', 'slower');
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.stderr).toBe(
      "quantscope: --fail-on expects mismatch, slower-than=PCT or error (comma-separated), got 'slower'\n",
    );
  });

  // rule: an unreachable board is the case's <error>; without 'error' in --fail-on it does not fail the exit
  it('a board that cannot be opened: <error> case; exit 1 by default, 0 with --fail-on mismatch only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-junit-'));
    const port = join(dir, 'no-such-port');
    const dflt = await cli('profile', MICRO, '--board', port, '--junit', join(dir, 'a.xml'));
    expect(dflt.code).toBe(EXIT.ERROR);
    expect(dflt.stderr).toMatch(new RegExp(`^quantscope: .*${port}`));
    const text = readFileSync(join(dir, 'a.xml'), 'utf8');
    expect(await junitSchemaErrors(text)).toEqual([]);
    expect(testcases(text)[0].body).toMatch(/<error type="error" message="[^"]*no-such-port/);
    const gated = await cli('profile', MICRO, '--board', port, '--fail-on', 'mismatch');
    expect(gated.code).toBe(EXIT.OK);
    expect(gated.stderr).toMatch(/not failing: --fail-on has no 'error'/);
  });
});

describe('a mismatch on the test-build board is a failed test case', () => {
  let broken: string;
  beforeAll(async () => {
    await run('make', ['-s', '-C', firmwareDir(), 'host-broken'], { timeout: 300_000 });
    broken = join(firmwareDir(), 'build', 'host-broken', 'qs-board');
  }, 300_000);

  // rule: the failure names the first divergent layer and its max |Δ| in LSB; --fail-on mismatch exits 4
  it('keyword_spotting_on_off on host-broken (FULLY_CONNECTED rounds down)', async () => {
    const name = 'keyword_spotting_on_off.tflite';
    const ops = readTflite(readFixture('models', name)).subgraphs[0].operators.map((o) => o.op);
    const firstFc = ops.indexOf('FULLY_CONNECTED');
    expect(firstFc).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'qs-junit-'));
    const xml = join(dir, 'broken.xml');
    const r = await cli(
      'profile',
      fixturePath('models', name),
      '--board',
      'virtual',
      '--firmware',
      broken,
      '--junit',
      xml,
      '--fail-on',
      'mismatch',
    );
    expect(r.code).toBe(EXIT.MISMATCH);
    const first = new RegExp(
      `first divergent layer ${firstFc} \\(FULLY_CONNECTED '[^']*'\\): \\d+ of \\d+ elements differ, max \\|Δ\\| 1 LSB`,
    );
    expect(r.stderr).toMatch(first);
    const text = readFileSync(xml, 'utf8');
    expect(await junitSchemaErrors(text)).toEqual([]);
    expect(text).toMatch(/<testsuites name="quantscope profile" tests="1" failures="1" errors="0"/);
    const [c] = testcases(text);
    expect(c.name).toBe(`${name} on virtual`);
    expect(c.body).toMatch(/<failure type="mismatch" message="/);
    expect(c.body).toMatch(first);
    // the failure's text lists each differing layer, the first one included
    expect(c.body).toMatch(
      new RegExp(
        `layer ${firstFc} FULLY_CONNECTED .*: mismatch, \\d+ of \\d+ elements differ, max \\|Δ\\| 1 LSB`,
      ),
    );
    expect(property(text, 'first_divergent')).toBe(String(firstFc));
  }, 180_000);
});
