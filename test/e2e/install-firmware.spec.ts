/**
 * "Install QuantScope firmware" end to end: a typed port that does not answer the handshake (a socat
 * pty with nobody behind it) is offered the install; the dialog goes offer → confirm → progress →
 * failed for a folder that is not a kit's drive (nothing written), then → done for a folder that
 * looks like a NUCLEO's ST-LINK drive (the image is on it; the port still does not answer, and the
 * dialog says what to do).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';
import { openApp } from './app-page.ts';

// rule: a kit that does not answer is offered the install; the dialog confirms before writing,
// shows progress, and ends done or failed with a clear message
test('install dialog: offer, confirm, progress, failed on a non-kit folder, done on the kit drive', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), 'qs-e2e-install-'));
  const link = join(dir, 'kit-port');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${link}`, `pty,raw,echo=0,link=${join(dir, 'b')}`], {
    stdio: 'ignore',
  });
  try {
    for (let i = 0; i < 50 && !existsSync(link); i++) await new Promise((r) => setTimeout(r, 50));
    // the link's own path, as a user may type it: /dev/pts/N numbers are reused between specs, and one
    // an earlier spec's board session still holds reads as busy (not what this test is about)
    const port = link;
    const notKit = join(dir, 'Documents');
    mkdirSync(notKit);
    writeFileSync(join(notKit, 'todo.txt'), 'x');
    const kit = join(dir, 'NODE_F446RE');
    mkdirSync(kit);
    writeFileSync(join(kit, 'DETAILS.TXT'), 'Version: V2J40M27\r\nBuild:   Nov 14 2022\r\n');
    writeFileSync(join(kit, 'MBED.HTM'), '<html></html>');

    await openApp(page);
    await page.getByTestId('view-board').click();
    // the first scan done (a path typed during it would join that scan, which has no typed paths)
    await expect(page.locator('[data-testid="board-card"][data-board-id="virtual"]')).toBeVisible();
    await page.getByTestId('board-path').fill(port);
    await page.getByTestId('board-add-path').click();
    await expect(page.locator(`[data-testid="board-card"][data-board-id="${port}"]`)).toHaveAttribute(
      'data-status',
      'not-a-board',
      { timeout: 30_000 },
    );
    const banner = page.getByTestId('error-dismiss');
    if (await banner.isVisible()) await banner.click();

    // offer → confirm → progress → failed: a folder that is not a kit's drive
    await page.locator(`[data-testid="board-install"][data-board-id="${port}"]`).click();
    const dialog = page.getByTestId('install-dialog');
    await expect(dialog).toBeVisible();
    await page.getByTestId('install-drive').fill(notKit);
    await page.getByTestId('install-next').click();
    await expect(page.getByTestId('install-confirm-text')).toContainText(notKit);
    await page.getByTestId('install-confirm').click();
    await expect(page.getByTestId('install-failed')).toContainText(
      "does not look like a dev kit's USB drive",
      {
        timeout: 30_000,
      },
    );
    expect(readdirSync(notKit)).toEqual(['todo.txt']);

    // back → the kit's drive → confirm → progress → done
    await dialog.getByRole('button', { name: 'Back' }).click();
    await page.getByTestId('install-drive').fill(kit);
    await page.getByTestId('install-next').click();
    await page.getByTestId('install-confirm').click();
    await expect(page.getByTestId('progress')).toBeVisible();
    await expect(page.getByTestId('install-done')).toContainText(
      /Copied \d+ bytes to .*qs-nucleo\.bin \(ST-LINK V2J40M27\)/,
      {
        timeout: 180_000,
      },
    );
    await expect(page.getByTestId('install-done')).toContainText('does not answer the handshake yet');
    expect(statSync(join(kit, 'qs-nucleo.bin')).size).toBeGreaterThan(10_000);
    await page.getByTestId('install-close').click();
    await expect(dialog).toBeHidden();
  } finally {
    socat.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
