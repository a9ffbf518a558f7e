/**
 * scripts/build-firmware-images.sh: the prebuilt images are reproducible (two clean builds in
 * different folders give the same bytes) and SHA256SUMS states each file's real hash.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'qs-images-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('prebuilt firmware images', () => {
  // rule: images are built reproducibly, each with its sha256 (one image here; the script builds all)
  it('the emulated Cortex-M4 image builds twice to the same bytes; SHA256SUMS matches the files', async () => {
    const { stdout } = await promisify(execFile)(
      'bash',
      [join(REPO, 'scripts/build-firmware-images.sh'), '--check', '--only', 'mps2-an386', out],
      { timeout: 600_000 },
    );
    expect(stdout).toContain('qs-mps2-an386.bin');
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums.map((l) => l.split(/\s+/)[1]).sort()).toEqual(['qs-mps2-an386.bin', 'qs-mps2-an386.elf']);
    for (const line of sums) {
      const [hash, file] = line.split(/\s+/);
      const bytes = readFileSync(join(out, file));
      expect(createHash('sha256').update(bytes).digest('hex'), file).toBe(hash);
    }
    const elf = readFileSync(join(out, 'qs-mps2-an386.elf'));
    expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(elf.readUInt16LE(18)).toBe(40); // e_machine EM_ARM
    // the raw image starts with the vector table: initial stack pointer in SSRAM2/3, reset handler in code
    const bin = readFileSync(join(out, 'qs-mps2-an386.bin'));
    expect(bin.readUInt32LE(0) >>> 24).toBe(0x20);
    expect(bin.readUInt32LE(4) & 1).toBe(1); // Thumb
  }, 600_000);

  // rule: bad input gets a clear error
  it('names an unknown option', async () => {
    await expect(
      promisify(execFile)('bash', [join(REPO, 'scripts/build-firmware-images.sh'), '--bogus']),
    ).rejects.toThrow(/unknown option --bogus/);
  });
});
