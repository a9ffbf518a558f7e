/**
 * Boards panel end to end: a board on a typed pty (the deliberately broken host board, whose
 * FULLY_CONNECTED rounds down) is found with its identity and caught at the right layer; a bad
 * path and a cancelled profile give clear feedback and leave the app usable.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { openApp, openModelFile, screenshot } from './app-page.ts';

const FIRMWARE = resolve(import.meta.dirname, '../../firmware');
const EXPORTS = resolve(import.meta.dirname, '../../test-results/exports');

/** Start `qs-board --pty` (built with make when missing); resolves with its pty path. */
async function startPtyBoard(target: 'host' | 'host-broken'): Promise<{ path: string; child: ChildProcess }> {
  const exe = join(FIRMWARE, 'build', target, 'qs-board');
  if (!existsSync(exe)) execFileSync('make', ['-s', '-C', FIRMWARE, target], { timeout: 300_000 });
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

async function openBoards(page: Page, model?: string): Promise<void> {
  await openApp(page);
  if (model) await openModelFile(page, fixturePath('models', model), model);
  await page.getByTestId('view-board').click();
  await expect(page.locator('[data-testid="board-card"][data-board-id="virtual"]')).toBeVisible();
}

test('a typed pty board is found with its identity; the broken FULLY_CONNECTED is the first divergent layer', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const board = await startPtyBoard('host-broken');
  try {
    await openBoards(page, 'micro_speech_quantized.tflite');
    await page.getByTestId('board-path').fill(board.path);
    await page.getByTestId('board-add-path').click();
    const card = page.locator(`[data-testid="board-card"][data-board-id="${board.path}"]`);
    await expect(card).toHaveAttribute('data-status', 'ready');
    await expect(card).toHaveAttribute('aria-checked', 'true'); // a found board is picked
    await expect(card).toContainText(/host · — · arena \d/); // CPU, clock (unknown), arena

    await page.getByTestId('board-profile').click();
    // micro_speech: RESHAPE, DEPTHWISE_CONV_2D, FULLY_CONNECTED (op 2, broken), SOFTMAX.
    await expect(page.getByTestId('compare-verdict')).toContainText('first divergent layer #2', {
      timeout: 60_000,
    });
    const first = page.locator('[data-testid="compare-row"][data-index="2"]');
    await expect(first).toContainText('FULLY_CONNECTED');
    await expect(first).toHaveAttribute('data-status', 'mismatch');
    await expect(first.getByTestId('first-divergent')).toBeVisible();
    await expect(page.getByTestId('first-divergent')).toHaveCount(1);
    for (const i of [-1, 0, 1])
      await expect(page.locator(`[data-testid="compare-row"][data-index="${i}"]`)).toHaveAttribute(
        'data-status',
        'match',
      );

    // The first divergent layer is selected: how many elements differ and the values around the worst.
    const detail = page.getByTestId('layer-compare');
    await expect(detail).toHaveAttribute('data-index', '2');
    await expect(detail.getByTestId('layer-verdict')).toContainText(
      /\d of 4 elements differ · max \|Δ\| \d+ LSB/,
    );
    await expect(detail.getByTestId('diff-values').locator('tr.worst')).toHaveCount(1);
    await screenshot(page, 'boards-broken-fc');

    // CSV: one row per layer with its mismatches.
    const downloading = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const download = await downloading;
    const file = join(EXPORTS, download.suggestedFilename());
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toMatch(
      /^index,op,shape,mismatches,max_abs_diff_lsb,est_cycles,measured_cycles,measured_us/,
    );
    const fcRow = lines.find((l) => l.startsWith('2,FULLY_CONNECTED,'));
    expect(fcRow, lines.join('\n')).toBeDefined();
    expect(Number(fcRow!.split(',')[3])).toBeGreaterThan(0);

    // The board stops answering (process frozen; its pty stays, so no other process can take the
    // number): the next profile fails with a clear error in the banner, and the app stays usable.
    process.kill(board.child.pid!, 'SIGSTOP');
    await page.getByTestId('board-profile').click();
    await expect(page.getByTestId('error-banner')).toBeVisible({ timeout: 90_000 });
    await expect(page.getByTestId('error-context')).toContainText('Profiling micro_speech_quantized.tflite');
    await expect(page.getByTestId('progress')).toHaveCount(0);
    await screenshot(page, 'boards-board-stopped');
    await page.getByTestId('error-dismiss').click();
    await page.locator('[data-testid="board-card"][data-board-id="virtual"]').click();
    await page.getByTestId('board-profile').click();
    await expect(page.getByTestId('compare-verdict')).toHaveText(/All 4 layers match/, { timeout: 60_000 });
  } finally {
    board.child.kill('SIGKILL'); // also ends a stopped process
  }
});

test('a path that is not a port says so; the app stays usable and profiles on the virtual board', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await openBoards(page, 'micro_speech_quantized.tflite');
  await page.getByTestId('board-path').fill('/dev/quantscope-no-such-port');
  await page.getByTestId('board-add-path').click();
  await expect(page.getByTestId('error-banner')).toContainText('/dev/quantscope-no-such-port: no such port');
  await page.getByTestId('error-dismiss').click();

  await page.locator('[data-testid="board-card"][data-board-id="virtual"]').click();
  await page.getByTestId('board-seed').fill('7');
  await page.getByTestId('board-profile').click();
  await expect(page.getByTestId('compare-verdict')).toHaveText(/All \d+ layers match/, { timeout: 60_000 });
  await expect(page.getByTestId('compare-summary')).toContainText('input seed 7');
});

test('cancelling a profile on the emulated Cortex-M3 mid-upload leaves no banner and the board usable', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openBoards(page, 'micro_speech_quantized.tflite');
  await page.locator('[data-testid="board-card"][data-board-id="qemu"]').click();
  await page.getByTestId('board-profile').click();
  const progress = page.getByTestId('progress');
  await expect(progress).toContainText(/Uploading \d+\/\d+ B/, { timeout: 120_000 });
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(progress).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await expect(page.getByTestId('compare-view')).toHaveCount(0);

  // The same board profiles again from the start.
  await expect(page.getByTestId('board-profile')).toBeEnabled();
  await page.getByTestId('board-profile').click();
  await expect(page.getByTestId('compare-verdict')).toHaveText(/All \d+ layers match/, { timeout: 240_000 });
});

// rule: the emulated cores are selectable in the app like the Cortex-M3, each named by its core
test('the emulated Cortex-M4F is listed with its core and profiles a model bit-exact with the host', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openBoards(page, 'hello_world_int8.tflite');
  for (const [id, core] of [
    ['qemu-m4', 'Cortex-M4F'],
    ['qemu-m7', 'Cortex-M7'],
    ['qemu-m33', 'Cortex-M33'],
    ['qemu-m55', 'Cortex-M55'],
    ['qemu-nucleo', 'NUCLEO-F446RE'],
  ])
    await expect(page.locator(`[data-testid="board-card"][data-board-id="${id}"]`)).toContainText(core);
  await page.locator('[data-testid="board-card"][data-board-id="qemu-m4"]').click();
  await page.getByTestId('board-profile').click();
  await expect(page.getByTestId('compare-verdict')).toHaveText(/All 3 layers match/, { timeout: 240_000 });
  await expect(page.getByTestId('compare-summary')).toContainText('mps2-an386');
});
