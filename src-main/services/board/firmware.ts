/** Where the firmware builds live, and building them on demand with make (npm scripts do the same). */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../paths.ts';
import { isNotFound, missingToolInMakeOutput, missingToolMessage } from './toolchain.ts';

/** `make -C firmware <target>`: the virtual board, or an emulated board's image (emulated-boards.ts). */
export type FirmwareTarget =
  | 'host'
  | 'mps2'
  | 'mps2-an386'
  | 'mps2-an500'
  | 'mps2-an505'
  | 'mps3-an547'
  | 'nucleo-qemu';

export function firmwareDir(): string {
  // from the package root, so the sources (tsx) and the CLI bundle (out/cli) find the same folder
  return process.env.QS_FIRMWARE_DIR ?? join(appRoot(), 'firmware');
}

export function firmwareArtifact(target: FirmwareTarget): string {
  return join(firmwareDir(), 'build', target === 'host' ? 'host/qs-board' : `${target}/qs-${target}.elf`);
}

/** Builds under way, per folder and target: boards started together share one make run. */
const building = new Map<string, Promise<string>>();

/**
 * Runs `make -C firmware <target>` (a no-op when up to date) and returns the artifact path. A
 * missing make or compiler is one line naming what to install (toolchain.ts), not make's output.
 */
export function buildFirmware(target: FirmwareTarget): Promise<string> {
  const key = `${firmwareDir()}\0${target}`;
  let build = building.get(key);
  if (!build) {
    build = make(target).finally(() => building.delete(key));
    building.set(key, build);
  }
  return build;
}

async function make(target: FirmwareTarget): Promise<string> {
  await new Promise<void>((ok, fail) =>
    execFile('make', ['-s', '-C', firmwareDir(), target], { timeout: 300_000 }, (err, _out, stderr) => {
      if (!err) return ok();
      const tool = isNotFound(err) ? 'make' : missingToolInMakeOutput(stderr);
      fail(
        new Error(
          tool
            ? `cannot build the ${target} firmware: ${missingToolMessage(tool)}`
            : `building the ${target} firmware failed (make -C firmware ${target}):\n${stderr || err.message}`,
        ),
      );
    }),
  );
  const path = firmwareArtifact(target);
  if (!existsSync(path)) throw new Error(`make -C firmware ${target} did not produce ${path}`);
  return path;
}
