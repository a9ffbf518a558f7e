/**
 * `quantscope quantize har_lstm.keras --int16 all`: both LSTMs in the converter's int16x8 form; the
 * model runs on the virtual board (the core built natively, behind the serial protocol) bit-exact
 * with the host simulator, every layer, and `run` reads its int16 LSTM gates (issue 16).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/index.ts';
import { harWindows } from '../core/keras/har-data.ts';
import { cli, profileOnVirtualBoard } from '../helpers/cli.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { npyF32 } from '../helpers/npy-f32.ts';

const dir = mkdtempSync(join(tmpdir(), 'qs-lstm16-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantscope on an int16x8 LSTM model', () => {
  // Rule: the int16x8 LSTM model runs on the virtual board bit-exact with the host, every layer.
  it('quantize har_lstm.keras --int16 all, then profile it on the virtual board', async () => {
    const windows = harWindows(16, 5).map(([x]) => x);
    writeFileSync(join(dir, 'windows.npy'), npyF32(windows, [128, 9]));
    writeFileSync(join(dir, 'one.npy'), npyF32(windows.slice(2, 3), [128, 9]));
    const out = join(dir, 'har.int16.tflite');
    const q = await cli(
      'quantize',
      fixturePath('keras3', 'har_lstm.keras'),
      '--data',
      join(dir, 'windows.npy'),
      '--int16',
      'all',
      '--out',
      out,
    );
    expect(q.code, q.err).toBe(0);
    const sg = readTflite(new Uint8Array(readFileSync(out))).subgraphs[0];
    const lstms = sg.operators.filter((o) => o.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM');
    expect(lstms.map((o) => sg.tensors[o.inputs[0]].dtype)).toEqual(['int16', 'int16']);
    const board = await profileOnVirtualBoard(out, join(dir, 'one.npy'));
    expect(board.code, board.err).toBe(0);
    expect(board.out).toMatch(/UNIDIRECTIONAL_SEQUENCE_LSTM\s+int16\[1x128x32\]\s+match/);
    expect(board.out).toMatch(/SOFTMAX\s+int16\[1x6\]\s+match/);
    expect(board.out).toMatch(/all 7 layers match/);
    // Rule: run reads the int16 LSTM's gates like the int8 one's (one entry per LSTM, 128 steps).
    const run = await cli('run', out, '--input', join(dir, 'one.npy'), '--json');
    expect(run.code, run.err).toBe(0);
    const gates = JSON.parse(run.out).lstm_gates as { index: number; steps: number }[];
    expect(gates.map((g) => g.steps)).toEqual([128, 128]);
  }, 120_000);
});
