/**
 * `profile --board A --board B …`: the same model and input on several boards at once (two virtual
 * boards and the emulated Cortex-M3), one comparison matrix (each board vs the host, boards vs each
 * other) as JSON and HTML, and one JUnit test case per board.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';
import { runQuantscope } from '../helpers/cli-process.ts';
import { junitSchemaErrors } from '../helpers/junit-schema.ts';

const NAME = 'micro_speech_quantized.tflite';

describe('profile on two virtual boards and QEMU in one run', () => {
  // rule: every board runs the same input, all match the host bit-exactly, and the matrix says so pair by pair
  it(`${NAME}: matrix JSON + HTML, one JUnit case per board`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-many-'));
    const [json, html, xml] = ['m.json', 'm.html', 'p.xml'].map((f) => join(dir, f));
    const { code, stdout, stderr } = await runQuantscope(
      [
        'profile',
        fixturePath('models', NAME),
        '--board',
        'virtual',
        '--board',
        'virtual',
        '--board',
        'qemu',
        '--seed',
        '3',
        '--out',
        json,
        '--out',
        html,
        '--junit',
        xml,
        '--fail-on',
        'mismatch,error',
      ],
      { timeout: 240_000 },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`${NAME} on 3 boards (input seed 3):`);
    expect(stdout).toMatch(/virtual#2 vs qemu: identical \(4 layers\)/);

    const ops = readTflite(readFixture('models', NAME)).subgraphs[0].operators.map((o) => o.op);
    const m = JSON.parse(readFileSync(json, 'utf8'));
    expect(m.schema).toBe('quantscope.matrix/1');
    expect(m.input).toBe('seed 3');
    expect(m.boards.map((b: { id: string }) => b.id)).toEqual(['virtual', 'virtual#2', 'qemu']);
    expect(m.boards.map((b: { name: string }) => b.name)).toEqual([
      'QuantScope virtual board',
      'QuantScope virtual board',
      'mps2-an385 (QEMU)',
    ]);
    for (const b of m.boards)
      expect(b).toMatchObject({ all_match: true, first_divergent: null, mismatched_layers: 0 });
    // host + 3 boards: 6 pairs, each identical over every op
    expect(m.pairs).toHaveLength(6);
    for (const p of m.pairs)
      expect(p).toMatchObject({
        identical_layers: ops.length,
        differing_layers: 0,
        first_divergent: null,
        max_abs_diff: 0,
      });
    expect(m.layers.map((l: { op: string }) => l.op)).toEqual(ops);
    // measured time per layer from every board; the QEMU board counts cycles
    for (const l of m.layers)
      expect(l.us.every((u: number | null) => typeof u === 'number' && u >= 0)).toBe(true);
    expect(m.boards[2].total_cycles).toBeGreaterThan(0);
    // each board's time says what it counts: the host's µs on virtual boards, QEMU's instructions
    expect(m.boards.map((b: { measured_unit: string }) => b.measured_unit)).toEqual([
      'host µs',
      'host µs',
      'instructions',
    ]);

    const page = readFileSync(html, 'utf8');
    expect(page).toContain(`<h1>${NAME} on 3 boards</h1>`);
    expect(page.match(/<td class="same">identical \(4 layers\)<\/td>/g)).toHaveLength(12); // both halves of the matrix

    const report = readFileSync(xml, 'utf8');
    expect(await junitSchemaErrors(report)).toEqual([]);
    expect(report).toMatch(/<testsuites name="quantscope profile" tests="3" failures="0" errors="0"/);
    expect([...report.matchAll(/<testcase [^>]*name="([^"]*)"/g)].map((x) => x[1])).toEqual([
      `${NAME} on virtual`,
      `${NAME} on virtual#2`,
      `${NAME} on qemu`,
    ]);
  }, 240_000);

  // rule: options that only make sense for one board are refused before any board starts
  it('--dump and a .csv report with several boards are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-many-'));
    const args = ['profile', fixturePath('models', NAME), '--board', 'virtual', '--board', 'virtual'];
    const dump = await runQuantscope([...args, '--dump', join(dir, 'd.json')]);
    expect(dump.code).toBe(1);
    expect(dump.stderr).toBe('quantscope: --dump writes the outputs of one board: give one --board\n');
    const csv = await runQuantscope([...args, '--out', join(dir, 'r.csv')]);
    expect(csv.code).toBe(1);
    expect(csv.stderr).toMatch(/with several --board the report is the comparison matrix, \.json or \.html/);
  });
});
