/**
 * History (issue 19 "results stay"): profiles on two boards are kept for the session by model,
 * survive a switch to another model, are listed in the History view, reopen in the Board view and
 * compare side by side (per-layer time — no ratio across scales — and output differences); after a
 * quantization the graph's rmse/scale overlay draws the report, also on the int8 model it made.
 * Both window sizes of the issue: 1400×900 and 1024×768.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { augmentedPhotos } from '../core/quantize/calibration-data.ts';
import { hostUrl, openApp, openModelFile, screenshot } from './app-page.ts';
import type { Page } from '@playwright/test';

const SPEECH = 'micro_speech_quantized.tflite';

function pngImages(n: number): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'qs-e2e-hist-'));
  return augmentedPhotos(96, n, 21).map((p, k) => {
    const png = new PNG({ width: 96, height: 96 });
    for (let i = 0; i < 96 * 96; i++) {
      const v = Math.round(p[i]);
      png.data.set([v, v, v, 255], i * 4);
    }
    const path = join(dir, `sample_${String(k).padStart(2, '0')}.png`);
    writeFileSync(path, PNG.sync.write(png));
    return path;
  });
}

/**
 * A copy of a .tflite whose description string ends in `tag` instead of its full stop: the same
 * model with other bytes, so the session's results (kept by content for the whole run of the web
 * host) hold nothing for it yet.
 */
function freshCopy(path: string, tag: string): string {
  const bytes = readFileSync(path);
  const mark = Buffer.from('Converted.');
  const at = bytes.indexOf(mark);
  if (at < 0) throw new Error(`${path}: no "Converted." description to tag`);
  Buffer.from(tag.slice(-1)).copy(bytes, at + mark.length - 1);
  const out = join(mkdtempSync(join(tmpdir(), 'qs-e2e-fresh-')), basename(path));
  writeFileSync(out, bytes);
  return out;
}

/** The app with its start-up model; below 1400 px the file panel starts hidden (openApp expects it shown). */
async function start(page: Page, width: number): Promise<void> {
  if (width >= 1400) return openApp(page);
  await page.goto(hostUrl());
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite', { timeout: 30_000 });
  await expect(page.getByTestId('progress')).toHaveCount(0, { timeout: 30_000 });
}

for (const viewport of [
  { width: 1400, height: 900 },
  { width: 1024, height: 768 },
]) {
  test.describe(`at ${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport });

    test('profiles survive a model switch, are listed in History, reopen, and compare side by side', async ({
      page,
    }) => {
      test.setTimeout(180_000);
      await start(page, viewport.width);
      await openModelFile(page, fixturePath('models', SPEECH), SPEECH);

      // board A: the virtual board; board B: the emulated Cortex-M3 — same input (seed 7)
      await page.getByTestId('view-board').click();
      const profileOn = async (board: string) => {
        await page.locator(`[data-testid="board-card"][data-board-id="${board}"]`).click();
        await page.getByTestId('board-seed').fill('7');
        await page.getByTestId('board-profile').click();
        await expect(page.getByTestId('progress')).toHaveCount(0, { timeout: 150_000 });
        await expect(page.getByTestId('compare-verdict')).toHaveText(/All \d+ layers match/);
      };
      await profileOn('virtual');
      const virtualVerdict = await page.getByTestId('compare-verdict').textContent();
      await profileOn('qemu');

      // the two profiles just made: the newest two of this model in History (the web host serves
      // every spec of the run, so older results of other specs may be listed too)
      await page.getByTestId('view-history').click();
      const own = page.locator('[data-testid="history-entry"]:has([data-testid="history-open"])');
      await expect(own.first()).toBeVisible();
      const [idB, idA] = [await own.nth(0).getAttribute('data-id'), await own.nth(1).getAttribute('data-id')];
      const entry = (id: string | null) => page.locator(`[data-testid="history-entry"][data-id="${id}"]`);

      // another model, then back
      await openModelFile(page, fixturePath('models', 'hello_world_int8.tflite'), 'hello_world_int8.tflite');
      await page.getByTestId('view-history').click();
      // rule: another model's History lists this session's results under "Other models", not as its own
      for (const id of [idA, idB]) {
        await expect(entry(id)).toBeVisible();
        await expect(entry(id).getByTestId('history-open')).toHaveCount(0);
        await expect(entry(id)).toContainText(SPEECH);
      }
      await openModelFile(page, fixturePath('models', SPEECH), SPEECH);

      // rule: results survive a model switch — both profiles are this model's again, newest first
      await page.getByTestId('view-history').click();
      await expect(own.nth(0)).toHaveAttribute('data-id', idB ?? '');
      await expect(own.nth(1)).toHaveAttribute('data-id', idA ?? '');
      for (const id of [idA, idB]) {
        await expect(entry(id)).toHaveAttribute('data-kind', 'profile');
        await expect(entry(id).getByTestId('history-label')).toContainText('seed 7');
      }
      // the headline is the profile's verdict
      await expect(entry(idA).getByTestId('history-headline')).toHaveText(/all 4 layers match/i);
      const nameA = (await entry(idA).getByTestId('history-label').textContent()) ?? '';
      const nameB = (await entry(idB).getByTestId('history-label').textContent()) ?? '';
      expect(nameA).not.toBe(nameB); // two different boards

      // rule: two profiles compare side by side: every layer's outputs, time only on one scale
      await expect(page.getByTestId('history-compare')).toBeDisabled();
      await entry(idA).getByTestId('history-pick').check(); // A: the virtual board
      await entry(idB).getByTestId('history-pick').check(); // B: the M3
      await page.getByTestId('history-compare').click();
      const sbs = page.getByTestId('side-by-side');
      await expect(sbs).toBeVisible();
      await expect(page.getByTestId('sbs-row')).toHaveCount(4); // micro_speech's 4 ops
      // both boards run the reference core: identical outputs on every layer
      await expect(page.getByTestId('sbs-verdict')).toHaveText(
        '✓ Outputs identical on all 4 compared layers',
      );
      await expect(page.getByTestId('sbs-differ').first()).toHaveText(/^0 \/ \d/);
      // host µs on the virtual board and QEMU instructions are not one scale: no ratio, a note
      await expect(page.getByTestId('sbs-timing')).toContainText(
        /not comparable: host µs .* vs instructions/,
      );
      await expect(page.getByTestId('sbs-ratio')).toHaveText(['–', '–', '–', '–']);
      await expect(page.getByTestId('sbs-a')).toContainText(nameA);
      await expect(page.getByTestId('sbs-b')).toContainText(nameB);

      // rule: the side-by-side table keeps every column: it scrolls sideways when narrow
      const cut = await sbs
        .getByRole('columnheader')
        .evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent));
      expect(cut).toEqual([]);
      await screenshot(page, `history-compare-${viewport.width}`);

      // rule: a kept result reopens in its own view
      await entry(idA).getByTestId('history-open').click();
      await expect(page.getByTestId('compare-verdict')).toBeVisible();
      await expect(page.getByTestId('compare-verdict')).toHaveText(virtualVerdict ?? '');
    });

    test('after a quantization the graph colours by rmse/scale, on the float model and the int8 model made', async ({
      page,
    }) => {
      test.setTimeout(180_000);
      await start(page, viewport.width);
      // rule: the rmse/scale overlay without a report says so — on the bundled person_detect, which no
      // spec quantizes (the web host keeps results for the whole run: image_example1 may have a report
      // from an earlier spec by now)
      await page.getByTestId('view-model').click();
      await page.getByTestId('tab-graph').click();
      await page.getByTestId('graph-overlay').selectOption('rmse');
      await expect(page.getByTestId('graph-overlay-empty')).toContainText('No quantization report');
      await openModelFile(
        page,
        fixturePath('float', 'image_example1.float32.tflite'),
        'image_example1.float32.tflite',
      );

      await page.getByTestId('view-quantize').click();
      await page.getByTestId('q-data-input').setInputFiles(pngImages(16));
      await page.getByTestId('q-method').selectOption('minmax');
      await page.getByTestId('q-run').click();
      await expect(page.getByTestId('quant-report')).toBeVisible({ timeout: 120_000 });
      const rmse = (await page
        .getByTestId('quant-row')
        .evaluateAll((rows) =>
          rows.map((r) => [Number(r.children[0].textContent), Number(r.children[6].textContent)]),
        )) as [number, number][];
      expect(rmse).toHaveLength(8);

      // rule: the overlay draws every int8 layer's rmse/scale with a legend naming the report
      await page.getByTestId('view-model').click();
      await page.getByTestId('tab-graph').click();
      await page.getByTestId('graph-overlay').selectOption('none');
      await page.getByTestId('graph-overlay').selectOption('rmse');
      const drawn = page.locator('rect.box[data-overlay-value]');
      await expect(drawn).toHaveCount(8);
      await expect(page.getByTestId('graph-legend')).toBeVisible();
      await screenshot(page, `graph-rmse-overlay-${viewport.width}`);
      await expect(page.getByTestId('graph-overlay-source')).toHaveText(
        'from quantized · minmax; MLTK flags above 0.7',
      );
      // the legend's ends are the report's smallest and largest rmse/scale (as the table rounds them)
      const values = rmse.map(([, v]) => v);
      const legendMax = Number(await page.getByTestId('graph-legend-max').textContent());
      expect(legendMax).toBeCloseTo(Math.max(...values), 2);
      const node0 = Number(
        await page
          .locator('[data-testid="graph-node"][data-layer="0"] rect.box')
          .getAttribute('data-overlay-value'),
      );
      expect(node0).toBeCloseTo(rmse.find(([i]) => i === 0)![1], 2);

      // rule: the int8 model the run made finds the kept report (the session's results, by content)
      await page.getByTestId('view-quantize').click();
      await page.getByTestId('quant-open-model').click();
      await expect(page.getByTestId('header-model')).toHaveText(/int8|quant/i);
      await page.getByTestId('tab-graph').click();
      await page.getByTestId('graph-overlay').selectOption('rmse');
      await expect(drawn).toHaveCount(8);
      await page.getByTestId('view-history').click();
      // rule: the int8 model's History lists the quantization that made it as its own
      const own = page.locator('[data-testid="history-entry"]:has([data-testid="history-open"])');
      await expect(own.first()).toHaveAttribute('data-kind', 'quantization');
      await expect(own.first().getByTestId('history-label')).toHaveText('quantized · minmax');
    });

    test('the rmse/scale overlay chosen before a quantization colours the nodes when it ends, without choosing it again', async ({
      page,
    }) => {
      test.setTimeout(120_000);
      await start(page, viewport.width);
      // The Graph tab is already open when the float model opens, so the graph is drawn before the
      // model's Quantize view exists (the order in which the overlay used to miss the report).
      await page.getByTestId('view-model').click();
      await page.getByTestId('tab-graph').click();
      const fresh = freshCopy(fixturePath('float', 'hello_world_float.tflite'), `${viewport.width}`);
      await openModelFile(page, fresh, 'hello_world_float.tflite');
      await page.getByTestId('graph-overlay').selectOption('rmse');
      await expect(page.getByTestId('graph-overlay-empty')).toContainText('No quantization report');
      await page.getByTestId('view-quantize').click();
      await page
        .getByTestId('q-data-input')
        .setInputFiles(resolve(import.meta.dirname, '../../examples/hello_world_x.csv'));
      await page.getByTestId('q-method').selectOption('minmax');
      await page.getByTestId('q-run').click();
      await expect(page.getByTestId('quant-report')).toBeVisible({ timeout: 60_000 });
      const rmse = (await page
        .getByTestId('quant-row')
        .evaluateAll((rows) =>
          rows.map((r) => [Number(r.children[0].textContent), Number(r.children[6].textContent)]),
        )) as [number, number][];
      expect(rmse.length).toBeGreaterThan(0);

      // rule: an overlay chosen before the model had a report draws the report as soon as the
      // quantization ends — the user does not choose it again (issue 19: overlays on the graph)
      await page.getByTestId('view-model').click();
      await expect(page.getByTestId('graph-overlay')).toHaveValue('rmse');
      await expect(page.getByTestId('graph-overlay-source')).toHaveText(
        'from quantized · minmax; MLTK flags above 0.7',
      );
      await expect(page.locator('rect.box[data-overlay-value]')).toHaveCount(rmse.length);
      for (const [layer, value] of rmse) {
        const drawn = await page
          .locator(`[data-testid="graph-node"][data-layer="${layer}"] rect.box`)
          .getAttribute('data-overlay-value');
        expect(Number(drawn)).toBeCloseTo(value, 2); // the table rounds to its shown digits
      }
    });
  });
}
