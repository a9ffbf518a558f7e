/**
 * Bad files never break the app: each shows the error banner naming the problem, the banner can be
 * dismissed, and a good model opens afterwards.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { PNG } from 'pngjs';
import { fixturePath } from '../helpers/fixtures.ts';
import { openApp, openModelFile, screenshot } from './app-page.ts';

function pngBytes(): Buffer {
  const png = new PNG({ width: 8, height: 8 });
  png.data.fill(200);
  return PNG.sync.write(png);
}

async function openBytes(page: Page, name: string, buffer: Buffer): Promise<void> {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
}

const person = fixturePath('models', 'person_detect.tflite');
const BAD_FILES: { what: string; name: string; bytes: () => Buffer; message: RegExp }[] = [
  { what: 'a PNG renamed .tflite', name: 'photo.tflite', bytes: pngBytes, message: /photo\.tflite/ },
  { what: 'an empty file', name: 'empty.tflite', bytes: () => Buffer.alloc(0), message: /empty/i },
  {
    what: 'a truncated model',
    name: 'truncated.tflite',
    bytes: () => readFileSync(person).subarray(0, 4096),
    message: /truncated\.tflite/,
  },
  {
    what: 'random bytes named .h5',
    name: 'noise.h5',
    bytes: () => Buffer.from('not an HDF5 file at all'),
    message: /noise\.h5/,
  },
];

for (const bad of BAD_FILES) {
  test(`${bad.what} shows the error banner and the app stays usable`, async ({ page }) => {
    await openApp(page);
    await openBytes(page, bad.name, bad.bytes());
    const banner = page.getByTestId('error-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toHaveAttribute('data-code', 'MALFORMED_MODEL');
    await expect(page.getByTestId('error-context')).toContainText(bad.name);
    await expect(page.getByTestId('error-message')).toHaveText(bad.message);
    await screenshot(page, `error-${bad.name}`);

    await page.getByTestId('error-dismiss').click();
    await expect(banner).toBeHidden();
    await openModelFile(page, person, 'person_detect.tflite');
    await expect(page.getByTestId('layer-count')).toHaveAttribute('data-count', '31');
  });
}

test('a bad file after a good one keeps the open model, and Esc dismisses the banner', async ({ page }) => {
  await openApp(page);
  await openModelFile(page, fixturePath('models', 'hello_world_int8.tflite'), 'hello_world_int8.tflite');
  await openBytes(page, 'photo.tflite', pngBytes());
  await expect(page.getByTestId('error-banner')).toBeVisible();
  await expect(page.getByTestId('header-model')).toHaveText('hello_world_int8.tflite');
  await expect(page.getByTestId('layer-count')).toHaveAttribute('data-count', '3');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('error-banner')).toBeHidden();
});
