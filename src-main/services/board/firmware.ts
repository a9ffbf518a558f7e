/** Where the firmware builds live, and building them on demand with make (npm scripts do the same). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../paths.ts';
import { EMULATED_BOARDS, type FirmwareTarget } from './emulated-boards.ts';
import { isNotFound, missingToolInMakeOutput, missingToolMessage } from './toolchain.ts';

export type { FirmwareTarget } from './emulated-boards.ts';

export function firmwareDir(): string {
  // from the package root, so the sources (tsx) and the CLI bundle (out/cli) find the same folder
  return process.env.QS_FIRMWARE_DIR ?? join(appRoot(), 'firmware');
}

export function firmwareArtifact(target: FirmwareTarget): string {
  return join(firmwareDir(), 'build', target === 'host' ? 'host/qs-board' : `${target}/qs-${target}.elf`);
}

/** A firmware build that failed: a missing tool named in one line, or the compiler's output. */
export class FirmwareBuildError extends Error {
  constructor(
    readonly target: FirmwareTarget,
    message: string,
  ) {
    super(message);
    this.name = 'FirmwareBuildError';
  }
}

/** What a build reports while it runs: the step (once, when make has work to do) and, every
 * second, the time spent so far. The firmware is one compiler run, so time is the honest measure. */
export type BuildProgress = (step: { message: string; elapsedMs: number }) => void;

interface Build {
  done: Promise<string>;
  listeners: Set<BuildProgress>;
}

/** Builds under way, per folder and target: boards started together share one make run. */
const building = new Map<string, Build>();

/** How often a running build reports its elapsed time. */
const TICK_MS = 1000;

/**
 * Runs `make -C firmware <target>` (a no-op when up to date) and returns the artifact path. A
 * missing make or compiler is one line naming what to install (toolchain.ts); a failed compile
 * carries the compiler's output. `onProgress` hears "Building firmware for <board>" and the
 * elapsed time only when there is something to build (`make -q` says the artifact is stale).
 */
export function buildFirmware(target: FirmwareTarget, onProgress?: BuildProgress): Promise<string> {
  const key = `${firmwareDir()}\0${target}`;
  let build = building.get(key);
  if (!build) {
    const listeners = new Set<BuildProgress>();
    const b: Build = {
      listeners,
      done: make(target, (step) => listeners.forEach((l) => l(step))).finally(() => building.delete(key)),
    };
    building.set(key, b);
    build = b;
  }
  if (onProgress) {
    const l = onProgress;
    build.listeners.add(l);
    void build.done.finally(() => build.listeners.delete(l)).catch(() => undefined);
  }
  return build.done;
}

/** Who the firmware is for, in a step's words. */
export function firmwareBoardName(target: FirmwareTarget): string {
  if (target === 'host') return 'the virtual board';
  const board = EMULATED_BOARDS.find((b) => b.target === target);
  return board ? `the ${board.label.replace(/^Emulated /, 'emulated ')}` : `the ${target} board`;
}

/** `make -q`: 0 = up to date, 1 = needs building, 2 = make could not tell (run it and see). */
function upToDate(target: FirmwareTarget): Promise<boolean> {
  return new Promise((ok) => {
    const child = spawn('make', ['-q', '-C', firmwareDir(), target], { stdio: 'ignore' });
    child.once('error', () => ok(false)); // no make: the real run says so
    child.once('exit', (code) => ok(code === 0));
  });
}

async function make(target: FirmwareTarget, progress: BuildProgress): Promise<string> {
  const path = firmwareArtifact(target);
  if (existsSync(path) && (await upToDate(target))) return path;
  const started = Date.now();
  const what = `make -C firmware ${target}`;
  const step = (elapsedMs: number) =>
    progress({ message: `Building firmware for ${firmwareBoardName(target)} (${what})`, elapsedMs });
  step(0);
  const ticker = setInterval(() => step(Date.now() - started), TICK_MS);
  try {
    await new Promise<void>((ok, fail) => {
      const child = spawn('make', ['-s', '-C', firmwareDir(), target], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stdout!.resume();
      child.stderr!.on('data', (b: Buffer) => {
        // the compiler's output is the message of a failed build: keep its end when it is long
        stderr = (stderr + b.toString()).slice(-16_384);
      });
      const kill = setTimeout(() => child.kill('SIGKILL'), 300_000);
      child.once('error', (err) => {
        clearTimeout(kill);
        fail(
          new FirmwareBuildError(
            target,
            isNotFound(err)
              ? `cannot build the ${target} firmware: ${missingToolMessage('make')}`
              : `building the ${target} firmware failed (${what}): ${err.message}`,
          ),
        );
      });
      child.once('close', (code, signal) => {
        clearTimeout(kill);
        if (code === 0) return ok();
        const tool = missingToolInMakeOutput(stderr);
        fail(
          new FirmwareBuildError(
            target,
            tool
              ? `cannot build the ${target} firmware: ${missingToolMessage(tool)}`
              : `building the ${target} firmware failed (${what}):\n${stderr.trim() || `make ${signal ? `killed by ${signal}` : `exited with code ${code}`}`}`,
          ),
        );
      });
    });
  } finally {
    clearInterval(ticker);
  }
  if (!existsSync(path)) throw new Error(`${what} did not produce ${path}`);
  return path;
}
