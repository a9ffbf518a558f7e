/**
 * The compare view shows a several-board comparison matrix: `quantscope profile` on two virtual
 * boards and the emulated Cortex-M3 in one run writes the matrix JSON, the board view opens it and
 * shows each board against the host and against each other, and the time of every layer per board.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { openApp, openModelFile, screenshot } from './app-page.ts';

const REPO = resolve(import.meta.dirname, '../..');
const NAME = 'micro_speech_quantized.tflite';
const dir = mkdtempSync(join(tmpdir(), 'qs-e2e-matrix-'));
const MATRIX = join(dir, 'three-boards.json');

test.beforeAll(() => {
  execFileSync(
    process.execPath,
    [
      join(REPO, 'bin/quantscope.mjs'),
      'profile',
      fixturePath('models', NAME),
      '--board',
      'virtual',
      '--board',
      'virtual',
      '--board',
      'qemu',
      '--out',
      MATRIX,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], timeout: 240_000 },
  );
});

test.describe('several-board matrix in the compare view', () => {
  test.setTimeout(120_000);

  // rule: the matrix a 3-board profile wrote is shown pair by pair, with per-board timings per layer
  test('two virtual boards and QEMU: every pair identical, µs per layer for each board', async ({ page }) => {
    await openApp(page);
    await page.getByTestId('view-board').click();
    await page.getByTestId('matrix-input').setInputFiles(MATRIX);
    await expect(page.getByTestId('matrix-title')).toHaveText(`${NAME} on 3 boards`);
    const cells = page.getByTestId('matrix-cell');
    await expect(cells).toHaveCount(12); // 4 × 4 minus the diagonal
    for (const c of await cells.all()) {
      await expect(c).toHaveAttribute('data-status', 'identical');
      await expect(c).toHaveText('identical (4 layers)');
    }
    await expect(page.locator('[data-testid="matrix-cell"][data-a="virtual#2"][data-b="qemu"]')).toHaveCount(
      1,
    );
    await expect(page.getByTestId('matrix-board')).toHaveCount(3);
    await expect(page.locator('[data-testid="matrix-board"][data-board="qemu"]')).toContainText(
      'mps2-an385 (QEMU)',
    );
    const layers = page.getByTestId('matrix-layer');
    await expect(layers).toHaveCount(4);
    await expect(layers.nth(1)).toContainText('DEPTHWISE_CONV_2D');
    // each of the three boards has a time for the layer (no '–')
    await expect(layers.nth(1).locator('td.n')).toHaveCount(4);
    for (const td of await layers.nth(1).locator('td.n').all()) await expect(td).toHaveText(/^\d+(\.\d)?$/);
    await screenshot(page, 'board-matrix');
    await page.getByTestId('matrix-close').click();
    await expect(page.getByTestId('matrix-view')).toHaveCount(0);
  });

  // rule: the board view profiles on every usable board at once and shows the same matrix
  test('Profile on all boards: the virtual board and QEMU, each identical to the host and to each other', async ({
    page,
  }) => {
    await openApp(page);
    await openModelFile(page, fixturePath('models', NAME), NAME);
    await page.getByTestId('view-board').click();
    await expect(page.locator('[data-testid="board-card"][data-board-id="qemu"]')).toBeVisible();
    const all = page.getByTestId('board-profile-all');
    // every usable board: the virtual board, QEMU's M3 and the other emulated cores this QEMU runs
    await expect(all).toHaveText(/^Profile on all \d+ boards$/);
    const n = Number((await all.textContent())!.match(/\d+/)![0]);
    expect(n).toBeGreaterThanOrEqual(2);
    test.setTimeout(400_000);
    await all.click();
    await expect(page.getByTestId('matrix-title')).toHaveText(`${NAME} on ${n} boards`, { timeout: 360_000 });
    const cells = page.getByTestId('matrix-cell');
    await expect(cells).toHaveCount((n + 1) * n); // host and n boards, each against the others
    for (const c of await cells.all()) await expect(c).toHaveText('identical (4 layers)');
    await expect(page.locator('[data-testid="matrix-board"][data-board="qemu"]')).toContainText(
      'all layers match',
    );
    await expect(page.getByTestId('matrix-layer')).toHaveCount(4);
    await expect(page.getByTestId('error-banner')).toHaveCount(0);
  });

  // rule: a file that is not a matrix is refused with a message naming the file and what is wrong
  test('a comparison JSON of one board is refused with a clear message', async ({ page }) => {
    const other = join(dir, 'one-board.json');
    writeFileSync(other, JSON.stringify({ schema: 'quantscope.compare/1', model: { name: NAME } }));
    await openApp(page);
    await page.getByTestId('view-board').click();
    await page.getByTestId('matrix-input').setInputFiles(other);
    await expect(page.getByTestId('error-banner')).toContainText(
      'one-board.json: not a QuantScope board matrix (quantscope.matrix/1): its schema is "quantscope.compare/1"',
    );
    await expect(page.getByTestId('matrix-view')).toHaveCount(0);
  });
});
