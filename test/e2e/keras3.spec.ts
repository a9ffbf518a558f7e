/**
 * Keras 3 in the UI: open kws_cnn.keras through the browser file input, quantize it in the
 * Quantize view with its 8 MFCC .npy samples, read the report and open the int8 model.
 */
import { readdirSync } from 'node:fs';
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { openApp, openModelFile } from './app-page.ts';

// Rule: a .keras opened in the app is a float model the Quantize view takes as it is.
test('quantize kws_cnn.keras from the Quantize view and open the int8 model', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page);
  await openModelFile(page, fixturePath('keras3', 'kws_cnn.keras'), 'kws_cnn.keras');
  await page.getByTestId('view-quantize').click();
  await expect(page.getByTestId('q-use-current')).toBeChecked();
  const dir = fixturePath('keras3', 'kws_cnn_samples');
  const files = readdirSync(dir).map((f) => `${dir}/${f}`);
  await page.getByTestId('q-data-input').setInputFiles(files);
  await expect(page.getByTestId('q-choose-data')).toHaveText(/8 files/);
  await page.getByTestId('q-run').click();
  await expect(page.getByTestId('quant-report')).toBeVisible({ timeout: 90_000 });
  // one row per op: 3 CONV_2D, 2 MAX_POOL_2D, MEAN (the global pool, lowered as TFLite's
  // converter does), 2 FULLY_CONNECTED, SOFTMAX
  await expect(page.getByTestId('quant-row')).toHaveCount(9);
  await expect(page.getByTestId('quant-metrics')).toContainText('top-1 agreement');
  await page.getByTestId('quant-open-model').click();
  await expect(page.getByTestId('header-model')).toHaveText('kws_cnn.int8.tflite');
  await expect(page.getByTestId('core-verdict')).toHaveAttribute('data-runs', 'true');
});

// Rule: the Quantize view's interior choice reaches the quantizer: by default kws_cnn's Dense +
// softmax head (a Keras layer lowered to two ops) runs its inside in int16 and the report names it
// with its cost; "all int8, as the TFLite converter" quantizes without it and the line is gone;
// back to the default, it is there again.
test('the multi-op layer interior: int16 by default, all int8 on request', async ({ page }) => {
  test.setTimeout(180_000);
  await openApp(page);
  await openModelFile(page, fixturePath('keras3', 'kws_cnn.keras'), 'kws_cnn.keras');
  await page.getByTestId('view-quantize').click();
  const dir = fixturePath('keras3', 'kws_cnn_samples');
  await page.getByTestId('q-data-input').setInputFiles(readdirSync(dir).map((f) => `${dir}/${f}`));
  await expect(page.getByTestId('q-choose-data')).toHaveText(/8 files/);
  await page.getByTestId('q-method').selectOption('minmax');
  const interior = page.getByTestId('q-interior');
  await expect(interior).toHaveValue('int16');
  await expect(interior.locator('option:checked')).toHaveText('int16 inside multi-op layers (default)');
  const line = page.getByTestId('quant-interior');
  const run = page.getByTestId('q-run');
  // each wait lasts until that run's report is shown (a click waits for the button to be enabled)
  const slow = { timeout: 90_000 };
  await run.click();
  await expect(line).toContainText(
    /int16 interior in output_softmax \(\+\d+ B model, \+\d+ B arena over all-int8\)/,
    slow,
  );
  await interior.selectOption({ label: 'all int8, as the TFLite converter' });
  await run.click();
  await expect(line).toHaveCount(0, slow);
  await expect(run).toBeEnabled(slow);
  await expect(page.getByTestId('quant-row')).toHaveCount(9);
  await interior.selectOption('int16');
  await run.click();
  await expect(line).toContainText('int16 interior in output_softmax', slow);
});
