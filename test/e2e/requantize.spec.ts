/**
 * Selective quantization in the report view (MLTK's image_example1.float32.tflite with 32 augmented
 * grey photos as PNG files; kws_cnn.keras until issue 16's GlobalAveragePooling2D → MEAN left no
 * single layer whose float fallback helps it): tick a layer to
 * keep in float, Re-quantize, read BEFORE and AFTER side by side (model-level metrics, flash and
 * arena, each layer's type/scale/rmse-scale), Discard keeps the old result; then Suggest with an RMSE
 * target ticks the layer it proposes, Apply shows its result and Keep makes it the report; an
 * unreachable target says so, and Cancel on the progress bar stops a Suggest.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { writePhotoPngs } from '../helpers/photo-pngs.ts';
import { openApp, openModelFile, screenshot } from './app-page.ts';

const num = async (loc: Locator) => Number((await loc.textContent())?.trim().replace(/,/g, ''));
/** The report row of a layer, by its tensor name (third cell). */
const row = (page: Page, name: string) =>
  page
    .getByTestId('quant-row')
    .filter({ has: page.locator('td:nth-child(3)', { hasText: new RegExp(`^${name}$`) }) });
/** The float model open in the Quantize view with the 32 photos chosen as its data. */
async function quantizeView(page: Page) {
  await openModelFile(
    page,
    fixturePath('float', 'image_example1.float32.tflite'),
    'image_example1.float32.tflite',
  );
  await page.getByTestId('view-quantize').click();
  const photos = writePhotoPngs(mkdtempSync(join(tmpdir(), 'qs-e2e-requant-')), 32, 21);
  await page.getByTestId('q-data-input').setInputFiles(photos);
}
/** The average pool whose float32 or int16 fallback lowers image_example1's output error most. */
const POOL = 'image_example1/average_pooling2d/AvgPool';
const metric = (page: Page, key: string) => page.getByTestId(`ba-metric-${key}`).locator('td');

test('tick → re-quantize → before/after, discard; Suggest → apply → keep', async ({ page }) => {
  test.setTimeout(180_000);
  await openApp(page);
  await quantizeView(page);
  await page.getByTestId('q-run').click();
  await expect(page.getByTestId('quant-report')).toBeVisible({ timeout: 90_000 });
  const rmseCard = page.getByTestId('quant-metrics').locator('.metric').first().locator('b');
  const int8Rmse = await num(rmseCard);
  expect(int8Rmse).toBeGreaterThan(0);

  // rule: ticking a layer counts it; Re-quantize runs with it and shows before/after side by side
  await row(page, POOL).getByTestId('tick-float').check();
  await expect(page.getByTestId('req-ticked')).toHaveText('1 keep float · 0 int16');
  await page.getByTestId('req-run').click();
  const ba = page.getByTestId('before-after');
  await expect(ba).toBeVisible({ timeout: 60_000 });
  expect(await num(metric(page, 'rmse').nth(1))).toBe(int8Rmse);
  const after = await num(metric(page, 'rmse').nth(2));
  expect(after).toBeLessThan(int8Rmse); // the pool in float lowers the output error
  // rule: flash and arena of both choices are shown (a float layer costs arena: float32 tensors)
  const arenaBefore = await num(page.getByTestId('ba-arena').locator('td').nth(1));
  const arenaAfter = await num(page.getByTestId('ba-arena').locator('td').nth(2));
  expect(arenaBefore).toBeGreaterThan(0);
  expect(arenaAfter).toBeGreaterThan(arenaBefore);
  expect(await num(page.getByTestId('ba-flash').locator('td').nth(2))).toBeGreaterThan(0);
  // rule: per layer, exactly the ticked one changes type, with scale and rmse/scale before/after
  const changed = page.locator('[data-testid="ba-layer"][data-changed="true"]');
  await expect(changed).toHaveCount(1);
  await expect(changed.locator('td').nth(1)).toHaveText('int8 → float32');
  await expect(page.getByTestId('ba-layer')).toHaveCount(8); // one per compute op of image_example1
  await screenshot(page, 'quantize-before-after');

  // rule: the previous result stays until the user decides; Discard keeps it and resets the ticks
  expect(await num(rmseCard)).toBe(int8Rmse);
  await page.getByTestId('ba-discard').click();
  await expect(ba).toHaveCount(0);
  await expect(page.getByTestId('req-ticked')).toHaveText('0 keep float · 0 int16');
  expect(await num(rmseCard)).toBe(int8Rmse);

  // rule: Suggest with a target ticks the layers it proposes and Apply shows them before/after
  await page.getByTestId('req-target-kind').selectOption('rmse');
  await page.getByTestId('req-target').fill('0.011');
  await page.getByTestId('req-mode').selectOption('float');
  await page.getByTestId('req-suggest').click();
  const verdict = page.getByTestId('req-suggestion');
  await expect(verdict).toBeVisible({ timeout: 90_000 });
  await expect(verdict).toHaveAttribute('data-met', 'true');
  await expect(verdict).toContainText(/meets? RMSE ≤ 0\.011/);
  await expect(row(page, POOL).getByTestId('tick-float')).toBeChecked();
  await expect(page.getByTestId('req-ticked')).toHaveText(/^[1-9]\d* keep float · 0 int16$/);
  await page.getByTestId('req-apply').click();
  await expect(ba).toBeVisible();
  const suggested = await num(metric(page, 'rmse').nth(2));
  expect(suggested).toBeLessThanOrEqual(0.011);
  // rule: Keep makes the new result the report (its metrics replace the old ones)
  await page.getByTestId('ba-keep').click();
  await expect(ba).toHaveCount(0);
  expect(await num(rmseCard)).toBe(suggested);
  await expect(row(page, POOL).getByTestId('tick-float')).toBeChecked();
});

test('a Suggest target nothing meets says so; Cancel stops a Suggest', async ({ page }) => {
  test.setTimeout(180_000);
  await openApp(page);
  await quantizeView(page);
  await page.getByTestId('q-run').click();
  await expect(page.getByTestId('quant-report')).toBeVisible({ timeout: 90_000 });
  await page.getByTestId('req-target-kind').selectOption('snr');
  await page.getByTestId('req-target').fill('200');
  await page.getByTestId('req-suggest').click();
  // rule: an unreachable target is named as not met after every candidate was tried
  const verdict = page.getByTestId('req-suggestion');
  await expect(verdict).toBeVisible({ timeout: 120_000 });
  await expect(verdict).toHaveAttribute('data-met', 'false');
  await expect(verdict).toContainText('Adding layers in float32 one at a time does not meet SNR ≥ 200 dB');
  await expect(page.getByTestId('before-after')).toHaveCount(0);
  // rule: what it found is offered only as the best found, not as meeting the target
  await expect(page.getByTestId('req-apply')).toHaveText('Apply best found (target not met)');

  // rule: Suggest runs its re-quantizations as jobs with the progress bar, and Cancel stops it
  await page.getByTestId('req-suggest').click();
  await expect(page.getByTestId('req-status')).toContainText('Suggest step');
  const bar = page.getByTestId('progress');
  await expect(bar).toBeVisible();
  await bar.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('req-status')).toHaveCount(0);
  await expect(page.getByTestId('error-banner')).toHaveCount(0); // a cancel is not an error
  await expect(verdict).toHaveCount(0);
  await expect(page.getByTestId('req-suggest')).toBeEnabled();
});

test('advice as buttons: raw pixels → "Re-quantize with mean/std normalization" → before/after → keep', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openApp(page);
  await quantizeView(page);
  // rule: with normalization off, the 0–255 photos reach the input raw, and the advice says so with
  // the changes that fix it as buttons (not CLI text to retype)
  await page.getByTestId('q-norm').selectOption('none');
  await page.getByTestId('q-run').click();
  await expect(page.getByTestId('quant-report')).toBeVisible({ timeout: 90_000 });
  const inputAdvice = page.getByTestId('quant-advice').locator('li', { hasText: /not about \[-1, 1\]/ });
  await expect(inputAdvice).toHaveCount(1);
  const fix = inputAdvice.getByTestId('advice-apply').first();
  await expect(inputAdvice.getByTestId('advice-apply')).toHaveText([
    'Re-quantize with mean/std normalization',
    'Re-quantize with input ÷ 255',
  ]);
  await expect(page.getByTestId('quant-report')).toContainText('no normalization');
  // rule: the button re-quantizes with that normalization; the result waits beside the old one
  await fix.click();
  const ba = page.getByTestId('before-after');
  await expect(ba).toBeVisible({ timeout: 90_000 });
  await page.getByTestId('ba-keep').click();
  await expect(ba).toHaveCount(0);
  // rule: kept, the report is the normalized one and the input advice is gone
  await expect(page.getByTestId('quant-report')).toContainText('mean/std normalization');
  await expect(
    page.getByTestId('quant-advice').locator('li', { hasText: /not about \[-1, 1\]/ }),
  ).toHaveCount(0);
  await screenshot(page, 'quantize-advice-applied');
});

// rule: a Cancel clicked as a Suggest step's job finishes (its result already on the way) still
// stops the Suggest: that result is dropped and no further step starts. The host's messages are
// held from the moment the step runs until Cancel was clicked, so the order is certain.
test('Cancel as a Suggest step finishes: the step result is dropped and no further step runs', async ({
  page,
}) => {
  test.setTimeout(180_000);
  let hold = false;
  const held: string[] = [];
  let release = (): void => {};
  await page.routeWebSocket(/\/api\?/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((m) => (hold ? held.push(String(m)) : ws.send(m)));
    release = () => {
      hold = false;
      for (const m of held.splice(0)) ws.send(m);
    };
  });
  await openApp(page);
  await quantizeView(page);
  await page.getByTestId('q-run').click();
  await expect(page.getByTestId('quant-report')).toBeVisible({ timeout: 90_000 });
  await page.getByTestId('req-target-kind').selectOption('snr');
  await page.getByTestId('req-target').fill('200'); // unreachable: Suggest would try every candidate
  await page.getByTestId('req-suggest').click();
  await expect(page.getByTestId('req-status')).toContainText('Suggest step 1');
  hold = true;
  // the step's re-quantization finishes on the host; its result waits in `held`
  await expect
    .poll(() => held.some((m) => m.includes('"kind":"result"') && m.includes('"report"')), {
      timeout: 90_000,
    })
    .toBe(true);
  const bar = page.getByTestId('progress');
  await bar.getByRole('button', { name: 'Cancel' }).click();
  await expect(bar).toContainText('Cancelling…');
  release();
  await expect(page.getByTestId('req-status')).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId('error-banner')).toHaveCount(0); // a cancel is not an error
  await expect(page.getByTestId('req-suggestion')).toHaveCount(0);
  // nothing goes on behind the scenes: no second step, no verdict, a while later
  await page.waitForTimeout(3000);
  await expect(page.getByTestId('req-status')).toHaveCount(0);
  await expect(page.getByTestId('req-suggestion')).toHaveCount(0);
  await expect(page.getByTestId('req-suggest')).toBeEnabled();
});
