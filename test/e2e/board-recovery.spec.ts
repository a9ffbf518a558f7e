/**
 * Long work is visible and recoverable (issue 19), in the browser: the first profile on the
 * virtual board shows "Building firmware for the virtual board" while make runs (a web host of
 * its own, on a copy of the firmware sources with nothing built), a virtual board killed while
 * idle is reported within 2 s in plain words, and "Restart board" brings it back for the next
 * profile.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from './fixtures.ts';
import { expectVerdict, screenshot } from './app-page.ts';

const REPO = resolve(import.meta.dirname, '../..');
const URL_PATTERN = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/;

/** The host's own children running `name` (never anyone else's processes). */
function childPids(parent: number, name: string): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent), '-x', name])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

let host: ChildProcess;
let url: string;
let scratch: string;

test.beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'qs-e2e-live-'));
  const firmware = join(scratch, 'firmware');
  cpSync(join(REPO, 'firmware'), firmware, {
    recursive: true,
    filter: (src) => !src.includes('/firmware/build'),
  });
  host = spawn(process.execPath, [join(REPO, 'bin/quantscope.mjs'), 'serve', '--port', '0'], {
    cwd: REPO,
    env: { ...process.env, QS_CONFIG_DIR: join(scratch, 'config'), QS_FIRMWARE_DIR: firmware },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`no URL within 60 s:\n${out}`)), 60_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = URL_PATTERN.exec(out);
      if (m) (clearTimeout(timer), ok(m[0]));
    };
    host.stdout!.on('data', onData);
    host.stderr!.on('data', onData);
    host.once('exit', (code) => fail(new Error(`serve exited (code ${code}):\n${out}`)));
  });
});

test.afterAll(async () => {
  if (host && host.exitCode === null) {
    const exited = new Promise((ok) => host.once('exit', ok));
    host.kill();
    await exited;
  }
  rmSync(scratch, { recursive: true, force: true });
});

// rule: the building step is shown; killed board → plain message within 2 s; "Restart board" works
test('the firmware build is a visible step; a killed board is reported within 2 s and restarts', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto(url);
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite', { timeout: 30_000 });
  await expect(page.getByTestId('progress')).toHaveCount(0, { timeout: 30_000 });
  await page.getByTestId('view-board').click();
  await expect(page.locator('[data-testid="board-card"][data-board-id="virtual"]')).toBeVisible();
  await page.getByTestId('board-seed').fill('3');

  // nothing is built yet: the profile starts with make, shown as its own step with the seconds
  await page.getByTestId('board-profile').click();
  await expect(page.getByTestId('progress')).toContainText(
    /Building firmware for the virtual board \(make -C firmware host\) · \d+ s/,
    { timeout: 30_000 },
  );
  await screenshot(page, 'boards-building-firmware');
  await expectVerdict(page, 240_000);
  await expect(page.getByTestId('board-stopped')).toHaveCount(0);

  // the virtual board dies while idle: the view says so within 2 s, without errno words
  const [pid] = childPids(host.pid!, 'qs-board');
  expect(pid).toBeGreaterThan(0);
  process.kill(pid, 'SIGKILL');
  const notice = page.getByTestId('board-stopped');
  await expect(notice).toBeVisible({ timeout: 2000 });
  await expect(page.getByTestId('board-stopped-message')).toHaveText(
    'The virtual board stopped: its process was killed (SIGKILL). Restart the board to start it again.',
  );
  const card = page.locator('[data-testid="board-card"][data-board-id="virtual"]');
  await expect(card).toHaveAttribute('data-stopped', 'true');
  await expect(card).toContainText('stopped');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  await screenshot(page, 'boards-board-killed');

  // "Restart board" starts a new one; the next profile runs on it
  await page.getByTestId('board-restart').click();
  await expect(notice).toHaveCount(0, { timeout: 30_000 });
  await expect(card).not.toHaveAttribute('data-stopped', 'true');
  const [again] = childPids(host.pid!, 'qs-board');
  expect(again).toBeGreaterThan(0);
  expect(again).not.toBe(pid);
  await page.getByTestId('board-seed').fill('4');
  await page.getByTestId('board-profile').click();
  await expect(page.getByTestId('compare-summary')).toContainText('input seed 4', { timeout: 60_000 });
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});
