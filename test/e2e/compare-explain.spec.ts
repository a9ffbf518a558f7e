/**
 * Differences explained in the compare view: the deliberately broken host board (its
 * FULLY_CONNECTED rounds down) profiles micro_speech; the FULLY_CONNECTED layer shows its class
 * (scattered ±1 LSB rounding) and its Δ histogram; the tolerance field changes the verdict and
 * which layer is the first divergent one, without profiling again.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { openApp, openModelFile } from './app-page.ts';

const FIRMWARE = resolve(import.meta.dirname, '../../firmware');

/** `qs-board --pty` of the broken host build; resolves with its pty path. */
async function brokenBoard(): Promise<{ path: string; child: ChildProcess }> {
  const exe = join(FIRMWARE, 'build', 'host-broken', 'qs-board');
  if (!existsSync(exe)) execFileSync('make', ['-s', '-C', FIRMWARE, 'host-broken'], { timeout: 300_000 });
  const child = spawn(exe, ['--pty'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const path = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${exe} reported no pty within 5 s`)), 5000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      const m = /^PTY (\S+)$/.exec(l);
      if (m) ok(m[1]);
      else fail(new Error(`${exe} printed "${l}" instead of its pty`));
    });
  });
  return { path, child };
}

test('broken FULLY_CONNECTED: class and Δ histogram shown; the tolerance field changes the verdict', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const board = await brokenBoard();
  try {
    await openApp(page);
    await openModelFile(
      page,
      fixturePath('models', 'micro_speech_quantized.tflite'),
      'micro_speech_quantized.tflite',
    );
    await page.getByTestId('view-board').click();
    await expect(page.locator('[data-testid="board-card"][data-board-id="virtual"]')).toBeVisible();
    await page.getByTestId('board-path').fill(board.path);
    await page.getByTestId('board-add-path').click();
    const card = page.locator(`[data-testid="board-card"][data-board-id="${board.path}"]`);
    await expect(card).toHaveAttribute('aria-checked', 'true');
    await page.getByTestId('board-profile').click();

    // rule: tolerance 0 — every difference diverges; the FC that rounds down is the first, as rounding
    await expect(page.getByTestId('compare-verdict')).toContainText('first divergent layer #2', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('verdict-kind')).toHaveAttribute('data-kind', 'rounding');
    await expect(page.getByTestId('verdict-kind')).toContainText(
      'scattered ±1 LSB rounding beyond the tolerance of 0 LSB',
    );
    const detail = page.getByTestId('layer-compare');
    await expect(detail).toHaveAttribute('data-index', '2');
    await expect(detail.getByTestId('diff-explain')).toHaveAttribute('data-class', 'rounding');
    await expect(detail.getByTestId('diff-class')).toHaveText('scattered ±1 LSB rounding');
    // rule: the histogram holds the differing elements, all in the ±1 bins here
    const bars = detail.getByTestId('delta-histogram').locator('.bin');
    await expect(bars.first()).toBeVisible();
    const bins = await bars.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.bin));
    expect(bins.every((b) => b === '-1' || b === '1')).toBe(true);

    // rule: tolerance 1 — the FC is within it; the SOFTMAX that amplifies it (3 LSB) is systematic
    await page.getByTestId('tolerance').fill('1');
    await expect(page.getByTestId('compare-verdict')).toContainText('first divergent layer #3');
    await expect(page.getByTestId('verdict-kind')).toHaveAttribute('data-kind', 'systematic');
    // rule: tolerance 3 — every layer within it: the verdict says matches within 3 LSB
    await page.getByTestId('tolerance').fill('3');
    await expect(page.getByTestId('compare-verdict')).toContainText(
      /Matches within 3 LSB: 2 layer\(s\) differ by/,
    );
    await page.locator('[data-testid="compare-row"][data-index="2"]').click();
    await expect(page.getByTestId('within-tolerance')).toBeVisible();
  } finally {
    board.child.kill();
  }
});
