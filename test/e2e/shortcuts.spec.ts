/** Keyboard path through the main actions (issue 19 item 7): open, run, profile, export, and their list. */
import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures.ts';
import { expectVerdict, openApp } from './app-page.ts';
import { fixturePath } from '../helpers/fixtures.ts';

test('? lists the shortcuts; R runs, Shift+P profiles, E exports — without the mouse', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page); // starts on the bundled person_detect example
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');

  // rule: the shortcuts are documented in the UI (? opens the list, Esc closes it)
  await page.keyboard.press('?');
  const help = page.getByTestId('shortcuts-help');
  await expect(help).toBeVisible();
  for (const action of ['Open a model', 'Run on the host', 'Profile on the chosen board', 'Export'])
    await expect(help).toContainText(action);
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);

  // The one input for the model, chosen once (shared by Simulate and Board).
  await page.keyboard.press('s');
  await page
    .getByTestId('sim-file-input')
    .setInputFiles(fixturePath('data', 'tflm_person_gray_u8_96x96.npy'));
  await page.getByTestId('view-model').click();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // focus off any input

  // rule: R runs the model on the host from any view
  await page.keyboard.press('r');
  await expect(page.getByTestId('simulate-view')).toBeVisible();
  await expect(page.getByTestId('sim-elapsed')).toBeVisible({ timeout: 60_000 });

  // rule: Shift+P profiles on the chosen board (the virtual board by default)
  await page.getByTestId('view-model').click();
  await page.keyboard.press('Shift+P');
  await expectVerdict(page, 60_000);
  await expect(page.getByTestId('progress')).toHaveCount(0);

  // rule: E exports the comparison as an HTML report (a download in the browser)
  const downloading = page.waitForEvent('download');
  await page.keyboard.press('e');
  const file = await (await downloading).path();
  expect(readFileSync(file, 'utf8')).toMatch(/<html/i);
  await expect(page.getByTestId('exported')).toBeVisible();
});
