/**
 * "Install QuantScope firmware" with a debugger (debug-load.ts): QEMU starts with no image and its
 * gdb stub open, gdb-multiarch loads the Cortex-M3 firmware ELF through it (as it would through a
 * probe's gdb server), and the board then answers the handshake and profiles bit-exact.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  elfVectorTable,
  findLoaders,
  loadWithGdb,
  NO_LOADER_MESSAGE,
} from '../../src-main/services/board/debug-load.ts';
import { buildFirmware } from '../../src-main/services/board/firmware.ts';
import { QemuBoard } from '../../src-main/services/board/qemu-board.ts';
import { expectMatchesGolden, goldenCase } from './golden-check.ts';

const dir = mkdtempSync(join(tmpdir(), 'qs-debug-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return port;
}

describe('debugger load', () => {
  // rule: the loaders are found on PATH; none installed is a clear message naming what to install
  it('finds gdb-multiarch on PATH and nothing on an empty PATH', async () => {
    expect(await findLoaders(dir)).toEqual([]);
    expect(NO_LOADER_MESSAGE).toMatch(/install probe-rs .*pyocd.*openocd/);
    symlinkSync('/usr/bin/gdb-multiarch', join(dir, 'gdb-multiarch'));
    expect(await findLoaders(dir)).toEqual([{ tool: 'gdb-multiarch', path: join(dir, 'gdb-multiarch') }]);
  });

  // rule: bad input gets a clear error
  it('refuses a file that is not an ELF', () => {
    expect(() => elfVectorTable(new Uint8Array(64))).toThrow(/not a 32-bit little-endian ELF/);
  });

  // rule: a debugger-style load through QEMU's gdb stub, then the board runs and answers the handshake
  it("loads the Cortex-M3 image through QEMU's gdb stub, then the board handshakes and profiles bit-exact", async () => {
    const elf = await buildFirmware('mps2');
    expect(elfVectorTable(readFileSync(elf))).toBe(0);
    const port = await freePort();
    const qemu = await QemuBoard.launch({ gdbPort: port });
    try {
      await loadWithGdb('gdb-multiarch', elf, `127.0.0.1:${port}`);
      const board = await qemu.connect();
      try {
        expect(board.info).toMatchObject({ board: 'mps2-an385 (QEMU)', cpu: 'cortex-m3' });
        const c = goldenCase('hello_world_int8');
        expectMatchesGolden(await board.profile(c.model, c.inputs), 'hello_world_int8');
      } finally {
        await board.link.close();
      }
    } finally {
      await qemu.stop();
    }
  }, 300_000);

  // rule: a failed load is a clear error (no gdb server listening)
  it('says so when no gdb server answers', async () => {
    const elf = await buildFirmware('mps2');
    await expect(loadWithGdb('gdb-multiarch', elf, `127.0.0.1:${await freePort()}`, 20_000)).rejects.toThrow(
      /loading .*qs-mps2\.elf through 127\.0\.0\.1:\d+ failed/,
    );
  }, 60_000);
});
