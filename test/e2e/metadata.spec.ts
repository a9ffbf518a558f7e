/** MLTK model parameters (SL_PARAMSv1 metadata) are decoded and shown as key/value. */
import { expect, test } from './fixtures.ts';
import { expectedModel } from './expected.ts';
import { openApp, openModelFile, screenshot } from './app-page.ts';

test('rock_paper_scissors shows its MLTK model parameters (SL_PARAMSv1)', async ({ page }) => {
  const expected = await expectedModel('models', 'rock_paper_scissors.tflite');
  await openApp(page);
  await openModelFile(page, expected.path, 'rock_paper_scissors.tflite');
  const value = page.locator('[data-testid="metadata-value"][data-key="samplewise_norm.mean_and_std"]');
  await expect(value).toHaveText('true');
  await expect(page.locator('[data-testid="metadata-value"][data-key="samplewise_norm.rescale"]')).toHaveText(
    '0',
  );
  await expect(page.getByTestId('model-description')).toContainText('Rock/Paper/Scissors');
  await page.getByTestId('metadata-params').scrollIntoViewIfNeeded();
  await screenshot(page, 'rock_paper_scissors-metadata');
});
