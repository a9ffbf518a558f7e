/** The graph view (issue 19 item 6): bounded pan/zoom with a way back, search by name/op/index. */
import { expect, test } from './fixtures.ts';
import type { Locator, Page } from '@playwright/test';
import { expectedModel } from './expected.ts';
import { expectVerdict, openApp, openModelFile, screenshot } from './app-page.ts';
import { fixturePath } from '../helpers/fixtures.ts';

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (a: Box, b: Box): boolean =>
  a.x >= b.x - 1 &&
  a.y >= b.y - 1 &&
  a.x + a.width <= b.x + b.width + 1 &&
  a.y + a.height <= b.y + b.height + 1;

/** How many nodes (op for `inside`, any kind for `overlapping`) overlap / lie wholly inside the canvas. */
async function nodesOnCanvas(page: Page): Promise<{ overlapping: number; inside: number; total: number }> {
  const canvas = (await page.locator('[data-testid="graph-view"] svg').boundingBox())!;
  const read = (sel: string): Promise<Box[]> =>
    page.locator(sel).evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as Box));
  const boxes = await read('[data-testid="graph-node"][data-kind="op"] rect.box');
  const all = await read('[data-testid="graph-node"] rect.box');
  return {
    overlapping: all.filter((b) => overlaps(b, canvas)).length,
    inside: boxes.filter((b) => inside(b, canvas)).length,
    total: boxes.length,
  };
}

async function openGraph(page: Page): Promise<{ layers: number; canvas: Locator }> {
  const expected = await expectedModel('models', 'person_detect.tflite');
  await openApp(page);
  await openModelFile(page, expected.path, 'person_detect.tflite');
  await page.getByTestId('tab-graph').click();
  const layers = expected.summary.layers.length;
  await expect(page.locator('[data-testid="graph-node"][data-kind="op"]')).toHaveCount(layers);
  return { layers, canvas: page.locator('[data-testid="graph-view"] svg') };
}

test('the wheel cannot pan the graph off-screen, and Fit shows every node', async ({ page }) => {
  const { layers, canvas } = await openGraph(page);
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // rule: bounded pan — scrolling far down, right, up and left always leaves part of the graph on screen
  for (const [dx, dy] of [
    [0, 4000],
    [4000, 0],
    [0, -4000],
    [-4000, 0],
  ]) {
    for (let k = 0; k < 10; k++) await page.mouse.wheel(dx, dy);
    await expect.poll(async () => (await nodesOnCanvas(page)).overlapping).toBeGreaterThan(0);
  }
  // rule: bounded zoom — zooming all the way out and back in keeps the graph on screen too
  await page.keyboard.down('Control');
  for (let k = 0; k < 20; k++) await page.mouse.wheel(0, 400);
  for (let k = 0; k < 20; k++) await page.mouse.wheel(0, -400);
  await page.keyboard.up('Control');
  await expect.poll(async () => (await nodesOnCanvas(page)).overlapping).toBeGreaterThan(0);
  // rule: fit-to-view is the way back — after Fit every op node lies inside the canvas
  await page.getByTestId('graph-fit').click();
  await expect.poll(async () => (await nodesOnCanvas(page)).inside).toBe(layers);
  await screenshot(page, 'person_detect-graph-fit');
});

test('search highlights layers by op, index and name; Enter centres on the next match', async ({ page }) => {
  const expected = await expectedModel('models', 'person_detect.tflite');
  const { canvas } = await openGraph(page);
  const search = page.getByTestId('graph-search');
  const matched = page.locator('[data-testid="graph-node"].match');

  // rule: op type search highlights every layer of that type (SOURCES.md: 14 DEPTHWISE_CONV_2D)
  await search.fill('depthwise');
  await expect(matched).toHaveCount(14);
  await expect(page.getByTestId('graph-search-count')).toHaveText('– / 14');
  // rule: #index names exactly one layer
  await search.fill('#5');
  await expect(matched).toHaveCount(1);
  await expect(matched).toHaveAttribute('data-layer', '5');
  // rule: a layer's output tensor name finds it
  const last = expected.summary.layers.at(-1)!;
  await search.fill(last.outputs[0].name);
  await expect(page.locator(`[data-testid="graph-node"].match[data-layer="${last.index}"]`)).toHaveCount(1);
  // rule: a query matching nothing says so
  await search.fill('no-such-layer');
  await expect(matched).toHaveCount(0);
  await expect(page.getByTestId('graph-search-count')).toHaveText('no match');

  // rule: Enter centres the view on the next match and selects it (the last layer starts off-screen)
  await search.fill('softmax');
  await search.press('Enter');
  const node = page.locator(`[data-testid="graph-node"][data-layer="${last.index}"]`);
  await expect(node).toHaveClass(/selected/);
  await expect(page.getByTestId('graph-search-count')).toHaveText('1 / 1');
  const c = (await canvas.boundingBox())!;
  await expect
    .poll(async () => {
      const b = (await node.locator('rect.box').boundingBox())!;
      return Math.hypot(b.x + b.width / 2 - (c.x + c.width / 2), b.y + b.height / 2 - (c.y + c.height / 2));
    })
    .toBeLessThan(2);
  await screenshot(page, 'person_detect-graph-search');
});

test('overlays colour nodes by tensor size and by the last profile; without data they say so', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const expected = await expectedModel('models', 'person_detect.tflite');
  await openApp(page); // starts on the bundled person_detect example
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
  await page.getByTestId('tab-graph').click();
  const overlay = page.getByTestId('graph-overlay');
  const value = (layer: number): Locator =>
    page.locator(`[data-testid="graph-node"][data-layer="${layer}"] rect.box`);

  // rule: an overlay with no data says so (no profile has run for this model yet)
  await overlay.selectOption('measured');
  await expect(page.getByTestId('graph-overlay-empty')).toContainText('No board profile');
  await expect(page.locator('rect.box[data-overlay-value]')).toHaveCount(0);

  // rule: the size overlay colours every op by its output bytes (int8: one byte per element), with a legend
  await overlay.selectOption('size');
  const bytes = expected.summary.layers.map((l) => l.outputs[0].shape.reduce((a, b) => a * b, 1));
  await expect(value(0)).toHaveAttribute('data-overlay-value', String(bytes[0]));
  await expect(page.locator('rect.box[data-overlay-value]')).toHaveCount(bytes.length);
  await expect(page.getByTestId('graph-legend')).toBeVisible();
  const fills = await page
    .locator('[data-testid="graph-node"][data-kind="op"] rect.box')
    .evaluateAll((els) => new Set(els.map((e) => getComputedStyle(e).fill)).size);
  expect(fills).toBeGreaterThan(1); // sizes differ, so colours differ

  // rule: after a board profile the mismatch and measured overlays draw its numbers (virtual board: all match)
  await page.getByTestId('view-board').click();
  await page
    .getByTestId('board-file-input')
    .setInputFiles(fixturePath('data', 'tflm_person_gray_u8_96x96.npy'));
  const card = page.locator('[data-testid="board-card"][data-board-id="virtual"]');
  await card.click();
  await page.getByTestId('board-profile').click();
  await expectVerdict(page, 60_000);
  await page.getByTestId('view-model').click();
  await page.getByTestId('tab-graph').click();
  await page.getByTestId('graph-overlay').selectOption('mismatch');
  await expect(page.locator('rect.box[data-overlay-value="0"]')).toHaveCount(bytes.length);
  await expect(page.getByTestId('graph-overlay-panel')).toContainText('no divergent layer');
  await expect(page.getByTestId('graph-first-divergent')).toHaveCount(0);
  await page.getByTestId('graph-overlay').selectOption('measured');
  await expect(page.getByTestId('graph-overlay-empty')).toHaveCount(0);
  await expect(page.locator('rect.box[data-overlay-value]')).toHaveCount(bytes.length);
  // rule: measured time says what it counts (issue 19: the virtual board's numbers are host µs)
  await expect(page.getByTestId('graph-overlay-source')).toContainText('host µs');
  await screenshot(page, 'person_detect-graph-overlay-measured');
});
