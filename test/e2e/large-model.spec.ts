/**
 * 100+ layers stay fast: a 300-layer chain opens, the table renders only the rows in view, the
 * last layer is reachable, the graph lays out every op, and the unknown op is marked unsupported.
 */
import { expect, test } from './fixtures.ts';
import { CUSTOM_OP, deepAddModel } from './deep-model.ts';
import { openApp, screenshot } from './app-page.ts';

const DEPTH = 300;

test(`a ${DEPTH}-layer model: virtualized table, full graph, unsupported op marked`, async ({
  page,
}, info) => {
  const bytes = Buffer.from(deepAddModel(DEPTH));
  await openApp(page);

  let t0 = Date.now();
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'deep.tflite', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(page.getByTestId('layer-count')).toHaveAttribute('data-count', String(DEPTH));
  const openMs = Date.now() - t0;

  // Only the rows in view (plus overscan) exist in the DOM.
  const rendered = await page.getByTestId('layer-row').count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(80);

  t0 = Date.now();
  await page.getByRole('grid', { name: 'Layers' }).focus();
  await page.keyboard.press('End');
  await expect(page.locator(`[data-testid="layer-row"][data-index="${DEPTH - 1}"]`)).toHaveAttribute(
    'aria-selected',
    'true',
  );
  const endMs = Date.now() - t0;
  expect(await page.getByTestId('layer-row').count()).toBeLessThan(80);

  await page.getByTestId('layer-filter').fill(CUSTOM_OP.toLowerCase());
  await expect(page.getByTestId('layer-count')).toHaveAttribute('data-shown', '1');
  const custom = page.getByTestId('layer-row').first();
  await expect(custom.getByTestId('layer-op')).toContainText(CUSTOM_OP);
  await expect(custom.getByTestId('unsupported-marker')).toBeVisible();
  await expect(page.locator(`[data-testid="op-type"][data-op="${CUSTOM_OP}"]`)).toContainText('unsupported');
  await screenshot(page, 'deep-unsupported');
  await page.getByTestId('layer-filter').fill('');

  t0 = Date.now();
  await page.getByTestId('tab-graph').click();
  await expect(page.locator('[data-testid="graph-node"][data-kind="op"]')).toHaveCount(DEPTH);
  const graphMs = Date.now() - t0;
  await expect(
    page.locator(
      `[data-testid="graph-node"][data-op="${CUSTOM_OP}"] [data-testid="graph-unsupported-marker"]`,
    ),
  ).toHaveCount(1);
  // The selected last layer was brought into view.
  const last = page.locator(`[data-testid="graph-node"][data-layer="${DEPTH - 1}"]`);
  await expect(last).toHaveClass(/selected/);
  await expect(last).toBeInViewport();
  await screenshot(page, 'deep-graph');

  const timings = `open ${openMs} ms, End key ${endMs} ms, graph ${graphMs} ms`;
  info.annotations.push({ type: 'timings', description: timings });
  console.log(`[${DEPTH} layers] ${timings}`);
  // Generous bounds for a loaded two-core machine; typical numbers are printed above.
  expect(openMs).toBeLessThan(10_000);
  expect(graphMs).toBeLessThan(10_000);
});
