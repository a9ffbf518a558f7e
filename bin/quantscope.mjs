#!/usr/bin/env node
// The `quantscope` command. Runs the CLI built into plain JavaScript (out/cli/quantscope.mjs, made by
// `npm run build:cli` / npm ci's prepare); a missing or stale build (a source listed in
// out/cli/inputs.json is newer) is rebuilt here first. Where it cannot be built (no esbuild, a
// read-only install), or with QS_CLI_TSX=1, the TypeScript sources run through tsx instead.
import { readFileSync, statSync } from 'node:fs';

const out = new URL('../out/cli/', import.meta.url);

function fresh() {
  try {
    const built = statSync(new URL('quantscope.mjs', out)).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(new URL('inputs.json', out), 'utf8'));
    return inputs.every((p) => statSync(p).mtimeMs <= built);
  } catch {
    return false; // no build yet, or a source was removed
  }
}

async function built() {
  if (process.env.QS_CLI_TSX === '1') return false;
  if (fresh()) return true;
  try {
    const { buildCli } = await import('../scripts/build-cli.mjs');
    await buildCli();
    return true;
  } catch (e) {
    if (process.env.QUANTSCOPE_DEBUG === '1') process.stderr.write(`quantscope: CLI build failed: ${e}\n`);
    return false;
  }
}

if (await built()) {
  await import(new URL('quantscope.mjs', out).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src-main/cli/main.ts');
}
