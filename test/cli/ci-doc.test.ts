/**
 * docs/ci.md's example workflow runs as written: its "Profile on the emulated Cortex-M3" step (the
 * shell lines under `run: |`) profiles the bundled model on QEMU, passes its own gate and leaves the
 * HTML and JSON reports and a schema-valid JUnit file in reports/.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/fixtures.ts';
import { junitSchemaErrors } from '../helpers/junit-schema.ts';

const run = promisify(execFile);

/** The shell script of the workflow step named `name` (its `run: |` block, de-indented). */
function stepScript(doc: string, name: string): string {
  const lines = doc.split('\n');
  const at = lines.findIndex((l) => l.trim() === `- name: ${name}`);
  expect(at, `step '${name}' in docs/ci.md`).toBeGreaterThan(0);
  const runAt = lines.findIndex((l, i) => i > at && l.trim() === 'run: |');
  const indent = /^\s*/.exec(lines[runAt + 1])![0];
  const body: string[] = [];
  for (const l of lines.slice(runAt + 1)) {
    if (!l.startsWith(indent)) break;
    body.push(l.slice(indent.length));
  }
  return body.join('\n');
}

describe('docs/ci.md', () => {
  // rule: the documented CI step works: exit 0, and the reports it publishes exist and are valid
  it('the profile step of the example workflow runs as written', async () => {
    const script = stepScript(
      readFileSync(join(REPO, 'docs/ci.md'), 'utf8'),
      'Profile on the emulated Cortex-M3',
    );
    expect(script).toMatch(/^npx quantscope profile /m);
    const work = mkdtempSync(join(tmpdir(), 'qs-ci-doc-'));
    symlinkSync(join(REPO, 'examples'), join(work, 'examples'));
    // `npx quantscope` as an installed package runs it: the package bin
    const npx = `npx() { shift; "${process.execPath}" "${join(REPO, 'bin/quantscope.mjs')}" "$@"; }`;
    await run('bash', ['-euo', 'pipefail', '-c', `${npx}\n${script}`], { cwd: work, timeout: 240_000 });
    expect(readdirSync(join(work, 'reports')).sort()).toEqual(['junit.xml', 'profile.html', 'profile.json']);
    const xml = readFileSync(join(work, 'reports/junit.xml'), 'utf8');
    expect(await junitSchemaErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<testcase [^>]*name="micro_speech_quantized\.tflite on qemu"/);
    expect(JSON.parse(readFileSync(join(work, 'reports/profile.json'), 'utf8')).summary.all_match).toBe(true);
  }, 240_000);
});
