/**
 * Remote boards in the app: a board on another machine is reached through ser2net (Debian's, run
 * here in the foreground on a free local port, exposing a virtual board's pty). "Add remote board"
 * takes its rfc2217:// URL, shows the board with its host, profiles on it, and remembers it: a
 * reloaded page still lists it without typing. A malformed URL says what is wrong.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { Ser2net } from '../helpers/ser2net.ts';
import { openApp, openModelFile, screenshot } from './app-page.ts';

const FIRMWARE = resolve(import.meta.dirname, '../../firmware');

/** Start `qs-board --pty` (built with make when missing); resolves with its pty path. */
async function startPtyBoard(): Promise<{ path: string; child: ChildProcess }> {
  const exe = join(FIRMWARE, 'build', 'host', 'qs-board');
  if (!existsSync(exe)) execFileSync('make', ['-s', '-C', FIRMWARE, 'host'], { timeout: 300_000 });
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

async function openBoards(page: Page, model: string): Promise<void> {
  await openApp(page);
  await openModelFile(page, fixturePath('models', model), model);
  await page.getByTestId('view-board').click();
  await expect(page.locator('[data-testid="board-card"][data-board-id="virtual"]')).toBeVisible();
}

// Rule: "Add remote board" with a ser2net URL lists the board with its host and mode, picks it,
// profiles on it bit-exact with the host, and the board is remembered (listed after a reload).
test('a remote board added by its rfc2217:// URL is shown with its host, profiles, and is remembered', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const board = await startPtyBoard();
  const ser = await Ser2net.start({ device: board.path });
  try {
    await openBoards(page, 'micro_speech_quantized.tflite');
    await page.getByTestId('board-remote-url').fill(ser.rfc2217Url);
    await page.getByTestId('board-add-remote').click();
    const card = page.locator(`[data-testid="board-card"][data-board-id="${ser.rfc2217Url}"]`);
    await expect(card).toHaveAttribute('data-status', 'ready');
    await expect(card).toHaveAttribute('aria-checked', 'true'); // an added board that answers is picked
    await expect(card).toContainText('QuantScope virtual board');
    await expect(card).toContainText('remote');
    await expect(card.getByTestId('board-remote-host')).toHaveText(`127.0.0.1:${ser.rfc2217Port} · RFC 2217`);

    await page.getByTestId('board-profile').click();
    await expect(page.getByTestId('compare-verdict')).toHaveText(/All 4 layers match/, { timeout: 60_000 });
    await screenshot(page, 'boards-remote');

    // remembered by the host: a fresh page lists it without typing the URL again
    await openBoards(page, 'micro_speech_quantized.tflite');
    await expect(card).toBeVisible();
    await expect(card.getByTestId('board-remote-host')).toHaveText(`127.0.0.1:${ser.rfc2217Port} · RFC 2217`);
  } finally {
    await ser.stop();
    board.child.kill();
  }
});

// Rule: a malformed remote URL is refused with a message naming the problem; the app stays usable.
test('a remote board URL without a port says so', async ({ page }) => {
  await openBoards(page, 'micro_speech_quantized.tflite');
  await page.getByTestId('board-remote-url').fill('rfc2217://lab-pi');
  await page.getByTestId('board-add-remote').click();
  await expect(page.getByTestId('error-banner')).toContainText(
    'rfc2217://lab-pi: no port (expected rfc2217://lab-pi:PORT)',
  );
  await page.getByTestId('error-dismiss').click();
  await expect(page.locator('[data-testid="board-card"][data-board-id="virtual"]')).toBeVisible();
});

/** A loopback TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise((ok) => server.close(ok));
  return port;
}

test('a remote board that does not answer says so in the banner, in place of an earlier action’s banner', async ({
  page,
}) => {
  await openBoards(page, 'micro_speech_quantized.tflite');
  const banner = page.getByTestId('error-banner');
  await page.getByTestId('board-path').fill('/dev/quantscope-no-such-port');
  await page.getByTestId('board-add-path').click();
  await expect(banner).toContainText('/dev/quantscope-no-such-port: no such port');

  const url = `socket://127.0.0.1:${await closedPort()}`;
  await page.getByTestId('board-remote-url').fill(url);
  await page.getByTestId('board-add-remote').click();
  const card = page.locator(`[data-testid="board-card"][data-board-id="${url}"]`);
  await expect(card).toHaveAttribute('data-status', 'not-a-board');
  // rule: a remote board that is listed but does not answer is an error of this action, said whole
  // in the banner (the card cuts its reason short), and the banner of the earlier probe is gone
  await expect(banner).toContainText(`Adding the remote board ${url}`);
  await expect(banner).toContainText((await card.getAttribute('title')) ?? '(no reason on the card)');
  await expect(banner).not.toContainText('no such port');
  // rule: the next action the user starts (a rescan) clears a banner of an earlier one
  await page.getByTestId('board-refresh').click();
  await expect(banner).toHaveCount(0);
  await expect(card).toBeVisible(); // still listed with its reason, probed again on each rescan
});
