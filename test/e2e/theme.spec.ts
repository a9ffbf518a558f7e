/** Dark theme (issue 19 item 7): follows the OS colour scheme, with a toggle that overrides it. */
import { expect, test } from './fixtures.ts';
import type { Page } from '@playwright/test';
import { openApp, screenshot } from './app-page.ts';

/** Perceived lightness (0..255) of the page background. */
async function bodyLightness(page: Page): Promise<number> {
  const rgb = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

test('the theme follows prefers-color-scheme; the toggle cycles dark → light → system and is remembered', async ({
  page,
}) => {
  // rule: with the OS in dark mode the app opens dark
  await page.emulateMedia({ colorScheme: 'dark' });
  await openApp(page);
  expect(await bodyLightness(page)).toBeLessThan(60);
  // rule: with the OS in light mode (and no choice made) the app is light
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(() => bodyLightness(page)).toBeGreaterThan(200);

  const toggle = page.getByTestId('theme-toggle');
  await expect(toggle).toHaveAttribute('data-theme-choice', 'system');
  // rule: the toggle overrides the OS: dark on a light OS …
  await toggle.click();
  await expect(toggle).toHaveAttribute('data-theme-choice', 'dark');
  expect(await bodyLightness(page)).toBeLessThan(60);
  // rule: … and the choice survives a reload
  await page.reload();
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-theme-choice', 'dark');
  expect(await bodyLightness(page)).toBeLessThan(60);
  await page.getByTestId('tab-graph').click();
  await screenshot(page, 'person_detect-graph-dark');
  // rule: light on a dark OS, then back to following the system
  await page.emulateMedia({ colorScheme: 'dark' });
  await toggle.click();
  await expect(toggle).toHaveAttribute('data-theme-choice', 'light');
  expect(await bodyLightness(page)).toBeGreaterThan(200);
  await toggle.click();
  await expect(toggle).toHaveAttribute('data-theme-choice', 'system');
  await expect.poll(() => bodyLightness(page)).toBeLessThan(60);
});
