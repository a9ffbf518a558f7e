// Prints the closing line of `npm test`: test cases passed/failed across vitest and Playwright,
// plus any step (typecheck, firmware, security) that failed. Exit code 1 if anything failed.
import { existsSync, readFileSync } from 'node:fs';

const [failedSteps, ...stepNames] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

if (existsSync('test-results/vitest.json')) {
  const v = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  passed += v.numPassedTests ?? 0;
  failed += v.numFailedTests ?? 0;
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
}
if (existsSync('test-results/playwright.json')) {
  const p = JSON.parse(readFileSync('test-results/playwright.json', 'utf8'));
  passed += p.stats?.expected ?? 0;
  failed += (p.stats?.unexpected ?? 0) + (p.stats?.flaky ?? 0);
  skipped += p.stats?.skipped ?? 0;
}

const nSteps = Number(failedSteps ?? 0);
if (nSteps > 0) console.log(`\nFailed steps: ${stepNames.join('; ')}`);
console.log('');
console.log(`${passed} passed, ${failed + nSteps} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed + nSteps > 0 ? 1 : 0);
