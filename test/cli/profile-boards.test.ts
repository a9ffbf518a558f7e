/** `quantscope boards` through the package bin: builtins always, a typed pty path probed. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFirmware } from '../../src-main/services/board/firmware.ts';
import { runQuantscope } from '../helpers/cli-process.ts';

describe('quantscope boards', () => {
  let dir: string;
  let path: string;
  let socat: ChildProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qs-boards-'));
    path = join(dir, 'ttyBOARD');
    socat = spawn('socat', [`pty,link=${path},raw,echo=0`, `EXEC:${await buildFirmware('host')}`], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((ok) => setTimeout(ok, 20));
  }, 300_000);
  afterAll(async () => {
    const exited = new Promise((ok) => socat.once('exit', ok));
    socat.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('--json lists the virtual board, qemu when installed, and a typed path with its identity', async () => {
    const { code, stdout, stderr } = await runQuantscope(['boards', '--json', '--path', path], {
      timeout: 60_000,
    });
    expect(code, stderr).toBe(0);
    const boards = JSON.parse(stdout) as {
      id: string;
      status: string;
      identity?: { board: string; tickHz: number };
    }[];
    expect(boards[0]).toMatchObject({ id: 'virtual', status: 'available' });
    const qemu = (process.env.PATH ?? '').split(':').some((d) => existsSync(join(d, 'qemu-system-arm')));
    expect(boards.some((b) => b.id === 'qemu')).toBe(qemu);
    expect(boards.find((b) => b.id === path)).toMatchObject({
      status: 'ready',
      identity: { board: 'QuantScope virtual board', tickHz: 1e9 },
    });
  }, 60_000);

  it('prints a table', async () => {
    const { code, stdout, stderr } = await runQuantscope(['boards', '--path', path], { timeout: 60_000 });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^virtual\s+available\s+QuantScope virtual board/m);
    expect(stdout).toContain(`${path}`);
    expect(stdout).toMatch(/ready\s+QuantScope virtual board \(host, arena 8192 KiB/);
  }, 60_000);
});
