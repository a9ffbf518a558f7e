/**
 * `quantscope profile` end to end through the package bin on the virtual board (the host build
 * of our firmware behind a pty), and on a deliberately wrong board (`make -C firmware
 * host-broken`: FULLY_CONNECTED rounds down) that must be caught at the right layer.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { firmwareDir } from '../../src-main/services/board/firmware.ts';
import { fmt } from '../../src-main/core/report/escape.ts';
import { fixturePath, readFixture, readGolden } from '../helpers/fixtures.ts';
import { runQuantscope } from '../helpers/cli-process.ts';
import { flatText, nfkc, readPdf } from '../helpers/pdf-text.ts';

const run = promisify(execFile);
const cli = (...args: string[]) => runQuantscope(args, { timeout: 120_000 });

const sorted = (ts: { tensor: number; data_b64: string }[]) =>
  ts.map((t) => `${t.tensor}:${t.data_b64}`).sort();

describe('quantscope profile on the virtual board', () => {
  it('micro_speech_quantized: all layers match; html, csv, json, pdf and the device dump are written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-profile-'));
    const outs = ['r.html', 'r.csv', 'r.json', 'r.pdf'].map((f) => join(dir, f));
    const model = fixturePath('models', 'micro_speech_quantized.tflite');
    const r = await cli(
      'profile',
      model,
      '--board',
      'virtual',
      '--seed',
      '1',
      '--out',
      ...outs,
      '--dump',
      join(dir, 'device.json'),
      '--fail-on-mismatch',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'micro_speech_quantized.tflite on QuantScope virtual board (host): all 4 layers match',
    );
    expect(r.stdout).toMatch(/DEPTHWISE_CONV_2D\s+int8\[1x25x20x8\]\s+match/);
    // Honest timing (issue 19 #2/#8): host µs and M4 cycles are shown side by side, never as a "% error",
    // and no empty cycles column.
    expect(r.stdout).toContain('clock: host clock CLOCK_MONOTONIC');
    expect(r.stdout).toContain('not comparable: host µs vs M4 cycles');
    expect(r.stdout).not.toMatch(/error|calibrated cost model/);
    expect(r.stdout).toMatch(/est M4 cycles\s+host µs\s+share/);
    expect(readdirSync(dir).sort()).toEqual(['device.json', 'r.csv', 'r.html', 'r.json', 'r.pdf']);
    const json = JSON.parse(readFileSync(outs[2], 'utf8'));
    expect(json.summary).toEqual({
      all_match: true,
      first_divergent: null,
      layers: 4,
      mismatched_layers: 0,
      tolerance_lsb: 0,
      verdict: 'match',
      verdict_text: 'all 4 layers match',
    });
    expect(json.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.board).toMatchObject({ name: 'QuantScope virtual board', tick_hz: 1e9, port: 'virtual' });
    expect(json.layers.map((l: { op: string }) => l.op)).toEqual([
      'INPUT',
      'RESHAPE',
      'DEPTHWISE_CONV_2D',
      'FULLY_CONNECTED',
      'SOFTMAX',
    ]);
    expect(json.layers.slice(1).every((l: { measured_us: number }) => l.measured_us > 0)).toBe(true);
    const csv = readFileSync(outs[1], 'utf8').trimEnd().split('\r\n');
    expect(csv).toHaveLength(6);
    expect(csv[3]).toMatch(/^1,DEPTHWISE_CONV_2D,1x25x20x8,0,0,\d+,,[\d.]+,match,/);
    const html = readFileSync(outs[0], 'utf8');
    expect(html).toContain('All 4 layers match bit for bit.');
    expect(html).not.toMatch(/<script/i);
    expect(readFileSync(outs[3]).subarray(0, 5).toString()).toBe('%PDF-');
    // rule: issue 19 — the PDF (written with npm packages only, text read back) holds every column of
    // the HTML report's layer table and every layer with its measured time
    const heads = [
      ...html
        .split('id="layer-table"')[1]
        .split('</thead>')[0]
        .matchAll(/<th[^>]*>([^<]*)<\/th>/g),
    ].map((m) => m[1].replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
    expect(heads).toEqual([
      '#',
      'op',
      'output',
      'tensor',
      'status',
      'mismatches',
      'max |Δ| LSB',
      'est M4 cycles',
      'host µs',
      'share',
    ]);
    const pdf = await readPdf(new Uint8Array(readFileSync(outs[3])));
    const items = new Set(pdf.flatMap((p) => p.items.map(nfkc)));
    for (const h of heads) expect(items, h).toContain(nfkc(h));
    const flat = flatText(pdf);
    for (const l of json.layers.slice(1) as {
      index: number;
      op: string;
      name: string;
      measured_us: number;
    }[]) {
      expect(flat).toContain(`${l.index}${l.op}${l.name}`.replace(/\s+/g, ''));
      expect(flat).toContain(fmt(l.measured_us));
    }
    const dump = JSON.parse(readFileSync(join(dir, 'device.json'), 'utf8'));
    const golden = readGolden('micro_speech_quantized');
    expect(sorted(dump.op_outputs)).toEqual(sorted(golden.op_outputs));
    expect(dump.inputs[0].data_b64).toBe(golden.inputs[0].data_b64);
  }, 180_000);

  it.each([
    ['tflm_person_gray_u8_96x96.npy', 1],
    ['tflm_no_person_gray_u8_96x96.npy', 0],
  ])(
    'person_detect with --input %s: all 31 layers match, device top-1 = %i',
    async (file, top1) => {
      const r = await cli(
        'profile',
        fixturePath('models', 'person_detect.tflite'),
        '--board',
        'virtual',
        '--input',
        fixturePath('data', file),
        '--u8-bytes',
        '--json',
        '--fail-on-mismatch',
      );
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.input).toBe(file);
      expect(doc.summary).toEqual({
        all_match: true,
        first_divergent: null,
        layers: 31,
        mismatched_layers: 0,
        tolerance_lsb: 0,
        verdict: 'match',
        verdict_text: 'all 31 layers match',
      });
      expect(doc.outputs[0]).toMatchObject({ top1_host: top1, top1_device: top1, top1_agree: true, rmse: 0 });
    },
    120_000,
  );

  it('bad arguments fail with a clear message before touching a board', async () => {
    const model = fixturePath('models', 'micro_speech_quantized.tflite');
    let r = await cli('profile', model, '--board', 'virtual', '--out', join(tmpdir(), 'x.docx'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot tell the report format of');
    r = await cli('profile', '/nonexistent/m.tflite', '--board', 'virtual');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No such file: /nonexistent/m.tflite');
    r = await cli('profile', model, '--board', '/dev/does-not-exist');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot open serial port /dev/does-not-exist');
    r = await cli('profile', model);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '-b, --board <board>' not specified");
  }, 60_000);
});

describe('quantscope profile on the emulated Cortex-M3 (QEMU mps2-an385)', () => {
  const qemu = (process.env.PATH ?? '').split(':').some((d) => existsSync(join(d, 'qemu-system-arm')));
  it.runIf(qemu)(
    'micro_speech_quantized: all layers match, cycles are executed instructions (40 per SysTick tick), cost model calibrated on cycles',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'qs-qemu-'));
      const r = await cli(
        'profile',
        fixturePath('models', 'micro_speech_quantized.tflite'),
        '--board',
        'qemu',
        '--out',
        join(dir, 'r.json'),
        '--fail-on-mismatch',
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('on mps2-an385 (QEMU) (cortex-m3): all 4 layers match');
      const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
      expect(json.board).toMatchObject({ cpu: 'cortex-m3', tick_hz: 25e6, cpu_hz: 1e9, port: 'qemu' });
      // The QEMU board is named by its clock (instructions under icount), not 'cortex-m3@1000' (issue 19 #8).
      expect(json.timing.est_profile).toBe('cortex-m3 (QEMU icount)');
      expect(r.stdout).toContain('clock: QEMU icount');
      expect(r.stdout).toContain('M3 instructions on cortex-m3 (QEMU icount)');
      const rows: { measured_cycles: number; measured_ticks: number }[] = json.layers.filter(
        (l: { index: number }) => l.index >= 0,
      );
      // Under -icount shift=0 one SysTick tick (25 MHz) is 40 instructions at the 1 GHz instruction rate.
      expect(rows.every((l) => l.measured_cycles === l.measured_ticks * 40)).toBe(true);
      // Our firmware runs micro_speech in ~2.35 M instructions (TFLM reference needs more); a broken tick
      // counter shows up as billions.
      const total = rows.reduce((a, l) => a + l.measured_cycles, 0);
      expect(total).toBeGreaterThan(1e6);
      expect(total).toBeLessThan(1e7);
      expect(json.calibration.basis).toBe('cycles');
    },
    180_000,
  );
});

describe('a deliberately wrong board is caught', () => {
  let broken: string;
  beforeAll(async () => {
    await run('make', ['-s', '-C', firmwareDir(), 'host-broken'], { timeout: 300_000 });
    broken = join(firmwareDir(), 'build', 'host-broken', 'qs-board');
  }, 300_000);

  it.each(['micro_speech_quantized', 'keyword_spotting_on_off'])(
    '%s: the first divergent layer is the first FULLY_CONNECTED',
    async (name) => {
      const ops = readTflite(readFixture('models', `${name}.tflite`)).subgraphs[0].operators.map((o) => o.op);
      const firstFc = ops.indexOf('FULLY_CONNECTED');
      expect(firstFc).toBeGreaterThan(0); // layers before it must still match
      const dir = mkdtempSync(join(tmpdir(), 'qs-broken-'));
      const r = await cli(
        'profile',
        fixturePath('models', `${name}.tflite`),
        '--board',
        'virtual',
        '--firmware',
        broken,
        '--out',
        join(dir, 'r.json'),
        '--fail-on-mismatch',
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`first divergent layer ${firstFc} \\(FULLY_CONNECTED`));
      expect(r.stdout).toMatch(new RegExp(`>\\s*${firstFc}\\s+FULLY_CONNECTED\\s+\\S+\\s+mismatch`));
      const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
      expect(json.summary.first_divergent).toBe(firstFc);
      const rows = json.layers.filter((l: { index: number }) => l.index >= 0);
      expect(rows.slice(0, firstFc).every((l: { status: string }) => l.status === 'match')).toBe(true);
      // rounding down instead of to nearest: some outputs are exactly 1 LSB low, none further off
      expect(rows[firstFc]).toMatchObject({ status: 'mismatch', max_abs_diff_lsb: 1 });
      expect(rows[firstFc].mismatches).toBeGreaterThan(0);
    },
    180_000,
  );
});
