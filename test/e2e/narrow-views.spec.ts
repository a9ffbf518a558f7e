/**
 * View tables at 1024×768 (issue 19): the model's layer table and the Simulate stats table keep
 * every column — whole column heads, reachable by scrolling the table sideways inside its box (the
 * page itself never scrolls sideways), the layer # column staying in view.
 */
import type { Locator, Page } from '@playwright/test';
import { hostUrl } from './app-page.ts';
import { expect, test } from './fixtures.ts';

test.use({ viewport: { width: 1024, height: 768 } });

/** Every head whole and reachable; scrolled fully right, the first column is still at the left edge. */
async function expectAllColumns(page: Page, scroller: Locator, firstCell: Locator): Promise<void> {
  const heads = scroller.locator('th, [role="columnheader"]');
  await expect(heads.first()).toBeVisible();
  // rule: no column head is cut (each fits its cell)
  const cut = await heads.evaluateAll((els) =>
    els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent?.trim()),
  );
  expect(cut).toEqual([]);
  // rule: every column can be brought into view, and the page does not scroll sideways
  for (const h of await heads.all()) {
    await h.scrollIntoViewIfNeeded();
    await expect(h).toBeInViewport();
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
  // rule: the first column (layer #) stays at the left edge of the scrolled box
  const left = await scroller.evaluate((s) => {
    s.scrollLeft = s.scrollWidth;
    return s.getBoundingClientRect().left;
  });
  await expect.poll(async () => (await firstCell.boundingBox())?.x).toBeCloseTo(left, 0);
}

test('at 1024 px the layer table and the Simulate stats table show every column, # column sticky', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.goto(hostUrl()); // at this width the file panel starts hidden
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite', { timeout: 30_000 });

  const grid = page.getByTestId('layer-table').locator('.grid-scroll');
  // the layer table is wider than its box at this size: it must scroll, not drop columns
  expect(await grid.evaluate((s) => s.scrollWidth > s.clientWidth)).toBe(true);
  await expectAllColumns(page, grid, page.getByTestId('layer-row').first().locator('.cell').first());

  await page.getByTestId('view-simulate').click();
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('sim-row').first()).toBeVisible({ timeout: 30_000 });
  const wrap = page.locator('.wrap:has([data-testid="sim-row"])');
  await expectAllColumns(page, wrap, page.getByTestId('sim-row').first().locator('td').first());
});
