/**
 * Long work visible and recoverable (issue 19), on real boards: the virtual board killed while
 * idle or mid-profile is reported in plain words within 2 s and restarts; a board behind a socat
 * pty that vanishes frees its path at once (a new board on the same path is not "busy"); an
 * emulated board stops after its idle time and the next profile starts it again; a firmware build
 * announces itself and a failing one carries the compiler's output.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import type { ApiResult, BoardRestartResult, DiscoveredBoard } from '../../src-main/shared/api.ts';
import { BoardDownError } from '../../src-main/services/board/board-watch.ts';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import {
  buildFirmware,
  FirmwareBuildError,
  firmwareBoardName,
} from '../../src-main/services/board/firmware.ts';
import { idleStopFromEnv } from '../../src-main/services/board/idle-stop.ts';
import { BoardRegistry } from '../../src-main/services/board/registry.ts';
import { readFixture } from '../helpers/fixtures.ts';

const REPO = resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

const profileOpts = (name: string) => ({
  modelName: name,
  modelBytes: readFixture('models', `${name}.tflite`),
  input: { seed: 1 } as const,
});

/** This test process's own children running `name` (never anyone else's processes). */
function childPids(name: string): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-x', name])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

/** A registry that records when each board was reported down. */
function watchedRegistry(idleStopMs = 0, beat: { heartbeatMs?: number; silentMs?: number } = {}) {
  const downs: { id: string; message: string; at: number }[] = [];
  const reg = new BoardRegistry({
    discovery: { list: async () => [], qemu: false },
    idleStopMs,
    ...beat,
    onDown: (id, message) => downs.push({ id, message, at: Date.now() }),
  });
  return { reg, downs };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
}

async function socatBoard(path: string): Promise<ChildProcess> {
  const exe = await buildFirmware('host');
  const child = spawn('socat', [`pty,link=${path},raw,echo=0`, `EXEC:${exe}`], { stdio: 'ignore' });
  for (let i = 0; i < 150 && !existsSync(path); i++) await sleep(20);
  if (!existsSync(path)) throw new Error('socat did not create its pty');
  return child;
}

async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill(signal);
  await exited;
}

/** The words a user must never see in place of what happened. */
const RAW = /EIO|Input\/output error|errno|cannot drain/;

describe('a killed virtual board', () => {
  const { reg, downs } = watchedRegistry();
  afterAll(() => reg.closeAll());

  // rule: a board killed while idle is reported within 2 s, in plain words, and restart works
  it('is reported within 2 s while idle and restarts', async () => {
    expect((await reg.profile('virtual', profileOpts('hello_world_int8'))).compare.allMatch).toBe(true);
    const [pid] = childPids('qs-board');
    expect(pid).toBeGreaterThan(0);
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    await until(() => downs.length > 0, 2000);
    expect(downs).toHaveLength(1);
    expect(downs[0].at - t0).toBeLessThan(2000);
    expect(downs[0].message).toBe(
      'The virtual board stopped: its process was killed (SIGKILL). Restart the board to start it again.',
    );
    // the list says so, and no session holds it any more
    const listed = (await reg.list()).find((b) => b.id === 'virtual')!;
    expect(listed.stopped).toBe(downs[0].message);
    expect(listed.status).toBe('available');
    expect(reg.openIds()).toEqual([]);

    const hello = await reg.restart('virtual');
    expect(hello.board).toMatch(/virtual/i);
    expect((await reg.list()).find((b) => b.id === 'virtual')!.stopped).toBeUndefined();
    expect((await reg.profile('virtual', profileOpts('hello_world_int8'))).compare.allMatch).toBe(true);
  }, 120_000);

  // rule: a board killed during a profile fails that profile within 2 s with the plain message
  it('fails a running profile within 2 s with the plain message', async () => {
    await reg.session('virtual');
    const [pid] = childPids('qs-board');
    const running = reg.profile('virtual', profileOpts('person_detect'));
    await sleep(20);
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    const err = await running.then(
      () => null,
      (e: unknown) => e,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(BoardDownError);
    expect((err as Error).message).toMatch(
      /^The virtual board stopped: its process was killed \(SIGKILL\)\./,
    );
    expect((err as Error).message).not.toMatch(RAW);
    // and the next profile starts a new board
    expect((await reg.profile('virtual', profileOpts('hello_world_int8'))).compare.allMatch).toBe(true);
  }, 120_000);
});

describe('a virtual board that stops answering', () => {
  const { reg } = watchedRegistry();
  afterAll(() => reg.closeAll());

  // rule: a board that hangs (alive but silent: here its process is stopped) fails the profile
  // with a timeout, and the session is dropped: the next profile runs on a fresh board instead of
  // timing out on the same hung one again
  it('fails the profile with a timeout; the next profile runs on a fresh board', async () => {
    await reg.session('virtual');
    const [pid] = childPids('qs-board');
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGSTOP');
    const err = await reg.profile('virtual', profileOpts('person_detect')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe('TIMEOUT');
    expect(reg.openIds()).toEqual([]); // dropped (and the hung process ended)
    await until(() => !childPids('qs-board').includes(pid), 5000);
    expect(childPids('qs-board')).not.toContain(pid);
    const next = await reg.profile('virtual', profileOpts('hello_world_int8'));
    expect(next.compare.allMatch).toBe(true);
    expect(childPids('qs-board')).toHaveLength(1);
  }, 120_000);
});

/** A registry and a path for socat boards, torn down after the describe (a stopped board resumed first). */
function portBoards(beat: { heartbeatMs?: number; silentMs?: number } = {}) {
  const { reg, downs } = watchedRegistry(0, beat);
  const dir = mkdtempSync(join(tmpdir(), 'qs-live-'));
  const live = {
    reg,
    downs,
    path: join(dir, 'ttyBOARD'),
    socat: undefined as ChildProcess | undefined,
    stopped: 0,
  };
  afterAll(async () => {
    if (live.stopped) process.kill(live.stopped, 'SIGCONT');
    await reg.closeAll();
    await stop(live.socat);
    rmSync(dir, { recursive: true, force: true });
  });
  return live;
}

describe('a board on a pty that vanishes', () => {
  const live = portBoards();
  const { reg, downs, path } = live;

  // rule: a vanished port is seen within 2 s, its path is no longer busy, and a new board on it works
  it('frees its path within 2 s; a new board on the same path is not busy', async () => {
    live.socat = await socatBoard(path);
    expect((await reg.profile(path, profileOpts('hello_world_int8'))).compare.allMatch).toBe(true);
    expect((await reg.list([path])).find((b) => b.id === path)!.status).toBe('busy');
    const t0 = Date.now();
    await stop(live.socat, 'SIGKILL');
    await until(() => downs.length > 0, 2000);
    expect(downs.map((d) => d.id)).toEqual([path]);
    expect(downs[0].at - t0).toBeLessThan(2000);
    expect(downs[0].message).toMatch(
      new RegExp(`^The board on ${path.replace(/[/.]/g, '\\$&')} stopped: its port .* Check the cable`),
    );
    expect(downs[0].message).not.toMatch(RAW);
    expect(reg.openIds()).toEqual([]);

    live.socat = await socatBoard(path); // another board on the same path
    const listed = (await reg.list([path])).find((b) => b.id === path)!;
    expect(listed.status).toBe('ready');
    expect(listed.stopped).toBeUndefined(); // the new board answered: not reported as the dead one
    expect((await reg.profile(path, profileOpts('hello_world_int8'))).compare.allMatch).toBe(true);
  }, 120_000);
});

describe('a board on a port that hangs', () => {
  const live = portBoards({ heartbeatMs: 200, silentMs: 1500 });
  const { reg, downs, path } = live;

  // rule: an idle board that answers its heartbeat is never reported; one that stops answering
  // while its port stays (a hung board, not an unplugged one) is reported within the silence
  // limit and a beat, in plain words, and its session is dropped
  it('is reported hung after the silence limit; a live one never is', async () => {
    live.socat = await socatBoard(path);
    expect((await reg.profile(path, profileOpts('hello_world_int8'))).compare.allMatch).toBe(true);
    await sleep(2500); // over 10 heartbeats, longer than the silence limit: all answered
    expect(downs).toEqual([]);
    expect(reg.openIds()).toEqual([path]);

    const ps = execFileSync('pgrep', ['-P', String(live.socat.pid), '-x', 'qs-board'])
      .toString()
      .trim();
    live.stopped = Number(ps.split('\n')[0]);
    expect(live.stopped).toBeGreaterThan(0);
    const t0 = Date.now();
    process.kill(live.stopped, 'SIGSTOP');
    await until(() => downs.length > 0, 6000);
    expect(downs.map((d) => d.id)).toEqual([path]);
    expect(downs[0].at - t0).toBeGreaterThanOrEqual(1500);
    expect(downs[0].at - t0).toBeLessThan(5000);
    expect(downs[0].message).toMatch(
      /^The board on .*ttyBOARD stopped: it stopped answering \(no reply for \d+ s while idle\)\. Check the cable/,
    );
    expect(reg.openIds()).toEqual([]);
  }, 60_000);
});

describe('an idle emulated board', () => {
  const { reg, downs } = watchedRegistry(1500);
  afterAll(() => reg.closeAll());

  // rule: QEMU stops after the idle time (no message: nothing died) and a profile starts it again
  it('stops after the idle time and starts again on the next profile', async () => {
    expect((await reg.profile('qemu', profileOpts('hello_world_int8'))).compare.allMatch).toBe(true);
    expect(childPids('qemu-system-arm')).toHaveLength(1);
    await until(() => childPids('qemu-system-arm').length === 0, 6000);
    expect(childPids('qemu-system-arm')).toEqual([]);
    expect(reg.openIds()).toEqual([]);
    const listed = (await reg.list()).find((b) => b.id === 'qemu');
    expect(listed?.stopped).toBeUndefined();
    expect(downs).toEqual([]);
    expect((await reg.profile('qemu', profileOpts('hello_world_int8'))).compare.allMatch).toBe(true);
    const [qemu] = childPids('qemu-system-arm');
    expect(qemu).toBeGreaterThan(0);
    // rule: an emulated board that dies is reported like the virtual board, naming QEMU
    process.kill(qemu, 'SIGKILL');
    await until(() => downs.length > 0, 2000);
    expect(downs.map((d) => d.message)).toEqual([
      'The emulated Cortex-M3 (QEMU mps2-an385) stopped: QEMU was killed (SIGKILL). Restart the board to start it again.',
    ]);
  }, 180_000);

  // rule: the idle time is configurable (QS_BOARD_IDLE_MS), a bad value is a clear error
  it('reads its idle time from QS_BOARD_IDLE_MS', () => {
    expect(idleStopFromEnv({})).toBe(60_000);
    expect(idleStopFromEnv({ QS_BOARD_IDLE_MS: '250' })).toBe(250);
    expect(() => idleStopFromEnv({ QS_BOARD_IDLE_MS: 'soon' })).toThrow(
      'QS_BOARD_IDLE_MS must be a number of milliseconds (0 = never stop), not "soon"',
    );
  });
});

describe('building the firmware', () => {
  const saved = process.env.QS_FIRMWARE_DIR;
  const dirs: string[] = [];
  afterAll(() => {
    if (saved === undefined) delete process.env.QS_FIRMWARE_DIR;
    else process.env.QS_FIRMWARE_DIR = saved;
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  // rule: an up-to-date firmware announces no build step
  it('says nothing when there is nothing to build', async () => {
    await buildFirmware('host');
    const steps: string[] = [];
    await buildFirmware('host', (s) => steps.push(s.message));
    expect(steps).toEqual([]);
  }, 300_000);

  // rule: the step names the board the firmware is for, as the board list does
  it('names the board in the step', () => {
    expect(firmwareBoardName('host')).toBe('the virtual board');
    expect(firmwareBoardName('mps2-an386')).toBe('the emulated Cortex-M4F (QEMU mps2-an386)');
  });

  // rule: a build announces "Building firmware for <board>" and a failure carries the compiler's output
  it('announces the step and fails with the compiler output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-fw-'));
    dirs.push(dir);
    const fw = join(dir, 'firmware');
    cpSync(join(REPO, 'firmware'), fw, {
      recursive: true,
      filter: (src) => !src.includes('/firmware/build'),
    });
    // a broken header every source includes: the compiler stops at once, with its message
    const header = join(fw, 'core/include/qs_interp.h');
    writeFileSync(header, `#error "deliberately broken for a test"\n${readFileSync(header, 'utf8')}`);
    process.env.QS_FIRMWARE_DIR = fw;
    const steps: string[] = [];
    const err = await buildFirmware('host', (s) => steps.push(s.message)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(steps[0]).toBe('Building firmware for the virtual board (make -C firmware host)');
    expect(err).toBeInstanceOf(FirmwareBuildError);
    expect((err as Error).message).toMatch(/^building the host firmware failed \(make -C firmware host\):\n/);
    expect((err as Error).message).toMatch(
      /qs_interp\.h:1:\d+: error: #error "deliberately broken for a test"/,
    );
  }, 120_000);
});

describe('boards.restart over the API', () => {
  const services = createServices({ configDir: mkdtempSync(join(tmpdir(), 'qs-config-')) });
  const handlers = createHandlers(services, { host: 'web', startupModel: null });
  afterAll(() => services.close());
  const call = async <T>(channel: string, args: unknown) =>
    (await dispatch(handlers, channel, args)) as ApiResult<T>;

  // rule: boards.restart is a job that starts the board again and answers with its identity;
  // the board list then shows it held, not stopped
  it('restarts the virtual board and returns its handshake', async () => {
    const r = await call<BoardRestartResult>('boards.restart', { jobId: 'restart-1', board: 'virtual' });
    expect(r.ok && r.value.identity.board).toMatch(/virtual/i);
    const first = childPids('qs-board');
    expect(first).toHaveLength(1);
    const again = await call<BoardRestartResult>('boards.restart', { jobId: 'restart-2', board: 'virtual' });
    expect(again.ok).toBe(true);
    const second = childPids('qs-board');
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first[0]); // a new process, the old one stopped
    const list = await call<DiscoveredBoard[]>('boards.list', { paths: [] });
    const v = list.ok ? list.value.find((b) => b.id === 'virtual') : undefined;
    expect(v?.status).toBe('busy');
    expect(v?.stopped).toBeUndefined();
  }, 120_000);

  // rule: a board argument that is neither a built-in board nor a port is refused with a clear error
  it('refuses a path that is not a port', async () => {
    const r = await call('boards.restart', { jobId: 'restart-3', board: '/etc/passwd' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('FORBIDDEN_PATH');
  });
});
