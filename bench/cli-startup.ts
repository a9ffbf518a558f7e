/**
 * `npm run bench:cli`: start-up time of the `quantscope` command. Wall time (median of N, default
 * 10) of `quantscope --version` and `quantscope summary examples/person_detect.tflite` through the
 * bin, with the CLI built into JavaScript (out/cli, the default) and, in the same run, through tsx
 * compiling the TypeScript sources at run time (QS_CLI_TSX=1, how every call ran before the build).
 * Runs alternate between the two so load from other processes hits both alike. Target: ≤ 0.3 s.
 * Also the CPU time of the process (user + system, read by a hook at exit), which load from other
 * processes on a shared machine changes far less than wall time.
 * Options: --runs N, --json.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const REPO = resolve(import.meta.dirname, '..');
const BIN = resolve(REPO, 'bin/quantscope.mjs');
const MODEL = resolve(REPO, 'examples/person_detect.tflite');
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 10;
const TARGET_S = 0.3;

const COMMANDS = { '--version': ['--version'], 'summary person_detect': ['summary', MODEL] } as const;
const MODES = { built: {}, tsx: { QS_CLI_TSX: '1' } } as const;

/** Prints the process's CPU seconds on fd 3 as it exits. */
const CPU_HOOK =
  "data:text/javascript,import{writeSync}from'node:fs';process.on('exit',()=>{const u=process.cpuUsage();writeSync(3,String((u.user+u.system)/1e6))})";

function once(args: readonly string[], env: Record<string, string>): { wall: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', CPU_HOOK, BIN, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`quantscope ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: Number(r.output[3]) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// the built mode measures a fresh build, not a rebuild on first use
spawnSync(process.execPath, [resolve(REPO, 'scripts/build-cli.mjs')], { stdio: 'inherit' });
const times: Record<string, Record<string, { wall: number; cpu: number }[]>> = {};
for (const [cmd, args] of Object.entries(COMMANDS)) {
  times[cmd] = { built: [], tsx: [] };
  for (const env of Object.values(MODES)) once(args, env); // warm the file cache
  for (let i = 0; i < RUNS; i++)
    for (const [mode, env] of Object.entries(MODES)) times[cmd][mode].push(once(args, env));
}

const med = (xs: { wall: number; cpu: number }[], k: 'wall' | 'cpu') => median(xs.map((x) => x[k]));
const rows = Object.entries(times).map(([command, t]) => ({
  command,
  built_s: med(t.built, 'wall'),
  tsx_s: med(t.tsx, 'wall'),
  built_cpu_s: med(t.built, 'cpu'),
  tsx_cpu_s: med(t.tsx, 'cpu'),
  speedup: med(t.tsx, 'wall') / med(t.built, 'wall'),
  within_target: med(t.built, 'wall') <= TARGET_S,
}));
if (process.argv.includes('--json')) {
  process.stdout.write(JSON.stringify({ runs: RUNS, target_s: TARGET_S, rows }, null, 1) + '\n');
} else {
  process.stdout.write(
    `quantscope start-up, wall time, median of ${RUNS} (built JS vs tsx from the sources, same run)\n\n` +
      `command                 wall: built      tsx  speedup  ≤ ${TARGET_S} s   cpu: built      tsx\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `${r.command.padEnd(22)} ${r.built_s.toFixed(3).padStart(13)} ${r.tsx_s.toFixed(3).padStart(8)} ${r.speedup.toFixed(1).padStart(7)}×  ${(r.within_target ? 'yes' : 'NO').padEnd(9)} ${r.built_cpu_s.toFixed(3).padStart(10)} ${r.tsx_cpu_s.toFixed(3).padStart(8)}\n`,
    );
}
if (rows.some((r) => !r.within_target)) process.exitCode = 1;
