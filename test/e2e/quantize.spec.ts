/**
 * Quantize view: quantize image_example1 (float .tflite) in the UI with uploaded PNG images (a
 * deterministic augmented set), watch the progress bar, read the report (flags follow the
 * thresholds on the real values, the thresholds are configurable), see the float vs int8
 * histogram, export the MLTK CSV and open the quantized model.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { augmentedPhotos } from '../core/quantize/calibration-data.ts';
import { openApp, openModelFile, screenshot } from './app-page.ts';

function pngImages(n: number): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'qs-e2e-quant-'));
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

const num = async (loc: import('@playwright/test').Locator) =>
  Number((await loc.textContent())?.replace(/,/g, ''));

test('quantize image_example1 with a progress bar, flagged layers in the report, CSV export, open the int8 model', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openApp(page);
  await openModelFile(
    page,
    fixturePath('float', 'image_example1.float32.tflite'),
    'image_example1.float32.tflite',
  );
  await page.getByTestId('view-quantize').click();
  await expect(page.getByTestId('quantize-view')).toBeVisible();
  await expect(page.getByTestId('q-use-current')).toBeChecked();
  await page.getByTestId('q-data-input').setInputFiles(pngImages(32));
  await expect(page.getByTestId('q-choose-data')).toHaveText(/32 files/);
  await page.getByTestId('q-method').selectOption('minmax');
  await page.getByTestId('q-run').click();

  const bar = page.getByTestId('progress');
  await expect(bar).toBeVisible();
  await expect(bar).toContainText(/Quantizing/);
  await expect(page.getByTestId('quant-report')).toBeVisible({ timeout: 120_000 });
  await expect(bar).toHaveCount(0);

  const rows = page.getByTestId('quant-row');
  await expect(rows).toHaveCount(8); // one per compute op of image_example1
  // The flag logic on the real values shown: rmse/scale > 0.7 or range > 255.
  const check = async (rmseLimit: number, rangeLimit: number) => {
    let flagged = 0;
    for (const r of await rows.all()) {
      const range = await num(r.locator('td').nth(5));
      const ratio = await num(r.locator('td').nth(6));
      const expected = ratio > rmseLimit || range > rangeLimit;
      await expect(r).toHaveAttribute('data-flagged', String(expected));
      if (expected) flagged++;
    }
    await expect(page.getByTestId('quant-flagged-count')).toHaveText(`${flagged} / 8`);
    return flagged;
  };
  const atDefault = await check(0.7, 255);
  await page.getByTestId('quant-rmse-limit').fill('0.3');
  const atTight = await check(0.3, 255);
  expect(atTight).toBeGreaterThan(0);
  expect(atTight).toBeGreaterThanOrEqual(atDefault);
  await expect(
    page.locator('[data-testid="quant-row"][data-flagged="true"]').first().getByTestId('flag-rmse'),
  ).toBeVisible();

  // Sort by rmse/scale, descending: the first row holds the largest value.
  await page.getByTestId('quant-sort-rmse_over_scale').click();
  const ratios = await Promise.all((await rows.all()).map((r) => num(r.locator('td').nth(6))));
  expect(ratios).toEqual([...ratios].sort((a, b) => b - a));

  await expect(page.getByTestId('chart-rmse')).toBeVisible();
  await expect(page.getByTestId('chart-range')).toBeVisible();
  await rows.first().click();
  await expect(page.getByTestId('quant-histogram')).toBeVisible();
  await expect(page.getByTestId('quant-metrics')).toContainText('top-1 agreement');
  await screenshot(page, 'quantize-report');

  const download = page.waitForEvent('download');
  await page.getByTestId('quant-export-csv').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('image_example1.int8-quantization.csv');
  const csv = readFileSync(await file.path(), 'utf8')
    .trim()
    .split('\n');
  expect(csv[0]).toBe(
    'op_name,tensor_idx,num_elements,stddev,mean_error,max_abs_error,mean_squared_error,scale,zero_point,tensor_name,range,rmse/scale',
  );
  expect(csv).toHaveLength(9);
  await expect(page.getByTestId('quant-exported')).toHaveText('image_example1.int8-quantization.csv');

  await page.getByTestId('quant-open-model').click();
  await expect(page.getByTestId('header-model')).toHaveText('image_example1.int8.tflite');
  await expect(page.getByTestId('model-view')).toBeVisible();
});

test('quantizing the Keras .h5 chosen as a file can be cancelled from the progress bar', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await openModelFile(
    page,
    fixturePath('float', 'image_example1.float32.tflite'),
    'image_example1.float32.tflite',
  );
  await page.getByTestId('view-quantize').click();
  await page.getByTestId('q-model-input').setInputFiles(fixturePath('float', 'image_example1.h5'));
  await expect(page.getByTestId('q-choose-model')).toHaveText('image_example1.h5');
  await page.getByTestId('q-data-input').setInputFiles(pngImages(64));
  await page.getByTestId('q-run').click();
  const bar = page.getByTestId('progress');
  // The calibration stage shows for about half a second on a quiet machine, no longer than the
  // retry interval of expect(…).toContainText, which could poll before and after it and then fail
  // on the finished job: watch the bar on every animation frame instead.
  await page.waitForFunction(
    () => /Calibrating/.test(document.querySelector('[data-testid="progress"]')?.textContent ?? ''),
    null,
    { polling: 'raf', timeout: 60_000 },
  );
  await bar.getByRole('button', { name: 'Cancel' }).click();
  await expect(bar).toHaveCount(0);
  await expect(page.getByTestId('error-banner')).toHaveCount(0); // a cancel is not an error
  await expect(page.getByTestId('quant-report')).toHaveCount(0);
  await expect(page.getByTestId('q-run')).toBeEnabled();
});

test('the Quantize and Report buttons look disabled until they can run, and say what is missing', async ({
  page,
}) => {
  await openApp(page); // the bundled person_detect: int8, so the view reports against a float model
  await page.getByTestId('view-quantize').click();
  const looks = (id: string) =>
    page.getByTestId(id).evaluate((b) => ({
      opacity: Number(getComputedStyle(b).opacity),
      cursor: getComputedStyle(b).cursor,
    }));
  // rule: a disabled primary button does not look like one a click would run, and its tooltip names what is missing
  await expect(page.getByTestId('q-report')).toBeDisabled();
  expect(await looks('q-report')).toEqual({ opacity: 0.45, cursor: 'not-allowed' });
  await expect(page.getByTestId('q-report')).toHaveAttribute(
    'title',
    'Choose the float model and the representative data first',
  );

  await openModelFile(page, fixturePath('float', 'hello_world_float.tflite'), 'hello_world_float.tflite');
  await page.getByTestId('view-quantize').click();
  await expect(page.getByTestId('q-run')).toBeDisabled();
  expect(await looks('q-run')).toEqual({ opacity: 0.45, cursor: 'not-allowed' });
  await expect(page.getByTestId('q-run')).toHaveAttribute('title', 'Choose the representative data first');
  // once the data is chosen it can run, and looks it
  await page
    .getByTestId('q-data-input')
    .setInputFiles(resolve(import.meta.dirname, '../../examples/hello_world_x.csv'));
  await expect(page.getByTestId('q-run')).toBeEnabled();
  expect((await looks('q-run')).opacity).toBe(1);
  await expect(page.getByTestId('q-run')).toHaveAttribute('title', /^Quantize the float model/);
  // rule: a max samples value the host cannot take is said on the button, in the words of the form
  // (it came back from the host as 'quantize.run: "maxSamples" must be an integer in 1..100000')
  await page.getByTestId('q-max-samples').fill('');
  await expect(page.getByTestId('q-run')).toBeDisabled();
  await expect(page.getByTestId('q-run')).toHaveAttribute(
    'title',
    'max samples must be a whole number from 1 to 100000 (the box is empty)',
  );
  await page.getByTestId('q-max-samples').fill('50');
  await expect(page.getByTestId('q-run')).toBeEnabled();
});

test('an int8 model quantized elsewhere: report it against its float model', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await openModelFile(page, fixturePath('float', 'image_example1.int8.tflite'), 'image_example1.int8.tflite');
  await page.getByTestId('view-quantize').click();
  await expect(page.getByTestId('q-use-current')).toBeDisabled();
  await page
    .getByTestId('q-model-input')
    .setInputFiles(fixturePath('float', 'image_example1.float32.tflite'));
  await page.getByTestId('q-data-input').setInputFiles(pngImages(16));
  await page.getByTestId('q-report').click();
  await expect(page.getByTestId('quant-report')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('quant-row')).toHaveCount(8);
  await expect(page.getByTestId('quant-open-model')).toHaveCount(0); // nothing new to open
  // The official model's output layer quantizes badly on this data (its range was calibrated elsewhere).
  const fc = page.locator('[data-testid="quant-row"]', { hasText: 'FULLY_CONNECTED' });
  await expect(fc).toHaveAttribute('data-flagged', 'true');
  await expect(page.getByTestId('advice-link').first()).toBeVisible();
  await page.getByTestId('advice-link').first().click();
  await expect(page.locator('[data-testid="quant-row"].selected')).toHaveCount(1);
  await screenshot(page, 'quantize-report-int8');
});
