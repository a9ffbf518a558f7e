/**
 * `npm run docs:screenshots`: every view in both themes at both sizes, written to docs/screenshots/
 * (linked from README and docs/screenshots.md). The same web host and Chromium as the e2e tests;
 * run it after a UI change and commit the images.
 */
import { defineConfig } from '@playwright/test';
import base from './playwright.config.ts';

export default defineConfig({
  ...base,
  projects: [{ name: 'docs' }],
  testDir: 'test/docs',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/docs',
  timeout: 600_000,
});
