#!/usr/bin/env node
/**
 * Electron security check: runs Electronegativity over the app as one project (main + preload
 * sources, the renderer's HTML and TypeScript) and fails on any HIGH or MEDIUM finding. Its
 * global checks (CSP, navigation limits, permission handler) need every part in one scan, so the
 * files are copied into one temporary folder first. (The package's own CLI does not work with the
 * commander version installed at the top level, so its runner is called directly.)
 *
 * Usage: node scripts/check-electron-security.mjs [PATH ...]   (default: src-main src-renderer)
 */
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const run = require('@doyensec/electronegativity/dist/runner.js');
const electronVersion = require('electron/package.json').version;

const inputs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src-main', 'src-renderer'];
const FAIL_AT = new Set(['HIGH', 'MEDIUM']);
// Svelte components are not JavaScript the scanner can parse; their script logic lives in .ts files.
const SCANNED = /\.(ts|js|mjs|cjs|html|json)$/;

const scan = mkdtempSync(resolve(tmpdir(), 'qs-electronegativity-'));
for (const rel of inputs) {
  const from = resolve(root, rel);
  if (!existsSync(from)) {
    console.error(`check-electron-security: ${rel} does not exist`);
    process.exit(2);
  }
  cpSync(from, resolve(scan, basename(from)), {
    recursive: true,
    filter: (src) => !/\.[a-z]+$/i.test(src) || SCANNED.test(src),
  });
}

let result;
try {
  result = await run(
    {
      input: scan,
      customScan: [],
      excludeFromScan: [],
      isRelative: true,
      parserPlugins: [],
      // Offline: do not ask the network which Electron releases exist.
      electronVersionOverride: electronVersion,
    },
    false,
  );
} finally {
  rmSync(scan, { recursive: true, force: true });
}

let failed = 0;
for (const e of result.errors) console.warn(`  parse warning: ${e.file}: ${e.message}`);
for (const issue of result.issues) {
  const sev = issue.severity.name;
  const bad = FAIL_AT.has(sev);
  if (bad) failed++;
  console.log(
    `${bad ? 'FAIL' : 'ok  '} ${sev.padEnd(13)} ${issue.confidence.name.padEnd(9)} ${issue.id} ` +
      `${issue.file}:${issue.location.line}  ${issue.description}`,
  );
}
console.log(
  `\nElectronegativity (Electron ${electronVersion}): ${result.issues.length} finding(s), ` +
    `${failed} HIGH/MEDIUM in ${inputs.join(', ')}`,
);
process.exit(failed > 0 ? 1 : 0);
