/**
 * Results stay (issue 19 #5): a model's simulation and profile are kept for the session when another
 * model is opened and shown again when it comes back; a banner from an earlier action is cleared
 * when the next action starts.
 */
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { expectVerdict, openApp, openModelFile } from './app-page.ts';

test('simulation and profile survive a model switch; a stale banner goes with the next action', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openApp(page); // the bundled person_detect
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');

  // rule: a stale banner is cleared by the next action — first make one (a file that does not fit)
  await page.getByTestId('view-simulate').click();
  await page
    .getByTestId('sim-file-input')
    .setInputFiles(fixturePath('data', 'mltk_yes_features_int8_49x40.npy'));
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('error-banner')).toBeVisible();
  await page
    .getByTestId('sim-file-input')
    .setInputFiles(fixturePath('data', 'tflm_person_gray_u8_96x96.npy'));
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await expect(page.getByTestId('progress')).toHaveCount(0);
  const rows = await page.getByTestId('sim-row').count();
  expect(rows).toBeGreaterThan(20);
  await expect(page.getByTestId('top-class')).toHaveAttribute('data-index', '1');

  await page.getByTestId('view-board').click();
  const card = page.locator('[data-testid="board-card"][data-board-id="virtual"]');
  await card.click();
  await page.getByTestId('board-profile').click();
  await expectVerdict(page, 60_000);
  const verdict = await page.getByTestId('compare-verdict').textContent();

  // Another model, then back to person_detect.
  await openModelFile(
    page,
    fixturePath('models', 'micro_speech_quantized.tflite'),
    'micro_speech_quantized.tflite',
  );
  await page.getByTestId('view-simulate').click();
  await expect(page.getByTestId('sim-row')).toHaveCount(0);
  await openModelFile(page, fixturePath('models', 'person_detect.tflite'), 'person_detect.tflite');

  // rule: per-model results are kept for the session across model switches
  await page.getByTestId('view-simulate').click();
  await expect(page.getByTestId('sim-row')).toHaveCount(rows);
  await expect(page.getByTestId('top-class')).toHaveAttribute('data-index', '1');
  await expect(page.getByTestId('sim-choose')).toHaveText('tflm_person_gray_u8_96x96.npy');
  await page.getByTestId('view-board').click();
  await expect(page.getByTestId('compare-verdict')).toHaveText(verdict ?? '');
});
