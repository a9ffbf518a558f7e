/**
 * The documentation's screenshots (issue 19): each view of the bundled example — model layers and
 * graph, a simulation, a profile on the virtual board, a quantization report, the history — in the
 * light and the dark theme at 1400×900 and 1024×768, as a user would paste them into a bug report.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { fixturePath } from '../helpers/fixtures.ts';
import { writePhotoPngs } from '../helpers/photo-pngs.ts';
import { openApp, openModelFile } from '../e2e/app-page.ts';

const OUT = resolve(import.meta.dirname, '../../docs/screenshots');
const SIZES = [
  { width: 1400, height: 900 },
  { width: 1024, height: 768 },
];
const THEMES = ['light', 'dark'] as const;

async function shot(page: Page, name: string, size: { width: number }, theme: string): Promise<void> {
  await page.waitForTimeout(300); // let charts and the graph finish their layout
  await page.screenshot({ path: join(OUT, `${name}-${size.width}-${theme}.png`) });
}

for (const size of SIZES)
  for (const theme of THEMES)
    test(`every view at ${size.width}×${size.height}, ${theme}`, async ({ page }) => {
      mkdirSync(OUT, { recursive: true });
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: theme });
      await openApp(page);
      await page.getByTestId('view-model').click();
      await page.getByTestId('tab-layers').click();
      await shot(page, 'model-layers', size, theme);
      await page.getByTestId('tab-graph').click();
      await shot(page, 'model-graph', size, theme);

      await page.getByTestId('view-simulate').click();
      await page
        .getByTestId('sim-file-input')
        .setInputFiles(fixturePath('data', 'tflm_person_gray_u8_96x96.npy'));
      await page.getByTestId('sim-run').click();
      await expect(page.getByTestId('top-class')).toBeVisible({ timeout: 60_000 });
      await shot(page, 'simulate', size, theme);

      await page.getByTestId('view-board').click();
      await page.locator('[data-testid="board-card"][data-board-id="virtual"]').click();
      await page.getByTestId('board-profile').click();
      await expect(page.getByTestId('compare-verdict')).toBeVisible({ timeout: 60_000 });
      await shot(page, 'compare', size, theme);

      if ((await page.getByTestId('view-history').count()) > 0) {
        await page.getByTestId('view-history').click();
        await shot(page, 'history', size, theme);
      }

      await openModelFile(
        page,
        fixturePath('float', 'image_example1.float32.tflite'),
        'image_example1.float32.tflite',
      );
      await page.getByTestId('view-quantize').click();
      const photos = writePhotoPngs(mkdtempSync(join(tmpdir(), 'qs-docs-')), 32, 21);
      await page.getByTestId('q-data-input').setInputFiles(photos);
      await page.getByTestId('q-run').click();
      await expect(page.getByTestId('quant-report')).toBeVisible({ timeout: 120_000 });
      await shot(page, 'quantize-report', size, theme);
    });
