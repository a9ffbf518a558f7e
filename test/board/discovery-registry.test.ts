/**
 * BoardRegistry: several boards at once, each with its own session — the virtual board (own
 * pty) and a second virtual board behind a socat pty reached by its path — profiled in
 * parallel; unplugging one (socat killed) gives a clear error without disturbing the other,
 * and plugging it back in (same path) recovers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFirmware } from '../../src-main/services/board/firmware.ts';
import { BoardRegistry } from '../../src-main/services/board/registry.ts';
import { readFixture } from '../helpers/fixtures.ts';

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function socatBoard(path: string): Promise<ChildProcess> {
  const exe = await buildFirmware('host');
  const child = spawn('socat', [`pty,link=${path},raw,echo=0`, `EXEC:${exe}`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(path); i++) await sleep(20);
  if (!existsSync(path)) throw new Error('socat did not create its pty');
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  await exited;
}

const profileOpts = (name: string) => ({
  modelName: name,
  modelBytes: readFixture('models', `${name}.tflite`),
  input: { seed: 1 } as const,
});

describe('BoardRegistry', () => {
  let dir: string;
  let path: string;
  let socat: ChildProcess | undefined;
  const reg = new BoardRegistry({ discovery: { list: async () => [], qemu: false } });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qs-reg-'));
    path = join(dir, 'ttyBOARD');
    socat = await socatBoard(path);
  }, 300_000);
  afterAll(async () => {
    await reg.closeAll();
    await stop(socat);
    rmSync(dir, { recursive: true, force: true });
  });

  it('profiles two boards in parallel, each with its own session', async () => {
    const [a, b] = await Promise.all([
      reg.profile('virtual', profileOpts('person_detect')),
      reg.profile(path, profileOpts('keyword_spotting_on_off')),
    ]);
    expect(a.compare.allMatch).toBe(true);
    expect(a.compare.board.port).toBe('virtual');
    expect(b.compare.allMatch).toBe(true);
    expect(b.compare.board.port).toBe(path);
    expect(reg.openIds().sort()).toEqual([path, 'virtual'].sort());
    // the open ones are busy, never probed by discovery
    const listed = await reg.list([path]);
    expect(listed.find((x) => x.id === path)!.status).toBe('busy');
    expect(listed.find((x) => x.id === 'virtual')!.status).toBe('busy');
  }, 120_000);

  it('a board unplugged mid-session fails with a clear error; plugging it back in recovers', async () => {
    await stop(socat); // unplug
    await expect(reg.profile(path, profileOpts('micro_speech_quantized'))).rejects.toThrow(
      /disconnected|closed|gone|cannot open serial port|did not answer/i,
    );
    // the other board is untouched
    expect((await reg.profile('virtual', profileOpts('micro_speech_quantized'))).compare.allMatch).toBe(true);
    socat = await socatBoard(path); // plug back in
    const again = await reg.profile(path, profileOpts('micro_speech_quantized'));
    expect(again.compare.allMatch).toBe(true);
  }, 120_000);
});
