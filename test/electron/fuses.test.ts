/**
 * scripts/flip-fuses.mjs on a stand-in "packaged binary" (the fuse wire exactly as Electron lays
 * it out: sentinel, version, length, one byte per fuse): the production fuses are set, the asar
 * ones only with --asar, and node_modules' dev binary is refused.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/fixtures.ts';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSES = 9; // Electron 40's wire: RunAsNode ... WasmTrapHandlers
const SCRIPT = join(REPO, 'scripts', 'flip-fuses.mjs');

/** A file with Electron's fuse wire in the middle, every fuse as shipped ('1', asar ones '0'). */
function fakeBinary(): string {
  const wire = Buffer.from([1, FUSES, ...Buffer.from('111100111')]);
  const exe = join(mkdtempSync(join(tmpdir(), 'qs-fuses-')), 'quantscope');
  writeFileSync(
    exe,
    Buffer.concat([Buffer.alloc(4096, 0x90), Buffer.from(SENTINEL), wire, Buffer.alloc(4096)]),
  );
  return exe;
}

function wireOf(exe: string): string {
  const b = readFileSync(exe);
  const at = b.indexOf(SENTINEL) + SENTINEL.length + 2;
  return b.subarray(at, at + FUSES).toString('latin1');
}

const run = (...args: string[]) => promisify(execFile)(process.execPath, [SCRIPT, ...args], { cwd: REPO });

describe('flip-fuses', () => {
  it('turns off RunAsNode, NODE_OPTIONS and --inspect, turns on cookie encryption', async () => {
    const exe = fakeBinary();
    const { stdout } = await run(exe);
    // RunAsNode, CookieEncryption, NodeOptions, Inspect, AsarIntegrity, OnlyAsar, then untouched
    expect(wireOf(exe)).toBe('010000111');
    expect(stdout).toContain('RunAsNode: DISABLE');
    expect(stdout).toContain('EnableCookieEncryption: ENABLE');
  });

  it('requires the asar and its integrity only with --asar', async () => {
    const exe = fakeBinary();
    await run(exe, '--asar');
    expect(wireOf(exe)).toBe('010011111');
  });

  it('refuses the development binary in node_modules', async () => {
    await expect(run(join(REPO, 'node_modules', 'electron', 'package.json'))).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('development binary'),
    });
  });
});
