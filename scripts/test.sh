#!/usr/bin/env bash
# `npm test`: every test suite. Each step prints its own summary; the script stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1

step() { printf '\n=== %s\n' "$*"; }

step "typecheck"
npx tsc --noEmit -p tsconfig.json

step "build (electron-vite: main, preload, renderer)"
npx electron-vite build >/dev/null

step "firmware: C unit tests, goldens, fuzz (ASan/UBSan)"
make -C firmware test

step "unit and integration tests (vitest)"
npx vitest run

step "browser e2e (Playwright, Debian Chromium, web host)"
npx playwright test

step "Electron security (Electronegativity: no HIGH/MEDIUM)"
node scripts/check-electron-security.mjs
