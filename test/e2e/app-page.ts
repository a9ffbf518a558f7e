/** Page helpers shared by the e2e specs: open the app, open a model, read what the UI shows. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';

export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

export function hostUrl(): string {
  const url = process.env.QS_E2E_URL;
  if (!url) throw new Error('QS_E2E_URL is not set: the global setup did not start the web host');
  return url;
}

/**
 * Load the app and wait until it has talked to the host (header shows the host kind) and the
 * start-up model the host names (the bundled example) has finished opening.
 */
export async function openApp(page: Page): Promise<void> {
  await page.goto(hostUrl());
  // below 1400 px the file panel starts hidden (the view keeps the width)
  if ((page.viewportSize()?.width ?? 1440) >= 1400)
    await expect(page.getByTestId('side-panel')).toBeVisible();
  await expect(page.locator('header')).toContainText(/web · v\d/);
  await expect(page.getByTestId('progress')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
}

/** Id of the model on screen (each open gets a new one), or null. */
async function shownModelId(page: Page): Promise<string | null> {
  const view = page.getByTestId('model-view');
  return (await view.count()) > 0 ? view.getAttribute('data-model-id') : null;
}

/**
 * Open a model file through the browser file input and wait for ITS model view: a new model id,
 * even when the same file name was already shown (e.g. the start-up example).
 */
export async function openModelFile(page: Page, path: string, name: string): Promise<void> {
  const before = await shownModelId(page);
  await page.getByTestId('file-input').setInputFiles(path);
  await expect.poll(() => shownModelId(page), { timeout: 30_000 }).not.toBe(before);
  await expect(page.getByTestId('header-model')).toHaveText(name);
  await expect(page.getByTestId('model-view')).toBeVisible();
}

/** Op type → count as listed in the summary panel. */
export async function shownOpCounts(page: Page): Promise<Record<string, number>> {
  const entries = page.getByTestId('op-type');
  const out: Record<string, number> = {};
  for (const e of await entries.all()) {
    const op = (await e.getAttribute('data-op')) ?? '';
    out[op] = Number(await e.getByTestId('op-type-count').textContent());
  }
  return out;
}

/** Layer rows currently rendered by the virtualized table: index → op. */
export async function renderedRows(page: Page): Promise<Map<number, string>> {
  const rows = new Map<number, string>();
  for (const r of await page.getByTestId('layer-row').all()) {
    rows.set(
      Number(await r.getAttribute('data-index')),
      ((await r.getByTestId('layer-op').textContent()) ?? '').replace(/\?$/, '').trim(),
    );
  }
  return rows;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/**
 * Wait for a profile's verdict. A profile that fails shows the error banner instead: fail at once
 * with its text (not after the whole timeout); one that never ends fails naming the step the
 * progress bar was on, so a CI log's last lines say where a profile stuck.
 */
export async function expectVerdict(page: Page, timeout: number): Promise<void> {
  const verdict = page.getByTestId('compare-verdict').first();
  // allInnerTexts() reads what is there now; innerText() would wait for an element that went away
  const texts = async (id: string) =>
    (await page.getByTestId(id).allInnerTexts()).join(' ').replace(/\s+/g, ' ').trim();
  const end = Date.now() + timeout;
  let lastStep = '';
  while (Date.now() < end) {
    if (await verdict.isVisible()) return;
    const banner = await texts('error-banner');
    if (banner) throw new Error(`the profile failed: ${banner}`);
    lastStep = (await texts('progress')) || lastStep;
    await page.waitForTimeout(250);
  }
  throw new Error(
    `no verdict within ${timeout / 1000} s; the progress bar last said: ${lastStep || '(nothing)'}`,
  );
}
