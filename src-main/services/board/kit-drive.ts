/**
 * "Install QuantScope firmware" by drag-and-drop: a dev kit's debug probe (ST-LINK, DAPLink) or
 * UF2 bootloader shows up as a small USB drive; a firmware file copied onto it is flashed by the
 * probe. This module recognises such a drive by the files the probe firmware puts on it and copies
 * an image there — and nowhere else: a folder without those files is refused before anything is
 * written, and the copy needs the caller's explicit confirmation.
 *
 * Marker files (what the probes write on their drives):
 *  - DETAILS.TXT: DAPLink and ST-LINK/V2-1 (with "Version:"/"Build:" or DAPLink's "Unique ID:" lines)
 *  - MBED.HTM: the mbed-enabled link page on DAPLink and ST-LINK drives
 *  - INFO_UF2.TXT: a UF2 bootloader ("UF2 Bootloader …", "Model:", "Board-ID:")
 */
import { constants as fsc } from 'node:fs';
import { open, readFile, readdir, rm, stat, statfs } from 'node:fs/promises';
import { basename, join } from 'node:path';

export type KitDriveKind = 'st-link' | 'daplink' | 'uf2';

export interface KitDrive {
  path: string;
  kind: KitDriveKind;
  /** The file formats the probe flashes from its drive. */
  accepts: readonly ('bin' | 'hex' | 'uf2')[];
  /** From the marker file: "Board-ID"/"Model" (UF2) or the ST-LINK/DAPLink version line. */
  description: string;
}

const MARKERS = ['DETAILS.TXT', 'MBED.HTM', 'INFO_UF2.TXT'] as const;

/** Reads the marker files of `dir`; null when it is not a kit's drive (or not a folder). */
export async function detectKitDrive(dir: string): Promise<KitDrive | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  // FAT drives: the probes write upper case, hosts may show any case
  const byUpper = new Map(names.map((n) => [n.toUpperCase(), n]));
  const read = async (marker: string): Promise<string | null> => {
    const name = byUpper.get(marker);
    if (!name) return null;
    try {
      return (await readFile(join(dir, name), 'latin1')).slice(0, 4096);
    } catch {
      return null;
    }
  };
  const uf2 = await read('INFO_UF2.TXT');
  if (uf2 !== null) {
    const field = (k: string) => new RegExp(`^${k}:\\s*(.+)$`, 'mi').exec(uf2)?.[1].trim();
    const description = field('Board-ID') ?? field('Model') ?? uf2.split(/\r?\n/)[0].trim();
    return { path: dir, kind: 'uf2', accepts: ['uf2'], description };
  }
  const details = await read('DETAILS.TXT');
  const mbed = byUpper.has('MBED.HTM');
  if (details === null && !mbed) return null;
  const text = details ?? '';
  const daplink = /DAPLink|Unique ID:|HIC ID:/i.test(text);
  const version = /^(?:Version|Interface Version):\s*(.+)$/im.exec(text)?.[1].trim();
  return {
    path: dir,
    kind: daplink ? 'daplink' : 'st-link',
    accepts: ['bin', 'hex'],
    description: `${daplink ? 'DAPLink' : 'ST-LINK'}${version ? ` ${version}` : ''}`,
  };
}

export interface DriveCopyOptions {
  /** The drive folder the user picked (or discovery found). */
  drive: string;
  /** The image file to flash (.bin / .hex / .uf2). */
  image: string;
  /** Must be true: the user confirmed writing to this drive. */
  confirmed: boolean;
  /** Bytes written so far, of total. */
  onProgress?: (written: number, total: number) => void;
}

/** Copies the image onto the kit's drive; a clear Error for every refusal and failure. */
export async function copyImageToKitDrive(
  o: DriveCopyOptions,
): Promise<{ kit: KitDrive; file: string; bytes: number }> {
  const kit = await detectKitDrive(o.drive);
  if (!kit)
    throw new Error(
      `${o.drive} does not look like a dev kit's USB drive (no ${MARKERS.join(', ')}): nothing was written`,
    );
  const ext = /\.(bin|hex|uf2)$/i.exec(o.image)?.[1].toLowerCase() as 'bin' | 'hex' | 'uf2' | undefined;
  if (!ext || !kit.accepts.includes(ext))
    throw new Error(
      `the ${kit.description} drive flashes ${kit.accepts.map((a) => '.' + a).join(' or ')} files, not ${basename(o.image)}: nothing was written`,
    );
  if (!o.confirmed) throw new Error(`writing to ${o.drive} needs your confirmation: nothing was written`);
  let data: Buffer;
  try {
    data = await readFile(o.image);
  } catch (e) {
    throw new Error(`cannot read the firmware image ${o.image}: ${(e as Error).message}`);
  }
  if (data.length === 0) throw new Error(`the firmware image ${o.image} is empty: nothing was written`);
  try {
    const fs = await statfs(o.drive);
    const free = fs.bavail * fs.bsize;
    if (free < data.length) throw full(o.drive, data.length, free);
  } catch (e) {
    if ((e as Error).message.includes('is full')) throw e;
    // statfs unsupported here: the write itself reports a full drive
  }
  const file = join(o.drive, basename(o.image));
  // never through a link (a link on the drive could point anywhere): O_NOFOLLOW on the final name
  let fh;
  try {
    fh = await open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC | (fsc.O_NOFOLLOW ?? 0), 0o644);
  } catch (e) {
    throw writeError(e, o.drive, file, data.length);
  }
  const chunk = 16 * 1024;
  try {
    if (!(await fh.stat()).isFile())
      throw new Error(`${file} on the kit's drive is not a regular file: nothing was written`);
    for (let at = 0; at < data.length; at += chunk) {
      const part = data.subarray(at, Math.min(at + chunk, data.length));
      let done = 0;
      while (done < part.length)
        done += (await fh.write(part, done, part.length - done, at + done)).bytesWritten;
      o.onProgress?.(at + part.length, data.length);
    }
    await fh.sync(); // the probe starts flashing when the host flushes the file
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(file, { force: true }).catch(() => {});
    throw writeError(e, o.drive, file, data.length);
  }
  await fh.close();
  const size = (await stat(file)).size;
  if (size !== data.length)
    throw new Error(`the kit's drive kept ${size} of ${data.length} bytes of ${file}`);
  return { kit, file, bytes: data.length };
}

function full(drive: string, need: number, free: number): Error {
  return new Error(`the kit's drive ${drive} is full: the image needs ${need} bytes, ${free} are free`);
}

function writeError(e: unknown, drive: string, file: string, need: number): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new Error(`the kit's drive ${drive} is full: the image needs ${need} bytes`);
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
    return new Error(`the kit's drive ${drive} is read-only: cannot write ${basename(file)} (${code})`);
  if (code === 'ELOOP')
    return new Error(`${file} on the kit's drive is a link: refusing to write through it`);
  return e instanceof Error && !code ? e : new Error(`writing ${file} failed: ${(e as Error).message}`);
}
