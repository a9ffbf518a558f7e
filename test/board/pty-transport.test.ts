/**
 * The pty transport the app uses for the boards it starts itself (virtual board, QEMU):
 * full-duplex load never stalls it, the far end going away closes it with a plain reason, and a
 * path that cannot be opened is a DISCONNECTED error naming the path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { openPtyTransport } from '../../src-main/services/board/pty-transport.ts';

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
let child: ChildProcess | undefined;
let dir: string | undefined;

/** A pty whose far end is `cat`: every byte written comes back, and cat blocks when unread. */
async function echoPty(): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'qs-pty-'));
  const path = join(dir, 'echo');
  child = spawn('socat', [`pty,link=${path},raw,echo=0`, 'EXEC:cat'], { stdio: 'ignore' });
  for (let i = 0; i < 150 && !existsSync(path); i++) await sleep(20);
  if (!existsSync(path)) throw new Error('socat did not create its pty');
  return path;
}

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((ok) => child!.once('exit', ok));
    child.kill();
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  child = dir = undefined;
});

describe('pty transport', () => {
  // rule: writing far more than the pty buffers while the far end echoes it back (so it blocks
  // unless we keep reading) completes, byte for byte: a waiting write never stops the reading
  it('moves 2 MiB both ways at once through an echo without stalling', async () => {
    const t = openPtyTransport(await echoPty());
    const sent = randomBytes(2 << 20);
    const got: Uint8Array[] = [];
    let n = 0;
    const all = new Promise<void>((ok) =>
      t.onData((b) => {
        got.push(Uint8Array.from(b));
        n += b.length;
        if (n >= sent.length) ok();
      }),
    );
    await t.write(sent);
    await all;
    expect(Buffer.concat(got).equals(sent)).toBe(true);
    await t.close();
  }, 60_000);

  // rule: the far end going away is a close with a plain reason, and a later write is DISCONNECTED
  it('closes with a reason when the far end goes away', async () => {
    const path = await echoPty();
    const t = openPtyTransport(path);
    t.onData(() => undefined); // reading, as a BoardLink always is
    const reason = new Promise<string>((ok) => t.onClose(ok));
    child!.kill('SIGKILL');
    expect(await reason).toMatch(/was disconnected|closed|failed/);
    await expect(t.write(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(ProtocolError);
    await t.close();
  }, 10_000);

  // rule: a path that is not there is DISCONNECTED naming the path, not a stack trace
  it('names the path it cannot open', () => {
    expect(() => openPtyTransport('/dev/pts/no-such-pty')).toThrow(
      /cannot open \/dev\/pts\/no-such-pty: ENOENT/,
    );
  });
});
