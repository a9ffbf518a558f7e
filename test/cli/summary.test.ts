/**
 * `quantscope summary` end to end through the package bin, on every fixture model. Expected op
 * lists come from the fixtures' SOURCES.md, expected per-layer outputs from the TFLite Micro
 * goldens, and MACs are recomputed here from the layer shapes with issue 2's formulas.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LayerSummary, ModelSummary } from '../../src-main/shared/summary.ts';
import { fixturePath, listFixtures, readFixture, readGolden } from '../helpers/fixtures.ts';
import { runQuantscope } from '../helpers/cli-process.ts';

const cli = (...args: string[]) => runQuantscope(args);

/** `| file | origin | ops | I/O |` rows of SOURCES.md → op name → count. */
function opsFromSources(): Map<string, Map<string, number>> {
  const text = readFileSync(fixturePath('SOURCES.md'), 'utf8');
  const out = new Map<string, Map<string, number>>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6 || !cells[1].endsWith('.tflite') || !/[A-Z_]{3,}/.test(cells[3])) continue;
    const counts = new Map<string, number>();
    for (const part of cells[3].replace(/\([^)]*\)/g, '').split(',')) {
      const m = /^\s*([A-Z0-9_]+)(?:\s+x(\d+))?\s*$/.exec(part);
      if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + Number(m[2] ?? 1));
    }
    out.set(cells[1], counts);
  }
  return out;
}

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

/** Issue 2's MAC definitions, from the layer's own tensor shapes. */
function expectedMacs(l: LayerSummary): number | null {
  const out = l.outputs[0]?.shape;
  const w = l.inputs[1]?.shape;
  if (!out || !w) return null;
  if (l.op === 'CONV_2D') return prod(out) * w[1] * w[2] * w[3]; // out_h·out_w·out_c·k_h·k_w·in_c
  if (l.op === 'DEPTHWISE_CONV_2D') return prod(out) * w[1] * w[2]; // out_h·out_w·out_c·k_h·k_w
  if (l.op === 'FULLY_CONNECTED') return (prod(out) / w[0]) * w[0] * w[1]; // rows·out·in
  return null;
}

const SOURCES = opsFromSources();
const INT8 = listFixtures('models', '.tflite');

describe('quantscope summary --json', () => {
  it('SOURCES.md lists every fixture model', () => {
    expect([...SOURCES.keys()].sort()).toEqual(INT8);
  });

  for (const file of INT8) {
    it(`${file}: ops, layer outputs and MACs`, async () => {
      const r = await cli('summary', fixturePath('models', file), '--json');
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as ModelSummary;
      // issue 2's stable keys
      expect(Object.keys(s)).toEqual(
        expect.arrayContaining(['inputs', 'outputs', 'layers', 'totals', 'metadata']),
      );
      expect(Object.keys(s.totals).sort()).toEqual(['arena_bytes', 'macs', 'ops', 'params', 'weights_bytes']);
      expect(Object.keys(s.metadata)).toEqual(expect.arrayContaining(['description', 'parameters']));
      for (const l of s.layers) {
        expect(Object.keys(l)).toEqual(
          expect.arrayContaining(['index', 'op', 'inputs', 'outputs', 'options', 'macs', 'params']),
        );
        for (const t of [...l.inputs, ...l.outputs]) {
          expect(Object.keys(t)).toEqual(
            expect.arrayContaining(['tensor', 'name', 'dtype', 'shape', 'quantization']),
          );
        }
      }

      const counts = new Map<string, number>();
      for (const l of s.layers) counts.set(l.op, (counts.get(l.op) ?? 0) + 1);
      expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(SOURCES.get(file)!));
      expect(s.totals.ops).toBe(s.layers.length);

      // Each layer's output is one of the op outputs the TFLite Micro golden recorded, and vice
      // versa (compared by tensor index; the golden's listing order is not execution order).
      const golden = readGolden(file.replace(/\.tflite$/, ''));
      const key = (t: { tensor: number; dtype: string; shape: number[] }) =>
        `${t.tensor}:${t.dtype}:${t.shape.join('x')}`;
      expect(s.layers.map((l) => key(l.outputs[0])).sort()).toEqual(golden.op_outputs.map(key).sort());
      expect(s.inputs.map((t) => t.shape)).toEqual(golden.inputs.map((t) => t.shape));

      let macs = 0;
      for (const l of s.layers) {
        const want = expectedMacs(l);
        if (want !== null) expect(l.macs, `layer ${l.index} ${l.op}`).toBe(want);
        macs += l.macs;
      }
      expect(s.totals.macs).toBe(macs);
      if (s.layers.some((l) => expectedMacs(l) !== null)) expect(s.totals.macs).toBeGreaterThan(0);
    });
  }

  it('person_detect: the well-known MobileNet v1 0.25 figures', async () => {
    const s = JSON.parse(
      (await cli('summary', fixturePath('models', 'person_detect.tflite'), '--json')).stdout,
    );
    expect(s.inputs[0]).toMatchObject({ dtype: 'int8', shape: [1, 96, 96, 1] });
    expect(s.outputs[0]).toMatchObject({ dtype: 'int8', shape: [1, 2] });
    // The weights must fit in the file they came from.
    expect(s.totals.weights_bytes).toBeLessThan(readFixture('models', 'person_detect.tflite').length);
  });

  it('rock_paper_scissors: float I/O and its metadata', async () => {
    const s = JSON.parse(
      (await cli('summary', fixturePath('models', 'rock_paper_scissors.tflite'), '--json')).stdout,
    );
    expect(s.inputs[0].dtype).toBe('float32');
    expect(s.metadata.description).toMatch(/Rock\/Paper\/Scissors/);
    expect(s.metadata.entries).toContain('SL_PARAMSv1');
    expect(s.metadata.parameters['samplewise_norm.mean_and_std']).toBe(true);
    const human = await cli('summary', fixturePath('models', 'rock_paper_scissors.tflite'));
    expect(human.stdout).toMatch(/^\s+samplewise_norm\.mean_and_std = true$/m);
  });

  for (const file of [...listFixtures('float', '.tflite'), ...listFixtures('float', '.h5')]) {
    it(`float/${file}: summarizes with consistent MACs`, async () => {
      const r = await cli('summary', fixturePath('float', file), '--json');
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as ModelSummary;
      expect(s.layers.length).toBeGreaterThan(0);
      expect(s.inputs.length).toBeGreaterThan(0);
      if (file.endsWith('.tflite')) {
        for (const l of s.layers) {
          const want = expectedMacs(l);
          if (want !== null) expect(l.macs, `layer ${l.index} ${l.op}`).toBe(want);
        }
      }
      expect(s.totals.macs).toBe(s.layers.reduce((n, l) => n + l.macs, 0));
    });
  }
});

describe('quantscope summary (human output and errors)', () => {
  it('prints a readable table', async () => {
    const r = await cli('summary', fixturePath('models', 'micro_speech_quantized.tflite'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^micro_speech_quantized\.tflite\s+\(tflite\)/);
    expect(r.stdout).toMatch(/Inputs\s+\S+\s+int8\[1x1960\]/);
    const rows = r.stdout.split('\n').filter((l) => /^\s*\d+\s+[A-Z]/.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/)[1])).toEqual([
      'RESHAPE',
      'DEPTHWISE_CONV_2D',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ]);
  });

  // rule (issue 19 #8): options at their schema default (FLOAT32 bias type = unset, DEFAULT weights
  // format, no activation) and false flags are not printed; the options that matter are
  it('hides default options: person_detect CONV_2D rows show padding/stride, not quantized_bias_type=FLOAT32', async () => {
    const r = await cli('summary', fixturePath('models', 'person_detect.tflite'));
    expect(r.code).toBe(0);
    const conv = r.stdout.split('\n').filter((l) => /^\s*\d+\s+CONV_2D/.test(l));
    expect(conv.length).toBeGreaterThan(0);
    for (const line of conv) expect(line).toMatch(/padding=\w+ stride_w=\d/);
    expect(r.stdout).not.toMatch(/quantized_bias_type=FLOAT32|weights_format=DEFAULT|=false\b/);
  });

  it('exits 1 with a clear message for malformed files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-cli-'));
    const cases: [string, Uint8Array, RegExp][] = [
      ['photo.tflite', new Uint8Array(Buffer.from('89504e470d0a1a0a0000000d4948445200000060', 'hex')), /PNG/],
      ['empty.tflite', new Uint8Array(0), /empty/],
      ['cut.tflite', readFixture('models', 'person_detect.tflite').subarray(0, 3000), /past end of file/],
      ['notes.txt', new TextEncoder().encode('hello, not a model at all'), /Not a model/],
    ];
    for (const [name, bytes, pattern] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const r = await cli('summary', path, '--json');
      expect(r.code, name).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^quantscope: ${name.replace('.', '\\.')}: `));
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.split('\n').length).toBeLessThanOrEqual(2); // one line, no stack trace
    }
    const missing = await cli('summary', join(dir, 'missing.tflite'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No such file: .*missing\.tflite/);
  });

  it('exits 2 on usage errors', async () => {
    const r = await cli('summary');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'model'/);
  });
});
