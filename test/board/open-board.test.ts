import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { openBoard } from '../../src-main/services/board/open-board.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';

describe('openBoard(--board spec)', () => {
  it('starts the virtual board and stops it on close', async () => {
    const b = await openBoard('virtual');
    expect(b.kind).toBe('virtual');
    expect(b.session.info.board).toBe('QuantScope virtual board');
    await b.close();
  });

  it('opens a port path like a real board', async () => {
    const vb = await VirtualBoard.start();
    try {
      const b = await openBoard(vb.portPath);
      expect(b.kind).toBe('serial');
      expect((await b.session.arenaStats()).arenaBytes).toBe(8 << 20);
      await b.close();
    } finally {
      await vb.stop();
    }
  });

  it('names the problem when the path is not a port', async () => {
    const err = await openBoard('/dev/does-not-exist').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/cannot open serial port \/dev\/does-not-exist/);
  });

  it('reports NOT_A_BOARD when nothing on the port speaks the protocol', async () => {
    // a socat pty pair with nobody on the other end: a port that exists but never answers
    const dir = mkdtempSync(join(tmpdir(), 'qs-silent-'));
    const a = join(dir, 'a');
    const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${join(dir, 'b')}`], {
      stdio: 'ignore',
    });
    try {
      for (let i = 0; i < 50 && !existsSync(a); i++) await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      const err = await openBoard(a, { timeoutMs: 200, retries: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).code).toBe('NOT_A_BOARD');
      expect((err as Error).message).toMatch(/no QuantScope board answered/);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      socat.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
