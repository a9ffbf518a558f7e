/**
 * boards.installFirmware through `dispatch` (as the Electron and web hosts call it): the NUCLEO
 * image, built on demand, copied onto a folder that looks like the kit's ST-LINK drive, then the
 * kit's port asked for the handshake again (here a pty nobody answers on: the copy is done, the
 * result says the board does not answer yet and what to do).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import { buildNucleoImage } from '../../src-main/services/board/install-firmware.ts';
import type { ApiResult, BoardInstallResult } from '../../src-main/shared/api.ts';

const dir = mkdtempSync(join(tmpdir(), 'qs-install-'));
const services = createServices({ configDir: join(dir, 'config') });
const handlers = createHandlers(services, { host: 'web', startupModel: null });
const port = join(dir, 'kit-port');
const socat = spawn(
  'socat',
  [`pty,raw,echo=0,link=${port}`, `pty,raw,echo=0,link=${join(dir, 'other-end')}`],
  {
    stdio: 'ignore',
  },
);
afterAll(async () => {
  socat.kill();
  await services.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call<T>(args: unknown): Promise<ApiResult<T>> {
  return (await dispatch(handlers, 'boards.installFirmware', args)) as ApiResult<T>;
}

function drive(name: string, files: Record<string, string>): string {
  const d = join(dir, name);
  mkdirSync(d);
  for (const [f, t] of Object.entries(files)) writeFileSync(join(d, f), t);
  return d;
}

describe('boards.installFirmware', () => {
  // rule: the image goes onto the kit's drive, then the port is asked for the handshake again
  it('copies the NUCLEO image onto the ST-LINK drive and says when the port still does not answer', async () => {
    for (let i = 0; i < 50 && !existsSync(port); i++) await new Promise((r) => setTimeout(r, 50));
    const kit = drive('NODE_F446RE', { 'DETAILS.TXT': 'Version: V2J40M27\r\n', 'MBED.HTM': '<html></html>' });
    const r = await call<BoardInstallResult>({ board: port, drive: kit, confirmed: true });
    if (!r.ok) throw new Error(r.error.message);
    const image = readFileSync(await buildNucleoImage());
    expect(r.value).toMatchObject({ kit: 'ST-LINK V2J40M27', bytes: image.length, answered: false });
    expect(r.value.message).toMatch(
      /is on the kit's drive, but .* does not answer the handshake yet.*reset button/,
    );
    expect(readFileSync(join(kit, 'qs-nucleo.bin')).equals(image)).toBe(true);
  }, 300_000);

  // rule: never write anywhere but a kit's drive, only once confirmed; bad input is a clear error
  it('refuses a folder that is not a kit drive and arguments that are not right, writing nothing', async () => {
    const notKit = drive('Documents', { 'todo.txt': 'x' });
    const r = await call({ board: port, drive: notKit, confirmed: true });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
    expect(!r.ok && r.error.message).toMatch(/does not look like a dev kit's USB drive/);
    expect(readdirSync(notKit)).toEqual(['todo.txt']);
    const kit = drive('NODE_F446RE_2', { 'DETAILS.TXT': 'Version: V2J40M27\r\n' });
    const unconfirmed = await call({ board: port, drive: kit, confirmed: false });
    expect(!unconfirmed.ok && unconfirmed.error.message).toMatch(/needs your confirmation/);
    const missing = await call({ board: port, drive: kit });
    expect(!missing.ok && missing.error.message).toMatch(/"confirmed" must be true or false/);
    expect(readdirSync(kit)).toEqual(['DETAILS.TXT']);
  }, 60_000);
});
