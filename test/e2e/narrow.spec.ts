/**
 * Tables at 1024×768 (issue 19 #4): the compare table keeps every column — whole column heads,
 * sideways scrolling, the # column staying in view.
 */
import { expect, test } from './fixtures.ts';
import { expectVerdict, hostUrl } from './app-page.ts';

test.use({ viewport: { width: 1024, height: 768 } });

test('at 1024 px the compare table scrolls sideways with whole column heads and a sticky # column', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.goto(hostUrl()); // at this width the file panel starts hidden
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite', { timeout: 30_000 });
  await page.getByTestId('view-board').click();
  await page.locator('[data-testid="board-card"][data-board-id="virtual"]').click();
  await page.getByTestId('board-profile').click();
  await expectVerdict(page, 60_000);

  // rule: no column head is cut (each fits its cell)
  const heads = page.getByRole('columnheader');
  await expect(heads.first()).toBeVisible();
  const cut = await heads.evaluateAll((els) =>
    els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent?.trim()),
  );
  expect(cut).toEqual([]);

  // rule: the table scrolls sideways and the first column stays at the left edge
  const table = page.getByTestId('compare-table');
  const box = await table.evaluate((e) => {
    const s = e.closest('.grid-scroll') ?? e;
    s.scrollLeft = s.scrollWidth;
    return { scrolls: s.scrollWidth > s.clientWidth, left: s.getBoundingClientRect().left };
  });
  expect(box.scrolls).toBe(true);
  const firstCell = page.getByTestId('compare-row').first().locator('.cell').first();
  await expect.poll(async () => (await firstCell.boundingBox())?.x).toBeCloseTo(box.left, 0);
});
