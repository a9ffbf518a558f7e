/**
 * A missing build or emulator tool is one line naming what to install (Debian and macOS), not
 * `spawn make ENOENT` or a compiler's output: the CLI runs with PATH stripped of the tool (a folder
 * of links to every program on PATH but that one) and a fresh copy of the firmware sources, so make
 * really has to build.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src-main/cli/exit.ts';
import { REPO, fixturePath } from '../helpers/fixtures.ts';
import { runQuantscope } from '../helpers/cli-process.ts';

const MODEL = fixturePath('models', 'micro_speech_quantized.tflite');

/** A PATH of one folder: links to every program on the current PATH except `hidden`. */
function pathWithout(hidden: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'qs-path-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const seen = new Set(hidden);
  for (const folder of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      symlinkSync(join(folder, n), join(bin, n));
    }
  }
  return bin;
}

/** The firmware sources without any build output, so every target has to be compiled. */
function freshFirmware(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'qs-fw-')), 'firmware');
  cpSync(join(REPO, 'firmware'), dir, { recursive: true, filter: (src) => !src.includes('/firmware/build') });
  return dir;
}

function cliWithout(hidden: string[], ...args: string[]) {
  const env = { ...process.env, PATH: pathWithout(hidden), QS_FIRMWARE_DIR: freshFirmware() };
  return runQuantscope(args, { env, timeout: 120_000 });
}

describe('a missing tool is one line naming the package to install', () => {
  // rule: no make → the virtual board says to install make (apt and macOS), not "spawn make ENOENT"
  it('make', async () => {
    const r = await cliWithout(['make'], 'profile', MODEL, '--board', 'virtual');
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.stderr).toBe(
      'quantscope: cannot build the host firmware: make (builds the board firmware) is not installed: ' +
        'install it with "sudo apt-get install make" (Debian/Ubuntu) or "xcode-select --install" (macOS)\n',
    );
  });

  // rule: no C compiler → one line naming gcc / the Xcode tools, none of make's output
  it('the C compiler (cc)', async () => {
    const r = await cliWithout(['cc'], 'profile', MODEL, '--board', 'virtual');
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.stderr).toBe(
      'quantscope: cannot build the host firmware: a C compiler, cc (builds the virtual board) is not installed: ' +
        'install it with "sudo apt-get install gcc" (Debian/Ubuntu) or "xcode-select --install" (macOS)\n',
    );
  });

  // rule: no Arm cross compiler → the emulated board names gcc-arm-none-eabi
  it('arm-none-eabi-gcc', async () => {
    const r = await cliWithout(['arm-none-eabi-gcc'], 'profile', MODEL, '--board', 'qemu');
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.stderr).toBe(
      'quantscope: cannot build the mps2 firmware: the Arm cross compiler, arm-none-eabi-gcc (builds the emulated Cortex-M3 firmware) is not installed: ' +
        'install it with "sudo apt-get install gcc-arm-none-eabi" (Debian/Ubuntu) or "brew install --cask gcc-arm-embedded" (macOS)\n',
    );
  });

  // rule: no QEMU → the emulated board names qemu-system-arm (the firmware ELF given, so nothing is built)
  it('qemu-system-arm', async () => {
    const r = await cliWithout(['qemu-system-arm'], 'profile', MODEL, '--board', 'qemu', '--firmware', MODEL);
    expect(r.code).toBe(EXIT.ERROR);
    expect(r.stderr).toBe(
      'quantscope: cannot start the emulated board: QEMU, qemu-system-arm (runs the emulated Cortex-M3 board) is not installed: ' +
        'install it with "sudo apt-get install qemu-system-arm" (Debian/Ubuntu) or "brew install qemu" (macOS)\n',
    );
  });
});
