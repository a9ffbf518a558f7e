/**
 * Runs the `quantscope` CLI as its own process — `node bin/quantscope.mjs ARGS`, the package bin, as
 * a user or a CI script runs it — and returns its exit code with what it wrote to stdout and stderr:
 * a non-zero exit is a result to assert on, not a throw. (helpers/cli.ts runs the CLI's `main` inside
 * the test process instead.) Shared by the CLI and board tests.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './fixtures.ts';

/** The package bin. */
export const BIN = join(REPO, 'bin', 'quantscope.mjs');

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ProcessOptions {
  /** ms before the process is killed (then this throws); none by default */
  timeout?: number;
  /** the whole environment; this process's by default */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const execFileAsync = promisify(execFile);

/** `node ARGS` (this Node binary), up to 64 MiB of output on each stream. */
export async function runNode(args: string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, args, { maxBuffer: 64 << 20, ...opts });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code?: unknown; stdout?: string; stderr?: string };
    // an exit code is the command's answer; a kill (timeout), an overflow or a failed spawn is not
    if (typeof x.code !== 'number') throw e;
    return { code: x.code, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

/** `node bin/quantscope.mjs ARGS`. */
export function runQuantscope(args: string[], opts?: ProcessOptions): Promise<ProcessResult> {
  return runNode([BIN, ...args], opts);
}
