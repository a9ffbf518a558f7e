/**
 * The desktop app end to end: launch the built app in Electron, see the bundled example model,
 * check the renderer is isolated (no Node, only the preload's API), and that navigation and
 * new windows are refused.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'test-results', 'electron');

let app: ElectronApplication;
let page: Page;

test.beforeAll(async () => {
  app = await electron.launch({
    args: [ROOT, ...(process.env.CI ? ['--no-sandbox'] : [])],
    env: { ...process.env, QS_CONFIG_DIR: join(ROOT, 'test-results', 'electron', 'config') },
  });
  page = await app.firstWindow();
});

test.afterAll(async () => {
  await app?.close();
});

test('opens on the bundled example model', async () => {
  await expect(page).toHaveTitle(/QuantScope/);
  await expect(page.locator('header')).toContainText(/electron · v\d/);
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
  await expect(page.getByTestId('model-view')).toBeVisible();
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, 'person_detect.png') });
});

test('the renderer has no Node globals and sees only the API', async () => {
  const globals = await page.evaluate(() => ({
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
    api: Object.keys((window as unknown as { quantscope: { calls: object } }).quantscope.calls).sort(),
  }));
  expect(globals.require).toBe('undefined');
  expect(globals.process).toBe('undefined');
  expect(globals.api).toContain('model.open');
});

test('calls cross IPC with validation and typed errors', async () => {
  const r = await page.evaluate(async () => {
    const qs = (
      window as unknown as { quantscope: { calls: Record<string, (a?: unknown) => Promise<unknown>> } }
    ).quantscope;
    return {
      bad: await qs.calls['model.open']({ path: 42 }),
      missing: await qs.calls['model.open']({ path: '/no/such/model.tflite' }),
      examples: await qs.calls['model.examples'](),
    };
  });
  expect(r.bad).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
  // A path no dialog or command line granted is refused, existing or not (services/path-policy.ts).
  expect(r.missing).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_PATH' } });
  expect(r.examples).toMatchObject({ ok: true });
});

test('navigation and new windows are refused', async () => {
  const before = page.url();
  await page.evaluate(() => {
    window.open('https://example.com');
    window.location.href = 'https://example.com';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
  expect(app.windows().length).toBe(1);
});
