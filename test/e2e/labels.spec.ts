/**
 * Words a new user reads match what they click (issue 19 #8): the Quantize tab's hint names the
 * button the form actually shows.
 */
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { openApp, openModelFile } from './app-page.ts';

test('the Quantize hint names the primary button: "Report" for an int8 model, "Quantize" for a float one', async ({
  page,
}) => {
  await openApp(page); // the bundled person_detect: int8, so the tab reports against its float model
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
  await page.getByTestId('view-quantize').click();
  // rule: the hint's last step is the label of the button on screen
  await expect(page.getByTestId('q-report')).toHaveText('Report');
  await expect(page.getByTestId('q-hint')).toContainText('then Report');
  await expect(page.getByTestId('q-hint')).not.toContainText('then Quantize');

  await openModelFile(page, fixturePath('float', 'hello_world_float.tflite'), 'hello_world_float.tflite');
  await page.getByTestId('view-quantize').click();
  await expect(page.getByTestId('q-run')).toHaveText('Quantize');
  await expect(page.getByTestId('q-hint')).toContainText('then Quantize');
});
