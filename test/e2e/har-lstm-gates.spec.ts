/**
 * har_lstm.keras quantized by QuantScope (two int8 UNIDIRECTIONAL_SEQUENCE_LSTM layers, int16 cell
 * state): opened in the app and simulated, each LSTM layer's detail shows its four gates and the
 * cell state per time step, with the saturated fraction the core computes for the same seed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';
import { kerasToTflite, readKeras3 } from '../../src-main/core/model/keras/index.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { quantizeWorkflow } from '../../src-main/core/quantize/pipeline.ts';
import { gateSaturation } from '../../src-main/core/simulate/gate-taps.ts';
import { buildInputs } from '../../src-main/core/simulate/inputs/load.ts';
import { invoke, prepare } from '../../src-main/core/simulate/interpreter.ts';
import { harWindows } from '../core/keras/har-data.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { openApp, openModelFile, screenshot } from './app-page.ts';

test('har_lstm int8 (quantized here): both LSTM layers show their gates', async ({ page }) => {
  const keras = await readKeras3(readFixture('keras3', 'har_lstm.keras'));
  const q = quantizeWorkflow({ float: kerasToTflite(keras), keras, samples: harWindows(16, 5), io: 'int8' });
  const bytes = writeTflite(q.model);
  const file = join(mkdtempSync(join(tmpdir(), 'qs-har-')), 'har_lstm.int8.tflite');
  writeFileSync(file, bytes);
  const pm = prepare(q.model, 0, { bytes });
  const taps = invoke(pm, buildInputs({ seed: 3 }, pm.inputs, q.model.parameters), { gates: true }).gates!;
  expect(taps.map((t) => t.opIndex)).toEqual([0, 1]);

  await openApp(page);
  await openModelFile(page, file, 'har_lstm.int8.tflite');
  await page.getByTestId('view-simulate').click();
  await page.getByTestId('sim-seed').fill('3');
  await page.getByTestId('sim-run').click();
  for (const t of taps) {
    await page.locator(`[data-testid="sim-row"][data-index="${t.opIndex}"]`).click();
    const panel = page.getByTestId('lstm-gates');
    // rule: the LSTM layer detail shows four gates and the cell state, each a 128 x 32 map
    await expect(panel).toBeVisible();
    await expect(panel.getByTestId('lstm-gate')).toHaveCount(5);
    await expect(panel).toContainText('128 steps (down) × 32 units (across)');
    // rule: each gate's saturation is the core's for the same model and seed
    const sat = gateSaturation(t);
    for (const g of ['forget', 'input', 'cell', 'output'] as const)
      await expect(panel.locator(`[data-gate="${g}"]`).getByTestId('lstm-saturation')).toHaveText(
        `${(100 * sat[g]).toFixed(1)}% saturated`,
      );
  }
  await screenshot(page, 'simulate-har-lstm-gates');
  // rule: the STRIDED_SLICE after them has no gate panel
  await page.locator('[data-testid="sim-row"][data-index="2"]').click();
  await expect(page.getByTestId('lstm-gates')).toHaveCount(0);
});
