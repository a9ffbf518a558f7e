#!/usr/bin/env node
/**
 * Builds the `quantscope` CLI into plain JavaScript (esbuild): out/cli/quantscope.mjs (the CLI) and
 * out/cli/job-worker.mjs (the worker `serve` runs jobs in). npm packages stay external (loaded from
 * node_modules, the heavy ones only by the commands that use them); our TypeScript is bundled.
 * out/cli/inputs.json lists every source file of the build, so bin/quantscope.mjs can tell a stale
 * build from a fresh one with a stat per file.
 *
 * `node scripts/build-cli.mjs` (npm run build:cli, and npm ci's prepare). Also imported by the bin.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUT = join(root, 'out', 'cli');

/** Builds into a fresh temporary folder, then moves each file into place (concurrent builds are safe). */
export async function buildCli() {
  const { build } = await import('esbuild');
  const tmp = join(root, 'out', `.cli-${process.pid}-${Date.now()}`);
  try {
    const result = await build({
      entryPoints: {
        quantscope: join(root, 'src-main/cli/main.ts'),
        'job-worker': join(root, 'src-main/services/jobs/worker.ts'),
      },
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      metafile: true,
      logLevel: 'error',
      legalComments: 'none',
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(root, p));
    writeFileSync(join(tmp, 'inputs.json'), JSON.stringify({ inputs }));
    mkdirSync(CLI_OUT, { recursive: true });
    // inputs.json last: the bin trusts the bundle only once the list of its inputs is in place
    for (const f of ['job-worker.mjs', 'quantscope.mjs', 'inputs.json'])
      renameSync(join(tmp, f), join(CLI_OUT, f));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return join(CLI_OUT, 'quantscope.mjs');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const t0 = performance.now();
  const out = await buildCli();
  process.stdout.write(`built ${out} in ${Math.round(performance.now() - t0)} ms\n`);
}
