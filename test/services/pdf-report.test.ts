/**
 * The PDF report drawn with pdfkit (the CLI's and the web host's path: npm packages only, no
 * browser), read back with PDF.js: every layer-table column and every layer, page numbers,
 * landscape pages, vector charts.
 */
import { describe, expect, it } from 'vitest';
import { calibrationSummary, compareRun, type CompareResult } from '../../src-main/core/compare/index.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { layerCells, layerColumns } from '../../src-main/core/report/compare-doc.ts';
import { cpuProfile } from '../../src-main/core/simulate/cost-model.ts';
import { layerWork } from '../../src-main/core/simulate/layer-work.ts';
import { compareToPdf } from '../../src-main/services/export/pdf.ts';
import { goldenCase } from '../core/compare/cases.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { flatText, nfkc, PDF_OPS, readPdf } from '../helpers/pdf-text.ts';

const meta = { generatedAt: '2026-01-02T03:04:05.000Z', tool: 'QuantScope test' };

let cached: CompareResult | undefined;

/** person_detect (host simulator) against TFLM's golden outputs, layer 9 corrupted on the "device". */
function personDetect(): CompareResult {
  if (!cached) {
    const c = goldenCase('person_detect');
    const bytes = c.device[9].bytes.slice();
    bytes[0] ^= 1;
    bytes[20] = (bytes[20] + 5) & 0xff;
    c.device[9] = { ...c.device[9], bytes };
    cached = compareRun(c);
  }
  return cached;
}

/** A row's cells as the PDF must show them, run together (see flatText). */
const rowText = (cells: string[]) => nfkc(cells.join('')).replace(/\s+/g, '');

describe('PDF report (pdfkit)', () => {
  it('holds every layer-table column and every layer, with page numbers on landscape pages', async () => {
    // rule: issue 19 — the PDF (text extracted) holds every layer-table column; nothing is clipped
    const r = personDetect();
    const pages = await readPdf(await compareToPdf(r, meta));
    const flat = flatText(pages);
    const cols = layerColumns(r);
    expect(cols.map((c) => c.head)).toEqual(
      expect.arrayContaining(['mismatches', 'max |Δ| LSB', 'est M3 cycles', 'cycles', 'µs', 'share']),
    );
    const items = new Set(pages.flatMap((p) => p.items.map(nfkc)));
    for (const c of cols) expect(items, c.head).toContain(nfkc(c.head));
    // every layer, every cell, in column order (the timing columns at the end included)
    expect(r.layers).toHaveLength(32);
    for (const l of r.layers) expect(flat, `layer ${l.index}`).toContain(rowText(layerCells(l, 9, true)));
    expect(flat).toContain('mismatch(first)');
    // rule: page numbers on every page; A4 landscape
    expect(pages.length).toBeGreaterThanOrEqual(2);
    pages.forEach((p, i) => {
      expect(p.items).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(p.width).toBeGreaterThan(p.height);
    });
    expect(flat).toContain(rowText(['1 of 31 layers differ. First divergent layer: #9 DEPTHWISE_CONV_2D']));
  }, 60_000);

  it('charts are vector drawings: no images, a bar per estimate and per measurement', async () => {
    // rule: issue 19 — charts as vector images
    const pages = await readPdf(await compareToPdf(personDetect(), meta));
    const ops = pages.flatMap((p) => p.ops);
    expect(
      ops.filter((o) => o === PDF_OPS.paintImageXObject || o === PDF_OPS.paintInlineImageXObject),
    ).toEqual([]);
    // 31 estimates + 31 measurements + legends + histogram bars + table rules
    expect(ops.filter((o) => o === PDF_OPS.constructPath).length).toBeGreaterThan(62);
  }, 60_000);

  it('a report time that is not a date still gives a PDF', async () => {
    // rule: bad input gets a result or a clear error, never a crash inside the PDF library
    const pdf = await compareToPdf(personDetect(), { generatedAt: 'yesterday', tool: 'QuantScope test' });
    expect(new TextDecoder().decode(pdf.subarray(0, 5))).toBe('%PDF-');
    expect(flatText(await readPdf(pdf))).toContain('yesterdaybyQuantScopetest');
  }, 60_000);

  it('a stream and a calibrated cost model get their sections, as in the HTML report', async () => {
    // rule: the PDF carries the HTML report's sections (stream of invocations, calibration table)
    const r = personDetect();
    const work = layerWork(readTflite(readFixture('models', 'person_detect.tflite')).subgraphs[0]);
    const first = { ...r, invocation: 0, allMatch: true, firstDivergent: null };
    const second = { ...r, invocation: 1 };
    const s: CompareResult = {
      ...second,
      calibration: calibrationSummary(cpuProfile('cortex-m3', 25), work, r.layers),
      stream: {
        invocations: 2,
        resetState: false,
        runs: [first, second],
        firstDivergence: { invocation: 1, layer: 9, op: 'DEPTHWISE_CONV_2D' },
      },
    };
    const flat = flatText(await readPdf(await compareToPdf(s, meta)));
    expect(flat).toContain('Streamof2invocations');
    expect(flat).toContain('Firstdivergence:invocation1,layer9(DEPTHWISE_CONV_2D)');
    expect(flat).toContain('Costmodelcalibratedforthisboard');
    for (const p of s.calibration!.perOp) expect(flat).toContain(`${p.op}${p.layers}`);
  }, 60_000);

  it('a virtual-board result shows host µs and no cycles column', async () => {
    // rule: the PDF has the columns the HTML report has for this board, no empty cycles column
    const r = personDetect();
    const v: CompareResult = {
      ...r,
      board: { ...r.board, cpuHz: 0 },
      timing: { ...r.timing, measuredUnit: 'host µs' },
      layers: r.layers.map(({ measuredCycles: _, ...l }) => l),
    };
    const heads = layerColumns(v).map((c) => c.head);
    expect(heads).toContain('host µs');
    expect(heads).not.toContain('cycles');
    const pages = await readPdf(await compareToPdf(v, meta));
    const items = new Set(pages.flatMap((p) => p.items.map(nfkc)));
    for (const h of heads) expect(items, h).toContain(nfkc(h));
    expect(items).not.toContain('cycles');
    const flat = flatText(pages);
    for (const l of v.layers) expect(flat, `layer ${l.index}`).toContain(rowText(layerCells(l, 9, false)));
  }, 60_000);

  it('a long unbroken tensor name wraps and is kept whole; a character the font lacks prints as ?', async () => {
    // rule: long names are wrapped, never cut; no empty boxes or NULs in the text
    const long = `block/${'conv_weights_'.repeat(30)}end中`;
    const base = personDetect();
    const r = { ...base, layers: base.layers.map((l) => (l.index === 3 ? { ...l, name: long } : l)) };
    const pages = await readPdf(await compareToPdf(r, meta));
    const flat = flatText(pages);
    expect(flat).toContain(long.replace('中', '?'));
    expect(flat).not.toContain('\u0000');
    for (const l of r.layers.filter((x) => x.index !== 3))
      expect(flat, `layer ${l.index}`).toContain(rowText(layerCells(l, 9, true)));
  }, 60_000);
});
