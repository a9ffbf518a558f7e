/**
 * The `test` every web spec uses: after each test, the page must not have thrown an uncaught
 * error nor violated its Content-Security-Policy (index.html's strict meta policy).
 */
import { test as base, expect } from '@playwright/test';

export const test = base.extend<{ pageHealth: void }>({
  pageHealth: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text()))
          problems.push(`CSP: ${m.text()}`);
      });
      await use();
      expect(problems, 'page errors and CSP violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
