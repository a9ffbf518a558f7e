#!/usr/bin/env bash
# `npm test`: every test suite. Each step runs even if an earlier one failed; the last line sums the
# test cases of vitest and Playwright ("N passed, N failed") and the exit code is non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
mkdir -p test-results
rm -f test-results/vitest.json test-results/playwright.json

failed_steps=()
step() {
  local name="$1"
  shift
  printf '\n=== %s\n' "$name"
  "$@" || failed_steps+=("$name")
}

step "format (prettier --check)" npx prettier --check --log-level warn .
step "typecheck (tsc)" npx tsc --noEmit -p tsconfig.json
step "typecheck (svelte-check)" npx svelte-check --tsconfig ./tsconfig.json --output human --fail-on-warnings
step "build (electron-vite: main, preload, renderer)" npx electron-vite build --logLevel warn
step "firmware: C unit tests, goldens, fuzz (ASan/UBSan)" make -s -C firmware test
step "unit and integration tests (vitest)" \
  npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
step "browser e2e (Playwright, Debian Chromium, web host)" \
  env PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright.json npx playwright test --reporter=list,json
step "Electron security (Electronegativity: no HIGH/MEDIUM)" node scripts/check-electron-security.mjs

node scripts/test-summary.mjs "${#failed_steps[@]}" "${failed_steps[@]}"
