import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrationSummary, compareRun, type CompareResult } from '../../../src-main/core/compare/index.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import {
  compareCsv,
  compareHtml,
  compareJson,
  COMPARE_SCHEMA,
  CSV_COLUMNS,
  timingChartSvg,
} from '../../../src-main/core/report/index.ts';
import { cpuProfile } from '../../../src-main/core/simulate/cost-model.ts';
import { layerWork } from '../../../src-main/core/simulate/layer-work.ts';
import {
  exportReport,
  renderReport,
  reportFormatOf,
} from '../../../src-main/services/export/export-report.ts';
import { ServiceError } from '../../../src-main/services/errors.ts';
import { readFixture } from '../../helpers/fixtures.ts';
import { goldenCase } from '../compare/cases.ts';

const meta = { generatedAt: '2026-01-02T03:04:05.000Z', tool: 'QuantScope test' };

/** person_detect against its golden, with layer 9 corrupted (3 elements, up to 5 LSB). */
function divergent(): CompareResult {
  const c = goldenCase('person_detect');
  const bytes = c.device[9].bytes.slice();
  bytes[0] ^= 1;
  bytes[10] ^= 4;
  bytes[20] = (bytes[20] + 5) & 0xff;
  c.device[9] = { ...c.device[9], bytes };
  c.host[3] = { ...c.host[3], name: 'evil <script>alert(1)</script> "name"' };
  const r = compareRun(c);
  const work = layerWork(readTflite(readFixture('models', 'person_detect.tflite')).subgraphs[0]);
  r.calibration = calibrationSummary(cpuProfile('cortex-m3', 25), work, r.layers);
  return r;
}

describe('CSV', () => {
  it('one row per layer with the documented columns', () => {
    const r = divergent();
    const lines = compareCsv(r).trimEnd().split('\r\n');
    expect(lines[0].split(',').slice(0, 8)).toEqual([
      'index',
      'op',
      'shape',
      'mismatches',
      'max_abs_diff_lsb',
      'est_cycles',
      'measured_cycles',
      'measured_us',
    ]);
    expect(lines[0].split(',')).toEqual([...CSV_COLUMNS]);
    expect(lines).toHaveLength(1 + r.layers.length);
    expect(lines[1]).toMatch(/^input,INPUT,1x96x96x1,0,0,,,,match,/);
    const row9 = lines.find((l) => l.startsWith('9,'))!.split(',');
    expect(row9[1]).toBe('DEPTHWISE_CONV_2D');
    expect(Number(row9[3])).toBe(3);
    expect(Number(row9[4])).toBeGreaterThanOrEqual(4);
    expect(Number(row9[6])).toBe(10_000); // ticks at the CPU clock
    expect(Number(row9[7])).toBe(400);
    // a name with quotes and commas is quoted, not split
    const row3 = lines.find((l) => l.startsWith('3,'))!;
    expect(row3).toContain('"evil <script>alert(1)</script> ""name"""');
  });
});

describe('JSON', () => {
  it('follows quantscope.compare/1', () => {
    const r = divergent();
    const doc = JSON.parse(compareJson(r, meta));
    expect(doc.schema).toBe(COMPARE_SCHEMA);
    expect(doc.generated_at).toBe(meta.generatedAt);
    expect(doc.model).toEqual({ name: 'person_detect', sha256: '0'.repeat(64), ops: 31 });
    expect(doc.board).toMatchObject({ name: 'test', cpu: 'cortex-m3', cpu_hz: 25e6, tick_hz: 25e6 });
    // rule: the summary carries the tolerance and the verdict's kind (differences explained)
    expect(doc.summary).toMatchObject({
      all_match: false,
      first_divergent: 9,
      layers: 31,
      mismatched_layers: 1,
      tolerance_lsb: 0,
      verdict: 'systematic',
    });
    expect(doc.layers).toHaveLength(32);
    expect(doc.layers[10]).toMatchObject({
      index: 9,
      op: 'DEPTHWISE_CONV_2D',
      status: 'mismatch',
      mismatches: 3,
      measured_cycles: 10_000,
    });
    expect(doc.outputs[0]).toMatchObject({ top1_agree: true, rmse: 0 });
    expect(doc.calibration.per_op.map((p: { op: string }) => p.op)).toContain('DEPTHWISE_CONV_2D');
    expect(doc.timing.est_profile).toBe('cortex-m3@25');
  });
});

describe('HTML', () => {
  it('is self-contained: inline CSS and SVG, no scripts, nothing fetched, names escaped', () => {
    const html = compareHtml(divergent(), meta);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<svg');
    expect(html).toContain('evil &lt;script&gt;alert(1)&lt;/script&gt; &quot;name&quot;');
    expect(html).toContain('First divergent layer: #9 DEPTHWISE_CONV_2D');
  });

  it('charts shares of the total when the board clock is unknown (virtual board), µs otherwise', () => {
    const r = divergent();
    expect(timingChartSvg(r)).toContain('max ');
    const v = { ...r, board: { ...r.board, cpuHz: 0 } };
    const svg = timingChartSvg(v);
    expect(svg).toContain('share of total, %');
    // person_detect layer 9: 10 000 of the 496 000 measured ticks = 2.016%
    expect(svg).toMatch(/#9 DEPTHWISE_CONV_2D [^<]*measured 2\.016 %/);
  });

  // The system Chromium the e2e tests use (playwright.config.ts), when this machine has one.
  const chrome = [process.env.QS_CHROMIUM, '/usr/bin/chromium'].find((p) => p && existsSync(p)) ?? null;
  it.runIf(chrome !== null)(
    'opens offline in Chromium: verdict, chart bars and layer table render, no request leaves the page',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'qs-report-'));
      const browser = await chromium.launch({ executablePath: chrome!, args: ['--no-sandbox'] });
      try {
        const path = join(dir, 'r.html');
        await exportReport(divergent(), path);
        const page = await browser.newPage();
        const requests: string[] = [];
        page.on('request', (rq) => requests.push(rq.url()));
        await page.goto(pathToFileURL(path).href);
        await expect(page.locator('.verdict.bad').textContent()).resolves.toContain('1 of 31 layers differ');
        expect(await page.locator('tr.first td.st').textContent()).toBe('mismatch (first)');
        expect(await page.locator('#layer-table tbody tr').count()).toBe(32);
        expect(await page.locator('svg.chart rect.meas').count()).toBe(32); // 31 layers + legend
        expect(await page.locator('svg.chart rect.est').count()).toBe(32);
        const box = await page.locator('svg.chart').boundingBox();
        expect(box!.height).toBeGreaterThan(31 * 16);
        expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      } finally {
        await browser.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});

describe('export service', () => {
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'qs-export-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes html/csv/json/pdf atomically (no temp files left)', async () => {
    const r = divergent();
    for (const ext of ['html', 'csv', 'json', 'pdf']) {
      const out = await exportReport(r, join(dir, `report.${ext}`));
      expect(out.format).toBe(ext);
      expect(out.bytes).toBeGreaterThan(500);
    }
    const pdf = await readFile(join(dir, 'report.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')).summary.first_divergent).toBe(9);
    expect((await readdir(dir)).sort()).toEqual(['report.csv', 'report.html', 'report.json', 'report.pdf']);
  }, 90_000);

  it('a failed export leaves the previous file untouched', async () => {
    // rule: reports are written atomically; a printer that fails changes nothing on disk
    const path = join(dir, 'keep.pdf');
    await writeFile(path, 'previous');
    const printHtml = async (): Promise<Uint8Array> => {
      throw new ServiceError('IO', 'the printer ran out of paper');
    };
    await expect(
      exportReport(divergent(), path, undefined, { overwrite: true }, { printHtml }),
    ).rejects.toThrow(/ran out of paper/);
    expect(await readFile(path, 'utf8')).toBe('previous');
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it("the app's printer (Electron printToPDF) gets the HTML report; what is not a PDF is refused", async () => {
    // rule: in the app the PDF is the HTML report printed by Electron; its output is checked
    const seen: string[] = [];
    const printHtml = async (html: string) => {
      seen.push(html);
      return new TextEncoder().encode('%PDF-1.7 printed');
    };
    const pdf = await renderReport(divergent(), 'pdf', meta, { printHtml });
    expect(new TextDecoder().decode(pdf)).toBe('%PDF-1.7 printed');
    expect(seen[0]).toContain('<table class="layers" id="layer-table">');
    await expect(
      renderReport(divergent(), 'pdf', meta, { printHtml: async () => new TextEncoder().encode('<html>') }),
    ).rejects.toThrow(/not a PDF/);
  });

  it('names the problem for an unknown extension', () => {
    expect(() => reportFormatOf('out.docx')).toThrow(/cannot tell the report format of 'out.docx'/);
  });
});
