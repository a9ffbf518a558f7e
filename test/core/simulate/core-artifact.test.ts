/**
 * The committed WebAssembly core (src-main/core/simulate/engine/qs-core.wasm, its sha256 file and the
 * base64 copy the simulator loads) is exactly what scripts/build-core-wasm.sh makes from the
 * checked-out C sources: a core change that was not rebuilt fails here, so the host simulator can
 * never run other code than the boards. Where the toolchain is missing the rebuild is skipped with
 * the reason, except under CI, which installs it (scripts/install-test-deps.sh) and must not skip.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QS_CORE_WASM_BASE64 } from '../../../src-main/core/simulate/engine/qs-core-wasm.gen.ts';
import { REPO } from '../../helpers/fixtures.ts';

const ENGINE = join(REPO, 'src-main/core/simulate/engine');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function toolchainMissing(): string | null {
  const clang = spawnSync('clang', ['--target=wasm32-wasi', '-print-libgcc-file-name'], { encoding: 'utf8' });
  if (clang.error || clang.status !== 0) return 'clang is not installed';
  if (!existsSync('/usr/include/wasm32-wasi/stdlib.h')) return 'wasi-libc is not installed';
  if (!existsSync(clang.stdout.trim())) return 'the wasm32 compiler-rt builtins are not installed';
  if (spawnSync('wasm-ld', ['--version']).error) return 'lld (wasm-ld) is not installed';
  return null;
}

describe('the committed WebAssembly core', () => {
  const committed = new Uint8Array(readFileSync(join(ENGINE, 'qs-core.wasm')));

  it('the embedded base64 and the sha256 file describe the same bytes as qs-core.wasm', () => {
    expect(sha256(new Uint8Array(Buffer.from(QS_CORE_WASM_BASE64, 'base64')))).toBe(sha256(committed));
    const recorded = readFileSync(join(ENGINE, 'qs-core.wasm.sha256'), 'utf8').split(/\s+/)[0];
    expect(recorded).toBe(sha256(committed));
  });

  it('imports only the host clock and the tap hook', () => {
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(committed));
    expect(imports.map((i) => `${i.module}.${i.name}`).sort()).toEqual([
      'env.qs_host_tap',
      'env.qs_host_ticks',
    ]);
  });

  const missing = toolchainMissing();
  if (missing && process.env.CI) throw new Error(`CI must be able to rebuild the core: ${missing}`);
  it.skipIf(missing !== null)(
    `is what the C sources build to today${missing ? ` (skipped: ${missing})` : ''}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'qs-core-'));
      try {
        const out = join(dir, 'qs-core.wasm');
        const r = spawnSync('sh', [join(REPO, 'scripts/build-core-wasm.sh'), out], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const rebuilt = new Uint8Array(readFileSync(out));
        expect(
          sha256(rebuilt),
          'firmware/core changed without rebuilding the artifact: run scripts/build-core-wasm.sh and commit',
        ).toBe(sha256(committed));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
