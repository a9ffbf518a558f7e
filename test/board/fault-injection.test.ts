/**
 * Fault injection through real pseudo-terminals: a node proxy (fault-proxy.mjs) between the app
 * and the virtual board flips or drops bytes at rate 1e-3 in both directions and can cut the
 * line mid-upload. Every transfer either completes with data identical to the TFLite Micro
 * goldens (the board is correct, so any accepted mismatch would be wrong data) or fails with a
 * clear error; nothing hangs (each run is bounded).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { BoardLink } from '../../src-main/services/board/board-link.ts';
import { buildFirmware } from '../../src-main/services/board/firmware.ts';
import { profileAndCompare } from '../../src-main/services/board/profile-compare.ts';
import { BoardSession } from '../../src-main/services/board/session.ts';
import { openSerialTransport } from '../../src-main/services/board/transport.ts';
import { readFixture, readGolden } from '../helpers/fixtures.ts';

const PROXY = join(import.meta.dirname, 'fault-proxy.mjs');
let exe: string;
let dir: string;
let seq = 0;

/** socat pty ⇄ fault-proxy ⇄ qs-board; resolves with the pty path the app opens. */
async function faultyLine(
  rate: number,
  seed: number,
  cut?: number,
  mode: 'silence' | 'exit' = 'silence',
): Promise<{ path: string; proc: ChildProcess }> {
  const path = join(dir, `tty${++seq}`);
  const cmd = [process.execPath, PROXY, exe, rate, seed, ...(cut === undefined ? [] : [cut, mode])].join(' ');
  const proc = spawn('socat', [`pty,link=${path},raw,echo=0`, `EXEC:${cmd}`], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((ok) => setTimeout(ok, 10));
  if (!existsSync(path)) throw new Error('socat did not create its pty');
  return { path, proc };
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((ok) => p.once('exit', ok));
  p.kill('SIGTERM');
  await exited;
}

const sorted = (ts: { tensor: number; data_b64: string }[]) =>
  ts.map((t) => `${t.tensor}:${t.data_b64}`).sort();

/** One profile over a faulty line: 'ok' with golden-exact data, or the error it failed with. */
async function attempt(
  name: string,
  line: { path: string },
): Promise<{ ok: true } | { ok: false; error: ProtocolError }> {
  let link: BoardLink | undefined;
  try {
    // The pty moves well over 100 KB/s: with the 5 KB/s default (a real 115200-baud UART) each
    // 128 KiB upload burst would get ~26 s of slack before a dead line is noticed.
    link = await BoardLink.open(await openSerialTransport(line.path), {
      timeoutMs: 1000,
      retries: 6,
      minBytesPerSec: 100_000,
    });
    const r = await profileAndCompare(new BoardSession(link), {
      modelName: name,
      modelBytes: readFixture('models', `${name}.tflite`),
      input: { seed: 1 },
    });
    // Accepted data must be exactly right: the board is correct, the host is bit-exact.
    expect(r.compare.allMatch).toBe(true);
    expect(sorted(r.deviceDump.op_outputs)).toEqual(sorted(readGolden(name).op_outputs));
    return { ok: true };
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e; // anything else is a bug, not a line fault
    expect(e.message.length).toBeGreaterThan(10);
    return { ok: false, error: e };
  } finally {
    await link?.close();
  }
}

describe('fault injection between app and virtual board (pty proxy)', () => {
  beforeAll(async () => {
    exe = await buildFirmware('host');
    dir = mkdtempSync(join(tmpdir(), 'qs-fault-'));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('1e-3 flips/drops both ways, 6 runs: golden-exact data or a clear error each, bounded, mostly data', async () => {
    const runs: [string, number][] = [
      ['micro_speech_quantized', 11],
      ['micro_speech_quantized', 22],
      ['micro_speech_quantized', 66],
      ['keyword_spotting_on_off', 33],
      ['keyword_spotting_on_off', 44],
      ['keyword_spotting_on_off', 77],
    ];
    const failures: string[] = [];
    for (const [name, seed] of runs) {
      const line = await faultyLine(1e-3, seed);
      const t0 = Date.now();
      try {
        const r = await attempt(name, line);
        if (!r.ok) {
          expect(r.error.code).toMatch(/TIMEOUT|NOT_A_BOARD|BAD_REPLY|DISCONNECTED/);
          failures.push(`${name} seed ${seed}: ${r.error.code} ${r.error.message}`);
        }
      } finally {
        await stop(line.proc);
      }
      expect(Date.now() - t0).toBeLessThan(60_000);
    }
    if (failures.length) console.log('noisy pty line failures (allowed, typed):', failures);
    // Retries, resumable upload and per-op re-runs get almost every transfer through.
    expect(failures.length, failures.join('\n')).toBeLessThanOrEqual(2);
  }, 300_000);

  it('line cut mid-upload (goes silent): a clear TIMEOUT within seconds, no hang', async () => {
    const line = await faultyLine(0, 1, 60_000, 'silence');
    const t0 = Date.now();
    try {
      const r = await attempt('person_detect', line);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('TIMEOUT');
        expect(r.error.message).toMatch(/did not answer|no reply|could not/);
      }
    } finally {
      await stop(line.proc);
    }
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 60_000);

  it('line cut mid-upload (far end hangs up): a clear DISCONNECTED/TIMEOUT, no hang', async () => {
    const line = await faultyLine(0, 1, 60_000, 'exit');
    const t0 = Date.now();
    try {
      const r = await attempt('person_detect', line);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toMatch(/DISCONNECTED|TIMEOUT/);
    } finally {
      await stop(line.proc);
    }
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 60_000);

  it('noise AND a cut: person_detect fails cleanly, never with wrong data', async () => {
    const line = await faultyLine(1e-3, 55, 150_000, 'silence');
    try {
      const r = await attempt('person_detect', line);
      expect(r.ok).toBe(false);
    } finally {
      await stop(line.proc);
    }
  }, 60_000);
});
