/**
 * The README's `quantize` example runs as printed on the bundled data (issue 19 #8): the command is
 * read from README.md, so the example cannot drift from what the CLI accepts.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { REPO } from '../helpers/fixtures.ts';
import { runQuantscope } from '../helpers/cli-process.ts';

function readmeQuantizeArgs(): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8').replace(/\\\n\s*/g, ' ');
  const line = readme.split('\n').find((l) => l.startsWith('quantscope quantize examples/'));
  if (!line) throw new Error('README.md has no `quantscope quantize examples/…` example');
  return line.trim().split(/\s+/).slice(1);
}

describe('README quantize example', () => {
  // rule: the README shows a quantize command on the bundled data, and it works as printed
  it('quantizes examples/hello_world_float.tflite with examples/hello_world_x.csv', async () => {
    const args = readmeQuantizeArgs().map((a) => (a.startsWith('examples/') ? join(REPO, a) : a));
    expect(args).toContain('--report');
    const cwd = mkdtempSync(join(tmpdir(), 'qs-readme-'));
    const { code, stdout, stderr } = await runQuantscope([...args, '--quiet'], { cwd });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/hello_world_float\.tflite → \S*hello_world\.int8\.tflite/);
    expect(stdout).toMatch(/samples: 100/);
    const model = readTflite(new Uint8Array(readFileSync(join(cwd, 'hello_world.int8.tflite'))));
    const sg = model.subgraphs[0];
    expect(sg.tensors[sg.inputs[0]].dtype).toBe('int8');
    expect(existsSync(join(cwd, 'hello_world.html'))).toBe(true);
    expect(readFileSync(join(cwd, 'hello_world.html'), 'utf8')).toContain(
      '<title>Quantization report — hello_world.int8.tflite</title>',
    );
  }, 60_000);
});
