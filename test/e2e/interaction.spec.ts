/** Table ⇄ graph selection, sorting, filtering, keyboard shortcuts, drag and drop, examples and recent files. */
import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { expectedModel } from './expected.ts';
import { hostUrl, openApp, openModelFile, renderedRows, screenshot } from './app-page.ts';

test('selecting a row selects the graph node and vice versa', async ({ page }) => {
  const expected = await expectedModel('models', 'person_detect.tflite');
  await openApp(page);
  await openModelFile(page, expected.path, 'person_detect.tflite');

  await page.locator('[data-testid="layer-row"][data-index="5"]').click();
  await expect(page.getByTestId('layer-details')).toHaveAttribute('data-index', '5');
  await expect(page.getByTestId('layer-details')).toContainText(expected.summary.layers[5].op);
  // The details link each activation to the layer that writes / reads it (a chain: #4 and #6).
  await expect(page.getByTestId('jump-layer')).toHaveCount(2);
  await page.locator('[data-testid="jump-layer"][data-index="6"]').click();
  await expect(page.getByTestId('layer-details')).toHaveAttribute('data-index', '6');
  await page.locator('[data-testid="jump-layer"][data-index="5"]').click();
  await expect(page.getByTestId('layer-details')).toHaveAttribute('data-index', '5');
  await page.getByTestId('tab-graph').click();
  await expect(page.locator('[data-testid="graph-node"][data-layer="5"]')).toHaveClass(/selected/);

  await page.locator('[data-testid="graph-node"][data-layer="7"]').click();
  await expect(page.locator('[data-testid="graph-node"][data-layer="7"]')).toHaveClass(/selected/);
  await expect(page.locator('[data-testid="graph-node"][data-layer="5"]')).not.toHaveClass(/selected/);
  await screenshot(page, 'person_detect-graph-selected');
  await page.getByTestId('tab-layers').click();
  await expect(page.locator('[data-testid="layer-row"][data-index="7"]')).toHaveAttribute(
    'aria-selected',
    'true',
  );
});

test('sorting by MACs and filtering by op', async ({ page }) => {
  const expected = await expectedModel('models', 'person_detect.tflite');
  const layers = expected.summary.layers;
  await openApp(page);
  await openModelFile(page, expected.path, 'person_detect.tflite');

  const firstRowMacs = async () =>
    layers[Number(await page.getByTestId('layer-row').first().getAttribute('data-index'))].macs;
  await page.getByTestId('sort-macs').click(); // cost columns start with the biggest
  await expect.poll(firstRowMacs).toBe(Math.max(...layers.map((l) => l.macs)));
  await page.getByTestId('sort-macs').click();
  await expect.poll(firstRowMacs).toBe(Math.min(...layers.map((l) => l.macs)));

  await page.getByTestId('sort-index').click();
  await page.keyboard.press('/');
  await expect(page.getByTestId('layer-filter')).toBeFocused();
  await page.keyboard.type('depthwise_conv_2d');
  const depthwise = layers.filter((l) => l.op === 'DEPTHWISE_CONV_2D').length;
  await expect(page.getByTestId('layer-count')).toHaveAttribute('data-shown', String(depthwise));
  for (const op of (await renderedRows(page)).values()) expect(op).toBe('DEPTHWISE_CONV_2D');

  // Clicking an op in the summary filters to it; clicking again clears the filter.
  await page.locator('[data-testid="op-type"][data-op="SOFTMAX"]').click();
  await expect(page.getByTestId('layer-count')).toHaveAttribute('data-shown', '1');
  await page.locator('[data-testid="op-type"][data-op="SOFTMAX"]').click();
  await expect(page.getByTestId('layer-count')).toHaveAttribute('data-shown', String(layers.length));
});

test('Ctrl+O opens the file chooser; a file dropped on the window opens', async ({ page }) => {
  // Listen before the page loads: Playwright turns on file-chooser interception without waiting
  // for the browser's reply, so a listener added just before the key press can miss the chooser
  // (seen once in CI on a slower machine).
  const chooser = page.waitForEvent('filechooser');
  await openApp(page);
  await page.locator('header .brand').click(); // focus the page, not a field or a list entry
  await page.keyboard.press('Control+o');
  await (await chooser).setFiles(fixturePath('models', 'keyword_spotting_on_off.tflite'));
  await expect(page.getByTestId('header-model')).toHaveText('keyword_spotting_on_off.tflite');

  const b64 = readFileSync(fixturePath('models', 'hello_world_int8.tflite')).toString('base64');
  await page.evaluate((data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'hello_world_int8.tflite'));
    window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, cancelable: true }));
    window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, cancelable: true }));
  }, b64);
  await expect(page.getByTestId('drop-overlay')).toBeVisible();
  await page.evaluate((data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'hello_world_int8.tflite'));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, cancelable: true }));
  }, b64);
  await expect(page.getByTestId('drop-overlay')).toBeHidden();
  await expect(page.getByTestId('header-model')).toHaveText('hello_world_int8.tflite');
  await expect(page.getByTestId('layer-count')).toHaveAttribute('data-count', '3');
});

test('bundled examples open by path and then appear in recent files', async ({ page }) => {
  await openApp(page);
  const example = page.getByTestId('example').filter({ hasText: 'micro_speech_quantized.tflite' });
  await expect(example).toBeVisible();
  await example.click();
  await expect(page.getByTestId('header-model')).toHaveText('micro_speech_quantized.tflite');
  await expect(page.getByTestId('layer-count')).toHaveAttribute('data-count', '4');
  await expect(
    page.getByTestId('recent-file').filter({ hasText: 'micro_speech_quantized.tflite' }),
  ).toBeVisible();
  await screenshot(page, 'example-micro_speech');
});

test('starts on the bundled example model the host names', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
  await expect(page.getByTestId('layer-count')).toHaveAttribute('data-count', '31');
  await expect(page.getByTestId('current-model')).toContainText('person_detect.tflite');
});

test('on a 1280 px window the file panel starts hidden so every column fits; B toggles it', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(hostUrl());
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
  await expect(page.getByTestId('side-panel')).toBeHidden();
  await expect(page.getByTestId('sort-params')).toBeInViewport();
  // Opening still works with the panel hidden (Ctrl+O's file input lives in it).
  await openModelFile(page, fixturePath('models', 'hello_world_int8.tflite'), 'hello_world_int8.tflite');
  await page.keyboard.press('b');
  await expect(page.getByTestId('side-panel')).toBeVisible();
  await page.getByTestId('toggle-side-panel').click();
  await expect(page.getByTestId('side-panel')).toBeHidden();
  await screenshot(page, 'narrow-1280');
});
