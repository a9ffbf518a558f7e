/**
 * The HTML reports at 1024×768 in the system Chromium (issue 19: tables reflow without hiding
 * columns). The compare report (person_detect vs TFLM's goldens) and the quantization report
 * (hello_world quantized): the page never scrolls sideways, each table scrolls inside its own box,
 * every column head can be brought into view, no cell cuts its text, the first column stays put.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRun } from '../../src-main/core/compare/index.ts';
import { compareHtml } from '../../src-main/core/report/index.ts';
import { quantHtml } from '../../src-main/core/report/quant-html.ts';
import { quantizeTask } from '../../src-main/services/quantize/quantize-task.ts';
import { goldenCase } from '../core/compare/cases.ts';
import { readFixture } from '../helpers/fixtures.ts';

const meta = { generatedAt: '2026-01-01T00:00:00Z', tool: 'QuantScope test' };
const CHROME = [process.env.QS_CHROMIUM, '/usr/bin/chromium'].find((p) => p && existsSync(p));

describe.runIf(CHROME)('HTML reports at 1024 px', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROME!, args: ['--no-sandbox'] });
    dir = await mkdtemp(join(tmpdir(), 'qs-narrow-'));
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Opens `html` at 1024×768 and checks every table of `selector`. */
  async function check(name: string, html: string, selector: string): Promise<string[]> {
    const file = join(dir, name);
    await writeFile(file, html);
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    try {
      await page.goto(pathToFileURL(file).href);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
      const tables = page.locator(selector);
      expect(await tables.count()).toBeGreaterThan(0);
      const heads: string[] = [];
      for (const t of await tables.all()) {
        for (const th of await t.locator('thead th, tr:first-child th').all()) {
          await th.scrollIntoViewIfNeeded();
          expect(await th.isVisible()).toBe(true);
          const [b, vw] = [await th.boundingBox(), 1024];
          expect(b!.x >= -0.5 && b!.x + b!.width <= vw + 0.5, await th.innerText()).toBe(true);
          heads.push((await th.innerText()).trim());
        }
        const cut = await t
          .locator('td')
          .evaluateAll((tds) =>
            tds.filter((td) => td.scrollWidth > td.clientWidth + 1).map((td) => td.textContent),
          );
        expect(cut).toEqual([]);
      }
      return heads;
    } finally {
      await page.close();
    }
  }

  it('compare report: every layer-table column reachable, names whole', async () => {
    // rule: issue 19 — HTML export tables reflow at 1024 px without hiding columns
    const heads = await check(
      'compare.html',
      compareHtml(compareRun(goldenCase('person_detect')), meta),
      'table.layers',
    );
    expect(heads).toEqual(
      expect.arrayContaining(['mismatches', 'max |Δ| LSB', 'est M3 cycles', 'cycles', 'µs', 'share']),
    );
  }, 60_000);

  it('quantization report: all 16 layer columns reachable, tensor names whole', async () => {
    // rule: issue 19 — the same for the quantization report's MLTK table (wider than the window)
    const csv = Array.from({ length: 40 }, (_, i) => String(((i + 0.5) / 40) * 2 * Math.PI)).join('\n');
    const r = await quantizeTask(
      {
        model: { name: 'hello_world_float.tflite', bytes: readFixture('float', 'hello_world_float.tflite') },
        data: [{ name: 'x.csv', bytes: new TextEncoder().encode(csv) }],
        method: 'minmax',
        thresholds: { rmseOverScale: 0.3 },
      },
      { progress: () => undefined },
    );
    const heads = await check('quant.html', quantHtml(r.report, meta), 'table');
    expect(heads).toEqual(
      expect.arrayContaining(['tensor_name', 'rmse/scale', 'acc. RMSE', 'acc. max |err|']),
    );
  }, 60_000);
});
