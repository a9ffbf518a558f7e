/**
 * The desktop app (Playwright `_electron`): the locked-down window opens the model named on the
 * command line, the renderer has no Node access, the native open dialog works, new windows are
 * denied. Configured only where an Electron binary exists (see electron-binary.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { fixturePath } from '../../helpers/fixtures.ts';
import { screenshot } from '../app-page.ts';
import { electronBinary } from './electron-binary.ts';

const REPO = resolve(import.meta.dirname, '../../..');

test('desktop window: model from --open, isolated renderer, native dialog, no new windows', async () => {
  const executablePath = electronBinary();
  if (!executablePath) throw new Error('No Electron binary: this project should not be configured');
  const args = [
    join(REPO, 'out/main/index.js'),
    '--open',
    fixturePath('models', 'rock_paper_scissors.tflite'),
  ];
  // Chromium's own sandbox cannot start as root (containers); the window keeps sandbox: true.
  if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  const app = await electron.launch({
    executablePath,
    args,
    env: { ...process.env, QS_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'qs-electron-config-')) },
  });
  try {
    const page = await app.firstWindow();
    await expect(page.locator('header')).toContainText('electron');
    await expect(page.getByTestId('header-model')).toHaveText('rock_paper_scissors.tflite');
    await expect(page.getByTestId('layer-count')).toHaveAttribute('data-count', '12');
    await expect(
      page.locator('[data-testid="metadata-value"][data-key="samplewise_norm.mean_and_std"]'),
    ).toHaveText('true');

    // contextIsolation + sandbox: no Node in the page, only the preload's one-function-per-call bridge.
    expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe(
      'undefined',
    );
    expect(await page.evaluate(() => typeof (window as unknown as { process?: unknown }).process)).toBe(
      'undefined',
    );
    expect(await page.evaluate(() => Object.keys(window.quantscope?.calls ?? {}))).toContain('model.open');

    // New windows are denied.
    const before = app.windows().length;
    await page.evaluate(() => window.open('https://example.com/'));
    await page.waitForTimeout(500);
    expect(app.windows().length).toBe(before);

    // The Open button uses the native dialog in Electron; answer it from the main process.
    const person = fixturePath('models', 'person_detect.tflite');
    await app.evaluate(({ dialog }, path) => {
      dialog.showOpenDialog = (async () => ({
        canceled: false,
        filePaths: [path],
      })) as typeof dialog.showOpenDialog;
    }, person);
    await page.getByTestId('open-button').click();
    await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
    await expect(page.getByTestId('layer-count')).toHaveAttribute('data-count', '31');
    await screenshot(page, 'electron-person_detect');
  } finally {
    await app.close();
  }
});
