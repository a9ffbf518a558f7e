/**
 * Simulate view, LSTM layer detail: selecting an UNIDIRECTIONAL_SEQUENCE_LSTM layer shows its four
 * gates and the cell state per time step (heatmaps) with the saturated fraction of each gate, the
 * values the interpreter core computed for the same model and seed.
 */
import { expect, test } from './fixtures.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { gateSaturation } from '../../src-main/core/simulate/gate-taps.ts';
import { buildInputs } from '../../src-main/core/simulate/inputs/load.ts';
import { invoke, prepare } from '../../src-main/core/simulate/interpreter.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';
import { openApp, openModelFile, screenshot } from './app-page.ts';

const FILE = 'tensorflow__tensorflow_lite_micro_examples_mnist_lstm_trained_lstm_int8.tflite';

test('mnist_lstm int8: the LSTM layer shows its gates and their saturation', async ({ page }) => {
  await openApp(page);
  await openModelFile(page, fixturePath('field', 'models', FILE), FILE);
  await page.getByTestId('view-simulate').click();
  await page.getByTestId('sim-seed').fill('5');
  await page.getByTestId('sim-run').click();
  await page.locator('[data-testid="sim-row"][data-index="0"]').click();
  const panel = page.getByTestId('lstm-gates');
  await expect(panel).toBeVisible();
  // rule: four gates and the cell state, each a steps x units map
  await expect(panel.getByTestId('lstm-gate')).toHaveCount(5);
  await expect(panel.getByTestId('heatmap')).toHaveCount(5);
  // rule: each gate's saturation is the core's, for the same model and seed
  const bytes = readFixture('field', 'models', FILE);
  const model = readTflite(bytes);
  const pm = prepare(model, 0, { bytes });
  const taps = invoke(pm, buildInputs({ seed: 5 }, pm.inputs, model.parameters), { gates: true }).gates![0];
  const sat = gateSaturation(taps);
  for (const g of ['forget', 'input', 'cell', 'output'] as const)
    await expect(panel.locator(`[data-gate="${g}"]`).getByTestId('lstm-saturation')).toHaveText(
      `${(100 * sat[g]).toFixed(1)}% saturated`,
    );
  await screenshot(page, 'simulate-lstm-gates');
  // rule: a layer that is not an LSTM has no gate panel
  await page.locator('[data-testid="sim-row"][data-index="2"]').click();
  await expect(page.getByTestId('lstm-gates')).toHaveCount(0);
});
