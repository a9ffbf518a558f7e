/**
 * Runs the `quantscope` CLI in this process (its `main`), capturing what it writes to stdout and
 * stderr, and returns the exit code with both texts. Shared by the CLI tests.
 */
import { main } from '../../src-main/cli/index.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function cli(...args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await main(args), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

/** `quantscope profile MODEL --board virtual --input INPUT --fail-on-mismatch`: the model on the
 * virtual board (the core built natively, behind the serial protocol), every layer compared with
 * the host simulator. */
export function profileOnVirtualBoard(model: string, input: string): Promise<CliResult> {
  return cli('profile', model, '--board', 'virtual', '--input', input, '--fail-on-mismatch');
}
