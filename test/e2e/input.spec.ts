/**
 * One input, visible everywhere (issue 19 #1): the model's input choice is shared by the Simulate
 * and Board views, shown with its exact reading and a preview, checked against the model's input
 * when picked; a uint8 .npy on an int8 input is read as int8 bytes by default (how TFLite Micro's
 * person_detection test feeds its images), and the user's choice is remembered for the model.
 */
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { openApp, screenshot } from './app-page.ts';

const PERSON = 'tflm_person_gray_u8_96x96.npy';

test('the bundled person image gives "person" by default, with the reading and a preview shown', async ({
  page,
}) => {
  await openApp(page); // starts on the bundled person_detect example
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
  await page.getByTestId('view-simulate').click();
  await page.getByTestId('sim-file-input').setInputFiles(fixturePath('data', PERSON));
  // rule: the reading is stated; default for a uint8 .npy on an int8 input is int8 bytes
  await expect(page.getByTestId('sim-reading')).toContainText('reading: int8 bytes');
  await expect(page.getByTestId('sim-u8-mode')).toHaveValue('bytes');
  // rule: an image-shaped input ([1, 96, 96, 1]) is previewed as a picture
  await expect(page.getByTestId('sim-input-preview')).toHaveAttribute('data-kind', 'image');
  await expect(page.getByTestId('sim-input-preview').locator('canvas')).toBeVisible();
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('progress')).toHaveCount(0);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  // rule: the default gives the right answer — TFLM person_detection: class 1 = person
  await expect(page.getByTestId('top-class')).toHaveAttribute('data-index', '1');
  await screenshot(page, 'input-person-default');

  // rule: one input per model — the Board view shows the same file and reading
  await page.getByTestId('view-board').click();
  await expect(page.getByTestId('board-choose')).toHaveText(PERSON);
  await expect(page.getByTestId('board-reading')).toContainText('reading: int8 bytes');
  // rule: a choice made in one view is the choice of the other (pixels → scale/zp)
  await page.getByTestId('board-u8-mode').selectOption('affine');
  await page.getByTestId('view-simulate').click();
  await expect(page.getByTestId('sim-u8-mode')).toHaveValue('affine');
  await expect(page.getByTestId('sim-reading')).toContainText('pixels 0–255 → scale/zp');
  // rule: the user's choice is remembered for the model: a new pick keeps it
  await page
    .getByTestId('sim-file-input')
    .setInputFiles(fixturePath('data', 'tflm_no_person_gray_u8_96x96.npy'));
  await expect(page.getByTestId('sim-u8-mode')).toHaveValue('affine');
});

test('picked data is checked against the model input when picked, with a clear message', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
  await page.getByTestId('view-simulate').click();
  // rule: a 49×40 feature map does not fit the [1, 96, 96, 1] image input: said at once, naming both
  await page
    .getByTestId('sim-file-input')
    .setInputFiles(fixturePath('data', 'mltk_yes_features_int8_49x40.npy'));
  await expect(page.getByTestId('sim-input-problem')).toHaveText(
    /mltk_yes_features_int8_49x40\.npy: shape \(49, 40\) has 1960 values; input '.+' is \[1, 96, 96, 1\] \(9216 values\)/,
  );
  // and a run refuses with the same message (no stack trace)
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('error-message')).toContainText('has 1960 values');
  await expect(page.getByTestId('error-message')).not.toContainText(/\bat \S+\.(ts|js|mjs):\d+/);
});

test('a seed the host cannot take is said where it is typed; a bad file does not block the seed', async ({
  page,
}) => {
  await openApp(page);
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
  await page.getByTestId('view-simulate').click();
  const problem = page.getByTestId('sim-input-problem');
  const run = page.getByTestId('sim-run');
  // rule: an emptied or out-of-range seed is named beside the input, and Run says why it is disabled
  // (it used to go to the host and come back as 'simulate.run: "input.seed" must be …')
  await page.getByTestId('sim-seed').fill('');
  await expect(problem).toHaveText('the seed must be a whole number from 1 to 4294967295 (the box is empty)');
  await expect(run).toBeDisabled();
  await expect(run).toHaveAttribute('title', /the box is empty/);
  await page.getByTestId('sim-seed').fill('0');
  await expect(problem).toHaveText('the seed must be a whole number from 1 to 4294967295 (not 0)');
  await page.getByTestId('sim-seed').fill('7');
  await expect(problem).toHaveCount(0);
  await expect(page.getByTestId('sim-reading')).toHaveText('reading: random int8 values (seed 7)');

  // rule: a file that does not fit is the files' problem: choosing the seed again runs
  await page
    .getByTestId('sim-file-input')
    .setInputFiles(fixturePath('data', 'mltk_yes_features_int8_49x40.npy'));
  await expect(problem).toContainText('has 1960 values');
  await page.getByTestId('simulate-view').getByRole('radio', { name: 'seed' }).check();
  await expect(problem).toHaveCount(0);
  await run.click();
  await expect(page.getByTestId('sim-row')).toHaveCount(31);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});
