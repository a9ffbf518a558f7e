/**
 * Electron e2e (Playwright `_electron`): only meaningful where an Electron binary is installed.
 * Run through `npm run test:electron` (scripts/test-electron.mjs), which builds first and reports
 * "not applicable" instead of running when there is no binary. Not part of `npm test`.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../../test-results/electron',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
});
