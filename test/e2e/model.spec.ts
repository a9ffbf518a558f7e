/**
 * Every fixture model opens through the UI (browser file input → web host → model view) and shows
 * the right layer count, op names, totals and graph; screenshots go to test-results/screenshots/.
 */
import { expect, test } from './fixtures.ts';
import { expectedModel, fixtureFiles, opCounts } from './expected.ts';
import { openApp, openModelFile, renderedRows, screenshot, shownOpCounts } from './app-page.ts';
import { fixturePath } from '../helpers/fixtures.ts';

for (const { dir, file } of fixtureFiles()) {
  test(`opens ${dir}/${file}`, async ({ page }) => {
    const expected = await expectedModel(dir, file);
    const layers = expected.summary.layers;
    if (expected.published)
      expect(opCounts(expected.summary), 'core reader vs SOURCES.md').toEqual(expected.published);
    if (expected.goldenOps !== null)
      expect(layers.length, 'core reader vs TFLite Micro golden').toBe(expected.goldenOps);

    await openApp(page);
    await openModelFile(page, expected.path, file);

    // Layer count and op names: the count label, the op histogram and the rendered rows.
    await expect(page.getByTestId('layer-count')).toHaveAttribute('data-count', String(layers.length));
    await expect(page.getByTestId('total-ops')).toHaveText(String(layers.length));
    expect(await shownOpCounts(page)).toEqual(expected.published ?? opCounts(expected.summary));
    const rows = await renderedRows(page);
    expect(rows.size).toBeGreaterThan(0);
    for (const [index, op] of rows) expect(op, `layer ${index}`).toBe(layers[index].op);

    // The last layer is reachable in the virtualized table (End key selects and reveals it).
    const last = layers.at(-1)!;
    await page.getByRole('grid', { name: 'Layers' }).focus();
    await page.keyboard.press('End');
    const lastRow = page.locator(`[data-testid="layer-row"][data-index="${last.index}"]`);
    await expect(lastRow).toHaveAttribute('aria-selected', 'true');
    await expect(lastRow.getByTestId('layer-op')).toContainText(last.op);
    await expect(page.getByTestId('layer-details')).toHaveAttribute('data-index', String(last.index));
    await page.keyboard.press('Home');
    await expect(page.locator('[data-testid="layer-row"][data-index="0"]')).toHaveAttribute(
      'aria-selected',
      'true',
    );

    // Model inputs/outputs with their shapes.
    await expect(page.getByTestId('model-inputs').getByTestId('tensor')).toHaveCount(
      expected.summary.inputs.length,
    );
    await expect(page.getByTestId('model-outputs').getByTestId('tensor')).toHaveCount(
      expected.summary.outputs.length,
    );
    await expect(page.getByTestId('model-inputs').getByTestId('tensor').first()).toContainText(
      expected.summary.inputs[0].shape.join('×'),
    );
    // The interpreter core's verdict: every fixture .tflite runs on the simulator and the boards.
    if (file.endsWith('.tflite')) {
      await expect(page.getByTestId('core-verdict')).toHaveAttribute('data-runs', 'true');
    }
    // A Keras 3 model: its float conversion runs (har_lstm's LSTMs as UNIDIRECTIONAL_SEQUENCE_LSTM).
    if (file.endsWith('.keras')) {
      await expect(page.getByTestId('core-verdict')).toHaveAttribute('data-runs', 'true');
    }
    await screenshot(page, file);

    // Graph: one node per operator.
    await page.getByTestId('tab-graph').click();
    await expect(page.locator('[data-testid="graph-node"][data-kind="op"]')).toHaveCount(layers.length);
    await expect(page.locator('[data-testid="graph-node"][data-kind="input"]')).toHaveCount(
      expected.summary.inputs.length,
    );
    await screenshot(page, `${file}-graph`);
  });
}

test("a model the interpreter core refuses still opens, with the core's reason beside it", async ({
  page,
}) => {
  // rule: the official TFLite conversion of the Keras 3 HAR LSTM (WHILE loops over TensorList tensors)
  // is TFLite-readable but not something TFLite Micro or the core runs: it opens with the core's reason.
  // (The Coral Keras LSTM used here before runs now: UNIDIRECTIONAL_SEQUENCE_LSTM, issue 15.)
  const file = 'har_lstm_float32.tflite';
  await openApp(page);
  await openModelFile(page, fixturePath('keras3', file), file);
  await expect(page.getByTestId('total-ops')).toHaveText('19');
  // rule: a multi-subgraph file shows how many subgraphs it has (the layers are subgraph 0's)
  await expect(page.getByTestId('total-subgraphs')).toHaveText('5');
  const verdict = page.getByTestId('core-verdict');
  await expect(verdict).toHaveAttribute('data-runs', 'false');
  await expect(verdict).toContainText(
    "Cannot run: tensor 15 'HAR_LSTM_1/lstm_1_1/TensorArrayV2_1': tensor type not supported",
  );
});

test('a model compiled for an NPU opens, with the reason TFLite Micro cannot run it', async ({ page }) => {
  // rule: a Vela-compiled model (custom op ethos-u) opens in the model view, and the core's verdict
  // beside it says what it is and what to open instead (issue 13), not "operator not supported"
  const file = 'tensorflow__tensorflow_lite_micro_models_person_detect_vela.tflite';
  await openApp(page);
  await openModelFile(page, fixturePath('field', 'models', file), file);
  const verdict = page.getByTestId('core-verdict');
  await expect(verdict).toHaveAttribute('data-runs', 'false');
  await expect(verdict).toContainText(
    'layer 0 (ethos-u): compiled by Vela for an Arm Ethos-U NPU — open the model from before Vela',
  );
});
