/**
 * The `quantscope` command line. Each command lives in `./commands/<name>.ts` and exports
 * `register(program)`. Imported statically so the CLI bundles into one file (scripts/build-cli.mjs);
 * heavy libraries (h5wasm, serialport, ws, tfjs, the WASM core) are loaded by the code that uses
 * them, on first use, so `--version` and `summary` start fast.
 */
import { Command, CommanderError } from 'commander';
import { ServiceError } from '../services/errors.ts';
import { appVersion } from '../services/paths.ts';
import { CommandExit, EXIT } from './exit.ts';
import { register as registerBoards } from './commands/boards.ts';
import { register as registerCompare } from './commands/compare.ts';
import { register as registerProfile } from './commands/profile.ts';
import { register as registerQuantize } from './commands/quantize.ts';
import { register as registerReport } from './commands/report.ts';
import { register as registerRun } from './commands/run.ts';
import { register as registerServe } from './commands/serve.ts';
import { register as registerSummary } from './commands/summary.ts';

export async function buildProgram(): Promise<Command> {
  const program = new Command('quantscope')
    .description('Inspect, simulate bit-exactly and profile int8 models for microcontrollers')
    .version(appVersion())
    .showHelpAfterError()
    .exitOverride();
  registerSummary(program);
  registerServe(program);
  for (const register of [
    registerRun,
    registerBoards,
    registerProfile,
    registerCompare,
    registerQuantize,
    registerReport,
  ])
    register(program);
  return program;
}

/** Run the CLI; returns the exit code (EXIT: 0 ok, 1 error, 2 usage; see docs/cli.md). */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help/version exit 0; usage errors were already printed by commander
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    const message = e instanceof ServiceError || e instanceof Error ? e.message : String(e);
    process.stderr.write(`quantscope: ${message || 'failed with no message'}\n`);
    return e instanceof CommandExit ? e.code : EXIT.ERROR;
  }
}
