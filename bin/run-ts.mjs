#!/usr/bin/env node
// Run a TypeScript script with tsx: `node bin/run-ts.mjs path/to/script.ts [args...]`.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

const [script, ...rest] = process.argv.slice(2);
if (!script) {
  process.stderr.write('usage: node bin/run-ts.mjs SCRIPT.ts [args...]\n');
  process.exit(2);
}
// Both hooks: .ts files outside an ES-module package are loaded through the CommonJS loader.
register();
registerCjs();
process.argv = [process.argv[0], resolve(script), ...rest];
await import(pathToFileURL(resolve(script)).href);
