/**
 * The Boards view's cost-model picker (issue 18): a CPU profile and a clock for the estimates of a
 * profile, whatever board runs it.
 */
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { openApp, openModelFile } from './app-page.ts';

// Rule: the estimate follows the CPU and clock picked (M7 at 480 MHz: its cycles and the time at
// that clock), and stays "not comparable" with the virtual board's host µs (one scale only).
test('virtual board with cortex-m7 at 480 MHz: M7 cycles, time at 480 MHz, not comparable with host µs', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openApp(page);
  await openModelFile(page, fixturePath('models', 'hello_world_int8.tflite'), 'hello_world_int8.tflite');
  await page.getByTestId('view-board').click();
  const card = page.locator('[data-testid="board-card"][data-board-id="virtual"]');
  await expect(card).toBeVisible();
  await card.click();
  await expect(page.getByTestId('board-mhz')).toBeDisabled(); // no clock without a CPU profile
  await page.getByTestId('board-cpu').selectOption('cortex-m7');
  await page.getByTestId('board-mhz').fill('480');
  await page.getByTestId('board-seed').fill('3');
  await page.getByTestId('board-profile').click();
  await expect(page.getByTestId('compare-verdict')).toHaveText(/All \d+ layers match/, { timeout: 60_000 });
  const est = page.getByTestId('estimated-time');
  await expect(est).toContainText('M7 cycles');
  await expect(est).toContainText('cortex-m7@480');
  await expect(page.getByTestId('estimated-ms')).toHaveText(/^≈ \d+\.\d{3} ms at 480 MHz$/);
  await expect(page.getByTestId('not-comparable')).toHaveText('not comparable: host µs vs M7 cycles');
});
