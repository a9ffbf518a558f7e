/**
 * How the `quantscope` process ends: the documented exit codes (docs/cli.md) and the guards that
 * give every exit a message. A closed stdout (`quantscope … | head -1`) ends the process quietly;
 * an exception nobody caught, or a command left waiting on something that can never happen (the
 * event loop ran dry while the command was still pending: Node's silent exit code 13), becomes
 * one line on stderr and EXIT.INTERNAL.
 */

export const EXIT = {
  /** The command did what was asked (help and --version too). */
  OK: 0,
  /** The command failed: bad file, bad data, board error, layers differ with --fail-on-mismatch. */
  ERROR: 1,
  /** The command line is wrong: unknown command or option, missing argument. */
  USAGE: 2,
  /** A bug in QuantScope: an uncaught exception, or the command stopped with work pending. */
  INTERNAL: 3,
  /** `--fail-on mismatch`: a layer differs between the host and a board (results were written). */
  MISMATCH: 4,
  /** `--fail-on slower-than=PCT`: a board ran more than PCT % above its estimate (results were written). */
  SLOWER: 5,
  /** Interrupted with Ctrl-C (SIGINT) outside a command that handles it. */
  INTERRUPTED: 130,
} as const;

/** A command that ends with a code other than 1 and says why (`--fail-on` gates: MISMATCH, SLOWER). */
export class CommandExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'CommandExit';
  }
}

const debug = () => process.env.QUANTSCOPE_DEBUG === '1';

function say(line: string): void {
  try {
    process.stderr.write(`quantscope: ${line}\n`);
  } catch {
    // stderr is gone too: nothing left to tell
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message || e.name : String(e);
}

/**
 * A closed pipe on stdout means the reader has what it wanted: end at once with 0 and no
 * message (like `yes | head -1`). Errors on stderr are ignored (nowhere left to report them).
 */
export function quietOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.OK);
    say(`cannot write the output: ${e.message}`);
    process.exit(EXIT.ERROR);
  });
  process.stderr.on('error', () => undefined);
}

/**
 * Runs `command` (the CLI's main) so that the process never ends without a message: returns the
 * exit code to use once it settles; the guards exit on their own when something goes wrong.
 */
export async function guardedRun(command: () => Promise<number>): Promise<number> {
  let settled = false;
  const internal = (what: string, e?: unknown) => {
    say(
      `internal error: ${what}${debug() || e === undefined ? '' : ' (QUANTSCOPE_DEBUG=1 shows the stack)'}`,
    );
    if (debug() && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exit(EXIT.INTERNAL);
  };
  // The loop ran dry while the command still awaits: no timer, socket or process can settle it.
  process.on('beforeExit', () => {
    if (!settled)
      internal('the command stopped waiting on something that can never happen (nothing left to run)');
  });
  process.on('uncaughtException', (e) => internal(describe(e), e));
  process.on('unhandledRejection', (e) => internal(describe(e), e));
  // Commands that clean up on Ctrl-C (profile, serve) add their own listener and handle it.
  process.on('SIGINT', () => {
    if (process.listenerCount('SIGINT') > 1) return;
    say('interrupted');
    process.exit(EXIT.INTERRUPTED);
  });
  try {
    return await command();
  } finally {
    settled = true;
  }
}
