/**
 * The "Install QuantScope firmware" call: a kit found on a port that does not answer the handshake
 * gets the NUCLEO-F446RE image (built on demand with the Debian Arm toolchain, like every firmware
 * image; scripts/build-firmware-images.sh records its sha256) copied onto its USB drive
 * (kit-drive.ts), then the port is asked for the handshake again.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BoardInstallResult, DiscoveredBoard } from '../../shared/api.ts';
import { firmwareDir } from './firmware.ts';
import { copyImageToKitDrive, detectKitDrive } from './kit-drive.ts';
import { isNotFound, missingToolInMakeOutput, missingToolMessage } from './toolchain.ts';

/** `make -C firmware nucleo`: the image a NUCLEO-F446RE's ST-LINK flashes from its drive. */
export async function buildNucleoImage(): Promise<string> {
  await new Promise<void>((ok, fail) =>
    execFile('make', ['-s', '-C', firmwareDir(), 'nucleo'], { timeout: 300_000 }, (err, _o, stderr) => {
      if (!err) return ok();
      const tool = isNotFound(err) ? 'make' : missingToolInMakeOutput(stderr);
      fail(
        new Error(
          tool
            ? `cannot build the NUCLEO-F446RE firmware: ${missingToolMessage(tool)}`
            : `building the NUCLEO-F446RE firmware failed (make -C firmware nucleo):\n${stderr || err.message}`,
        ),
      );
    }),
  );
  const bin = join(firmwareDir(), 'build', 'nucleo', 'qs-nucleo.bin');
  if (!existsSync(bin)) throw new Error(`make -C firmware nucleo did not produce ${bin}`);
  return bin;
}

export interface InstallOptions {
  board: string;
  drive: string;
  confirmed: boolean;
  /** Discovery of one port (HELLO), to see whether the flashed kit answers now. */
  probe: (port: string) => Promise<DiscoveredBoard | undefined>;
  image?: string;
  onProgress?: (fraction: number, message: string) => void;
  /** Handshake attempts after the copy, `waitMs` apart (the probe flashes, then resets the MCU). */
  attempts?: number;
  waitMs?: number;
}

export async function installFirmwareOnDrive(o: InstallOptions): Promise<BoardInstallResult> {
  if (!o.confirmed) throw new Error(`writing to ${o.drive} needs your confirmation: nothing was written`);
  // the drive first: a folder that is not a kit's is refused before any build
  if (!(await detectKitDrive(o.drive)))
    await copyImageToKitDrive({ drive: o.drive, image: '', confirmed: true });
  o.onProgress?.(0, 'building the firmware image');
  const image = o.image ?? (await buildNucleoImage());
  const copied = await copyImageToKitDrive({
    drive: o.drive,
    image,
    confirmed: true,
    onProgress: (w, total) => o.onProgress?.(0.1 + (0.7 * w) / total, `copying ${w} of ${total} bytes`),
  });
  const attempts = o.attempts ?? 5;
  let last: DiscoveredBoard | undefined;
  for (let i = 0; i < attempts; i++) {
    o.onProgress?.(0.8 + (0.2 * i) / attempts, `handshake with ${o.board} (${i + 1} of ${attempts})`);
    if (i > 0) await new Promise((r) => setTimeout(r, o.waitMs ?? 2000));
    last = await o.probe(o.board);
    if (last?.status === 'ready' && last.identity)
      return {
        file: copied.file,
        bytes: copied.bytes,
        kit: copied.kit.description,
        identity: last.identity,
        answered: true,
      };
  }
  return {
    file: copied.file,
    bytes: copied.bytes,
    kit: copied.kit.description,
    answered: false,
    message: `the image is on the kit's drive, but ${o.board} does not answer the handshake yet${last?.error ? ` (${last.error})` : ''}: press the kit's reset button, then look for boards again`,
  };
}
