/**
 * Installing the firmware by copying the image onto a dev kit's USB drive (kit-drive.ts): the drive
 * is a real folder that looks like the kit's (the marker files an ST-LINK, a DAPLink or a UF2
 * bootloader writes); the full and read-only drives are real small / read-only tmpfs mounts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyImageToKitDrive, detectKitDrive } from '../../src-main/services/board/kit-drive.ts';

const root = mkdtempSync(join(tmpdir(), 'qs-kit-drive-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) execFileSync('umount', [m]);
  rmSync(root, { recursive: true, force: true });
});

// what an ST-LINK/V2-1 on a NUCLEO-F446RE puts on its NODE_F446RE drive
const ST_DETAILS = 'Version: V2J40M27\r\nBuild:   Nov 14 2022 15:30:35\r\n';
// a firmware image: the start of a Cortex-M vector table, then code bytes (40 KiB)
const image = join(root, 'qs-nucleo.bin');
const imageBytes = Buffer.alloc(40 * 1024, 0xa5);
imageBytes.writeUInt32LE(0x20020000, 0);
imageBytes.writeUInt32LE(0x08000101, 4);
writeFileSync(image, imageBytes);

function kitFolder(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

/** A tmpfs of `kib` KiB holding the ST-LINK marker files, remounted read-only when asked (root only). */
function tmpfsDrive(name: string, kib: number, readOnly: boolean): string {
  const dir = join(root, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir]);
  mounts.push(dir);
  writeFileSync(join(dir, 'DETAILS.TXT'), ST_DETAILS);
  writeFileSync(join(dir, 'MBED.HTM'), '<html></html>');
  if (readOnly) execFileSync('mount', ['-o', 'remount,ro', dir]);
  return dir;
}

describe('kit drive: install the firmware by copying it to the kit', () => {
  // rule: the drive is recognised by the probe's marker files (ST-LINK, DAPLink, UF2)
  it('recognises ST-LINK, DAPLink and UF2 drives and nothing else', async () => {
    const st = kitFolder('NODE_F446RE', { 'DETAILS.TXT': ST_DETAILS, 'MBED.HTM': '<html></html>' });
    expect(await detectKitDrive(st)).toMatchObject({
      kind: 'st-link',
      accepts: ['bin', 'hex'],
      description: 'ST-LINK V2J40M27',
    });
    const dap = kitFolder('DAPLINK', {
      'details.txt':
        '# DAPLink Firmware - see https://daplink.io\r\nUnique ID: 0240000032044e45\r\nInterface Version: 0254\r\n',
    });
    expect(await detectKitDrive(dap)).toMatchObject({ kind: 'daplink', description: 'DAPLink 0254' });
    const uf2 = kitFolder('RPI-RP2', {
      'INFO_UF2.TXT': 'UF2 Bootloader v3.0\r\nModel: Raspberry Pi RP2\r\nBoard-ID: RPI-RP2\r\n',
    });
    expect(await detectKitDrive(uf2)).toMatchObject({
      kind: 'uf2',
      accepts: ['uf2'],
      description: 'RPI-RP2',
    });
    expect(await detectKitDrive(kitFolder('USB_STICK', { 'notes.txt': 'x' }))).toBeNull();
    expect(await detectKitDrive(join(root, 'no-such-folder'))).toBeNull();
  });

  // rule: the copy happens onto a kit's drive after confirmation, byte for byte, with progress
  it('copies the image onto the ST-LINK drive with progress', async () => {
    const drive = kitFolder('NODE_F446RE_2', { 'DETAILS.TXT': ST_DETAILS });
    const progress: number[] = [];
    const r = await copyImageToKitDrive({
      drive,
      image,
      confirmed: true,
      onProgress: (w) => progress.push(w),
    });
    expect(r.kit.kind).toBe('st-link');
    expect(readFileSync(join(drive, 'qs-nucleo.bin')).equals(imageBytes)).toBe(true);
    expect(progress).toEqual([16384, 32768, 40960]);
  });

  // rule: never write anywhere but a kit's drive, and only once confirmed
  it('refuses a folder that is not a kit drive, an unconfirmed copy and a wrong format, writing nothing', async () => {
    const stick = kitFolder('NOT_A_KIT', { 'photo.jpg': 'x' });
    await expect(copyImageToKitDrive({ drive: stick, image, confirmed: true })).rejects.toThrow(
      /does not look like a dev kit's USB drive \(no DETAILS.TXT, MBED.HTM, INFO_UF2.TXT\): nothing was written/,
    );
    expect(readdirSync(stick)).toEqual(['photo.jpg']);
    const drive = kitFolder('NODE_F446RE_3', { 'DETAILS.TXT': ST_DETAILS });
    await expect(copyImageToKitDrive({ drive, image, confirmed: false })).rejects.toThrow(
      /needs your confirmation/,
    );
    const uf2 = kitFolder('RPI-RP2_2', { 'INFO_UF2.TXT': 'UF2 Bootloader v3.0\nBoard-ID: RPI-RP2\n' });
    await expect(copyImageToKitDrive({ drive: uf2, image, confirmed: true })).rejects.toThrow(
      /the RPI-RP2 drive flashes \.uf2 files, not qs-nucleo\.bin/,
    );
    expect(readdirSync(drive)).toEqual(['DETAILS.TXT']);
    expect(readdirSync(uf2)).toEqual(['INFO_UF2.TXT']);
  });

  // rule: bad input gets a clear error (a full or read-only drive), not a stack trace
  it('says so when the drive is full or read-only (real tmpfs mounts)', async () => {
    const full = tmpfsDrive('FULL_KIT', 16, false);
    await expect(copyImageToKitDrive({ drive: full, image, confirmed: true })).rejects.toThrow(
      /the kit's drive .*FULL_KIT is full: the image needs 40960 bytes/,
    );
    expect(readdirSync(full).sort()).toEqual(['DETAILS.TXT', 'MBED.HTM']);
    const ro = tmpfsDrive('RO_KIT', 128, true);
    await expect(copyImageToKitDrive({ drive: ro, image, confirmed: true })).rejects.toThrow(
      /the kit's drive .*RO_KIT is read-only: cannot write qs-nucleo.bin \(EROFS\)/,
    );
  });
});
