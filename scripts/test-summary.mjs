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

// Each failed test with the first lines of its error, so the end of a CI log (often all one sees
// of it) says why, not only how many.
const strip = (t) => String(t ?? '').replace(/\u001b\[[0-9;]*m/g, '');
const firstLines = (t, n = 3) =>
  strip(t)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, n)
    .join(' | ')
    .slice(0, 400);
const why = [];
if (existsSync('test-results/vitest.json')) {
  const v = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  for (const f of v.testResults ?? [])
    for (const a of f.assertionResults ?? [])
      if (a.status === 'failed') why.push(`vitest ${a.fullName}: ${firstLines(a.failureMessages?.[0])}`);
}
if (existsSync('test-results/playwright.json')) {
  const p = JSON.parse(readFileSync('test-results/playwright.json', 'utf8'));
  const walk = (suite, path) => {
    for (const s of suite.suites ?? []) walk(s, [...path, s.title]);
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? []) {
        if (t.status !== 'unexpected' && t.status !== 'flaky') continue;
        const r = (t.results ?? []).find((x) => x.status !== 'passed') ?? {};
        const err = r.error?.message ?? r.errors?.[0]?.message;
        why.push(
          `playwright [${t.projectName}] ${[...path, spec.title].filter(Boolean).join(' › ')} (${Math.round((r.duration ?? 0) / 1000)} s): ${firstLines(err)}`,
        );
      }
  };
  walk(p, []);
}
if (why.length) {
  console.log(`\nFailed tests (${why.length}):`);
  for (const w of why.slice(0, 30)) console.log(`- ${w}`);
}

const nSteps = Number(failedSteps ?? 0);
if (nSteps > 0) console.log(`\nFailed steps: ${stepNames.join('; ')}`);
console.log('');
console.log(`${passed} passed, ${failed + nSteps} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed + nSteps > 0 ? 1 : 0);
