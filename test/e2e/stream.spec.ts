/**
 * Streams in the compare view (issue 15): a stateful model (one int8 SVDF, test/helpers/
 * stream-models.ts) profiled with 10 input frames on a virtual board built to DROP its state before
 * every INVOKE (`make -C firmware host-dropstate`). Host and board agree on invocation 0 (both start
 * from the reset state) and part at invocation 1, layer 0; the view opens there, names it, and steps
 * through the invocations.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, test } from './fixtures.ts';
import { SVDF_FRAMES, svdfStreamBytes, svdfStreamExpected } from '../helpers/stream-models.ts';
import { openApp, openModelFile, screenshot } from './app-page.ts';

const FIRMWARE = resolve(import.meta.dirname, '../../firmware');
const WORK = resolve(import.meta.dirname, '../../test-results/stream');

/** Start the drop-state board on a pty (made with make when out of date); resolves with its path. */
async function startDropStateBoard(): Promise<{ path: string; child: ChildProcess }> {
  execFileSync('make', ['-s', '-C', FIRMWARE, 'host-dropstate'], { timeout: 300_000 });
  const exe = join(FIRMWARE, 'build', 'host-dropstate', 'qs-board');
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

test('a board that drops its state: the compare view opens at the first divergence (invocation 1, layer 0) and steps through invocations', async ({
  page,
}) => {
  test.setTimeout(300_000);
  mkdirSync(WORK, { recursive: true });
  const model = join(WORK, 'svdf_stream.tflite');
  writeFileSync(model, svdfStreamBytes());
  const frames = join(WORK, 'frames.bin'); // 10 frames of the one [1, 2] int8 input
  writeFileSync(frames, Uint8Array.from(Int8Array.from(SVDF_FRAMES.flat())));
  // invocations whose output depends on earlier frames differ on a board that forgets them
  const kept = svdfStreamExpected(SVDF_FRAMES);
  const dropped = svdfStreamExpected(SVDF_FRAMES, true);
  const differs = kept.map((v, k) => v !== dropped[k]);
  expect(differs[0]).toBe(false);
  expect(differs[1]).toBe(true);

  const board = await startDropStateBoard();
  try {
    await openApp(page);
    await openModelFile(page, model, 'svdf_stream.tflite');
    await page.getByTestId('view-board').click();
    await expect(page.locator('[data-testid="board-card"][data-board-id="virtual"]')).toBeVisible();
    await page.getByTestId('board-file-input').setInputFiles(frames);
    await page.getByTestId('board-path').fill(board.path);
    await page.getByTestId('board-add-path').click();
    const card = page.locator(`[data-testid="board-card"][data-board-id="${board.path}"]`);
    await expect(card).toHaveAttribute('data-status', 'ready');
    await expect(card).toHaveAttribute('aria-checked', 'true');
    await page.getByTestId('board-profile').click();

    // rule: the view names where host and board FIRST part: invocation, then layer
    const stream = page.getByTestId('stream-summary');
    await expect(stream).toBeVisible({ timeout: 120_000 });
    await expect(stream).toContainText('Stream of 10 invocations');
    await expect(page.getByTestId('first-divergence')).toHaveText(
      'First divergence: invocation 1, layer #0 SVDF',
    );
    await expect(page.getByTestId('invocation-current')).toHaveText('invocation 1');
    await expect(page.getByTestId('compare-verdict')).toContainText('first divergent layer #0');
    const row = page.locator('[data-testid="compare-row"][data-index="0"]');
    await expect(row).toHaveAttribute('data-status', 'mismatch');
    // the first divergent invocation keeps its values: the layer detail shows host vs board
    await expect(page.getByTestId('layer-compare')).toHaveAttribute('data-index', '0');
    await expect(page.getByTestId('layer-compare').getByTestId('histogram')).toHaveCount(2);

    // rule: each invocation's step says whether host and board agree on it
    const steps = page.getByTestId('invocation-step');
    await expect(steps).toHaveCount(10);
    for (let k = 0; k < 10; k++)
      await expect(steps.nth(k)).toHaveAttribute('data-status', differs[k] ? 'mismatch' : 'match');
    await screenshot(page, 'compare-stream-dropstate');

    // stepping: invocation 0 matches everywhere (both start from the reset state)
    await steps.nth(0).click();
    await expect(page.getByTestId('invocation-current')).toHaveText('invocation 0');
    await expect(page.getByTestId('compare-verdict')).toContainText('All 1 layers match');
    await expect(row).toHaveAttribute('data-status', 'match');
    await expect(page.getByTestId('values-note')).toBeVisible();
    await page.getByTestId('invocation-next').click();
    await expect(page.getByTestId('invocation-current')).toHaveText('invocation 1');
    await expect(row).toHaveAttribute('data-status', 'mismatch');
    await page.getByTestId('invocation-next').click();
    await expect(page.getByTestId('invocation-current')).toHaveText('invocation 2');
    await expect(row).toHaveAttribute('data-status', differs[2] ? 'mismatch' : 'match');
    // the button back to the first divergence
    await page.getByTestId('first-divergence').click();
    await expect(page.getByTestId('invocation-current')).toHaveText('invocation 1');

    // rule: "reset state each frame" resets before every frame on host and board: the board
    // that drops its state then agrees on every invocation
    await page.getByTestId('board-reset-state').check();
    await page.getByTestId('board-profile').click();
    await expect(page.getByTestId('stream-all-match')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('stream-summary')).toContainText('state reset before each');
    for (let k = 0; k < 10; k++) await expect(steps.nth(k)).toHaveAttribute('data-status', 'match');
  } finally {
    board.child.kill('SIGTERM');
  }
});

test('the Simulate view runs input frames as a stream: every invocation listed, the state kept', async ({
  page,
}) => {
  // rule (issue 15): a file of several frames invokes once per frame on the host without a reset
  mkdirSync(WORK, { recursive: true });
  const model = join(WORK, 'svdf_stream.tflite');
  writeFileSync(model, svdfStreamBytes());
  const frames = join(WORK, 'frames.bin');
  writeFileSync(frames, Uint8Array.from(Int8Array.from(SVDF_FRAMES.flat())));
  const want = svdfStreamExpected(SVDF_FRAMES);
  await openApp(page);
  await openModelFile(page, model, 'svdf_stream.tflite');
  await page.keyboard.press('s');
  await expect(page.getByTestId('simulate-view')).toBeVisible();
  await page.getByTestId('sim-file-input').setInputFiles(frames);
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('sim-stream')).toContainText('Stream of 10 invocations');
  const rows = page.getByTestId('sim-stream-invocation');
  await expect(rows).toHaveCount(10);
  for (let k = 0; k < 10; k++) await expect(rows.nth(k)).toHaveText(`[0] ${want[k]}`);
});
