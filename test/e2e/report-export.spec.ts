/**
 * Exports that print (issue 19): a real profile of person_detect on the virtual board through the
 * web host, exported as HTML and PDF. The HTML report at 1024×768 and 1400×900 shows every column
 * of its layer table (it reflows; a wider table scrolls inside its box with the first column kept
 * in view, the page itself never scrolls sideways); the PDF — drawn with npm packages only, no
 * browser — holds every one of those columns and every layer, text read back with PDF.js.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import Ajv from 'ajv';
import { strFromU8, unzipSync } from 'fflate';
import { REPO } from '../helpers/fixtures.ts';
import { flatText, nfkc, readPdf } from '../helpers/pdf-text.ts';
import { expectVerdict, openApp, screenshot } from './app-page.ts';
import { expect, test } from './fixtures.ts';

const EXPORTS = resolve(import.meta.dirname, '../../test-results/exports');

async function download(page: Page, format: string): Promise<string> {
  const downloading = page.waitForEvent('download');
  await page.getByTestId(`export-${format}`).click();
  const d = await downloading;
  mkdirSync(EXPORTS, { recursive: true });
  const file = join(EXPORTS, `report-export-${d.suggestedFilename()}`);
  await d.saveAs(file);
  return file;
}

test('HTML report shows every layer-table column at 1024 and 1400 px; the PDF holds them all', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openApp(page);
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite'); // the bundled example
  await page.getByTestId('view-board').click();
  const card = page.locator('[data-testid="board-card"][data-board-id="virtual"]');
  await card.click();
  await page.getByTestId('board-profile').click();
  await expectVerdict(page, 60_000);
  const html = await download(page, 'html');
  const pdfFile = await download(page, 'pdf');

  const report = await page.context().newPage();
  let heads: string[] = [];
  for (const [width, height] of [
    [1024, 768],
    [1400, 900],
  ]) {
    // rule: issue 19 — tables reflow at 1024 px without hiding columns
    await report.setViewportSize({ width, height });
    await report.goto(`file://${html}`);
    const th = report.locator('#layer-table thead th');
    heads = (await th.allInnerTexts()).map((t) => t.trim());
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
    for (const h of await th.all()) {
      await h.scrollIntoViewIfNeeded();
      await expect(h).toBeInViewport();
    }
    // the page never scrolls sideways; names wrap instead of being cut
    expect(await report.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    const cut = await report
      .locator('#layer-table td')
      .evaluateAll((tds) =>
        tds.filter((td) => td.scrollWidth > td.clientWidth + 1).map((td) => td.textContent),
      );
    expect(cut).toEqual([]);
    // rule: a table wider than its box scrolls inside it, the first column (layer #) stays in view
    const box = report.locator('#layer-table').locator('xpath=..');
    await box.evaluate((b) => (b.scrollLeft = b.scrollWidth));
    const first = report.locator('#layer-table tbody tr').nth(5).locator('td').first();
    const [fb, bb] = [await first.boundingBox(), await box.boundingBox()];
    expect(fb!.x).toBeGreaterThanOrEqual(bb!.x - 0.5);
    await report.locator('#layer-table').scrollIntoViewIfNeeded();
    await screenshot(report, `report-html-${width}`);
  }
  const layerCount = await report.locator('#layer-table tbody tr').count();
  const names = await report.locator('#layer-table tbody td.nm').allTextContents();
  await report.close();

  // rule: issue 19 — the PDF (rendered, text extracted) holds every layer-table column and every layer
  const pages = await readPdf(new Uint8Array(readFileSync(pdfFile)));
  const items = new Set(pages.flatMap((p) => p.items.map(nfkc)));
  for (const h of heads) expect(items, h).toContain(nfkc(h));
  const flat = flatText(pages);
  expect(names).toHaveLength(layerCount);
  for (const n of names) expect(flat).toContain(nfkc(n).replace(/\s+/g, ''));
  pages.forEach((p, i) => expect(p.items).toContain(`Page ${i + 1} of ${pages.length}`));
});

test('the Model Explorer button downloads node data for every op, one schema-valid file per figure', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openApp(page);
  await page.getByTestId('view-board').click();
  await page.locator('[data-testid="board-card"][data-board-id="virtual"]').click();
  await page.getByTestId('board-profile').click();
  await expectVerdict(page, 60_000);
  // rule: issue 19 — the per-layer figures reach Model Explorer from the app, not only the CLI:
  // one .zip holding STEM.<figure>.json per figure the virtual-board run has, node ids by the
  // TFLite adapter's rule (op index), a value for each of person_detect's 31 ops, schema-valid
  const file = await download(page, 'model-explorer');
  expect(file).toMatch(/person_detect-virtual\.model-explorer\.zip$/);
  const files = unzipSync(new Uint8Array(readFileSync(file)));
  const figures = Object.keys(files).map((n) => n.replace(/^person_detect-virtual\.(.+)\.json$/, '$1'));
  expect(figures).toEqual(expect.arrayContaining(['max_abs_diff_lsb', 'measured_us', 'tensor_bytes']));
  const schema = JSON.parse(
    readFileSync(resolve(REPO, 'test/schemas/model-explorer-node-data.schema.json'), 'utf8'),
  );
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  for (const [name, bytes] of Object.entries(files)) {
    const doc = JSON.parse(strFromU8(bytes));
    expect(validate(doc), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    const results = (Object.values(doc)[0] as { results: Record<string, unknown> }).results;
    expect(
      Object.keys(results).sort((a, b) => Number(a) - Number(b)),
      name,
    ).toEqual(Array.from({ length: 31 }, (_, i) => String(i)));
  }
  await expect(page.getByTestId('exported')).toContainText('model-explorer.zip');
});
