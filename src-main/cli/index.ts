/**
 * The `quantscope` command line. Each command lives in `./commands/<name>.ts` and exports
 * `register(program)`; commands owned by later stages are picked up when their file exists.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ServiceError } from '../services/errors.ts';
import { appVersion } from '../services/paths.ts';
import { EXIT } from './exit.ts';
import { register as registerServe } from './commands/serve.ts';
import { register as registerSummary } from './commands/summary.ts';

/** Commands added by other stages (simulator, boards, quantization, report). */
const OPTIONAL_COMMANDS = ['run', 'boards', 'profile', 'quantize', 'report'];

export async function buildProgram(): Promise<Command> {
  const program = new Command('quantscope')
    .description('Inspect, simulate bit-exactly and profile int8 models for microcontrollers')
    .version(appVersion())
    .showHelpAfterError()
    .exitOverride();
  registerSummary(program);
  registerServe(program);
  for (const name of OPTIONAL_COMMANDS) {
    const url = new URL(`./commands/${name}.ts`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    const mod = (await import(url.href)) as { register?: (p: Command) => void };
    mod.register?.(program);
  }
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
    return EXIT.ERROR;
  }
}
