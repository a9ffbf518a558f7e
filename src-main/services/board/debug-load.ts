/**
 * "Install QuantScope firmware" with a debugger: the kit's probe (ST-LINK, DAPLink, J-Link) driven by
 * openocd, probe-rs or pyocd where one is installed, or a GDB through a gdb server (QEMU's gdb stub in
 * the tests: the same load a probe's gdb server takes). Finds the tools on PATH and says which to
 * install when there is none.
 */
import { execFile } from 'node:child_process';
import { constants as fsc } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export type LoaderTool = 'openocd' | 'probe-rs' | 'pyocd' | 'gdb-multiarch' | 'arm-none-eabi-gdb';

const TOOLS: readonly LoaderTool[] = ['probe-rs', 'pyocd', 'openocd', 'gdb-multiarch', 'arm-none-eabi-gdb'];

/** The loaders on PATH (probe tools first), each with its full path. */
export async function findLoaders(
  path = process.env.PATH ?? '',
): Promise<{ tool: LoaderTool; path: string }[]> {
  const found: { tool: LoaderTool; path: string }[] = [];
  for (const tool of TOOLS) {
    for (const dir of path.split(delimiter).filter(Boolean)) {
      const p = join(dir, tool);
      try {
        await access(p, fsc.X_OK);
        found.push({ tool, path: p });
        break;
      } catch {
        // not in this folder
      }
    }
  }
  return found;
}

export const NO_LOADER_MESSAGE =
  'no debugger to load the firmware with: install probe-rs (https://probe.rs), pyocd ("pip install pyocd") ' +
  'or openocd ("sudo apt-get install openocd" on Debian/Ubuntu, "brew install openocd" on macOS), ' +
  "or copy the image onto the kit's USB drive instead";

/** The command line that flashes `elf` onto a real kit and resets it (chip names for the NUCLEO-F446RE). */
export function probeCommand(tool: 'openocd' | 'probe-rs' | 'pyocd', elf: string): string[] {
  switch (tool) {
    case 'openocd':
      return ['openocd', '-f', 'board/st_nucleo_f4.cfg', '-c', `program ${elf} verify reset exit`];
    case 'probe-rs':
      return ['probe-rs', 'download', '--chip', 'STM32F446RETx', elf];
    case 'pyocd':
      return ['pyocd', 'load', '--target', 'stm32f446retx', elf];
  }
}

/** The address of the first loadable segment of a 32-bit little-endian ELF: the vector table. */
export function elfVectorTable(elf: Uint8Array): number {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (elf.length < 52 || v.getUint32(0) !== 0x7f454c46 || elf[4] !== 1 || elf[5] !== 1)
    throw new Error('not a 32-bit little-endian ELF file');
  const phoff = v.getUint32(28, true),
    phentsize = v.getUint16(42, true),
    phnum = v.getUint16(44, true);
  let lowest = Infinity;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 32 > elf.length) throw new Error('ELF program header table runs past the end of the file');
    // PT_LOAD with file bytes: its physical address is where the flash/code memory gets them
    if (v.getUint32(at, true) === 1 && v.getUint32(at + 16, true) > 0)
      lowest = Math.min(lowest, v.getUint32(at + 12, true));
  }
  if (lowest === Infinity) throw new Error('the ELF file has no loadable segment');
  return lowest;
}

/**
 * Loads `elf` through a gdb server (host:port) with GDB and starts it as a reset would: the stack
 * pointer and the entry from the vector table, Thumb state. GDB detaches, so the core runs on.
 */
export async function loadWithGdb(
  gdb: string,
  elf: string,
  server: string,
  timeoutMs = 60_000,
): Promise<void> {
  const vt = elfVectorTable(await readFile(elf));
  const hex = '0x' + vt.toString(16);
  const args = [
    '-nx',
    '-batch',
    '-ex',
    'set confirm off',
    '-ex',
    `target remote ${server}`,
    '-ex',
    'load',
    '-ex',
    `set $sp = *(unsigned int *)${hex}`,
    '-ex',
    `set $pc = *(unsigned int *)(${hex} + 4) & ~1`,
    '-ex',
    'set $xpsr = 0x01000000',
    '-ex',
    'detach',
    elf,
  ];
  await new Promise<void>((ok, fail) =>
    execFile(gdb, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const out = `${stdout}\n${stderr}`;
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          return fail(new Error(`${gdb} is not installed: ${NO_LOADER_MESSAGE}`));
        return fail(new Error(`loading ${elf} through ${server} failed: ${out.trim() || err.message}`));
      }
      // gdb -batch exits 0 even when a command fails: look for the load's summary
      if (
        !/Transfer rate|Start address/.test(out) ||
        /Remote connection closed|Connection refused|Error/i.test(stderr)
      )
        return fail(new Error(`loading ${elf} through ${server} failed: ${out.trim()}`));
      ok();
    }),
  );
}
