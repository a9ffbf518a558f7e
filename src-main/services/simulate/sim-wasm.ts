/**
 * Reads and compiles the simulator's WASM kernels (src-main/core/simulate/wasm/sim-kernels.wasm,
 * built by scripts/build-sim-wasm.sh) once per process. The kernels give the same bits as the
 * pure-TS ones, several times faster; if the file is missing (e.g. a bundle that did not ship it)
 * the simulator runs on TypeScript alone, so this never fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSimWasmSync } from '../../core/simulate/wasm/arena.ts';
import { appRoot } from '../paths.ts';

let cached: WebAssembly.Module | null | undefined;

export function simWasmModule(): WebAssembly.Module | null {
  if (cached !== undefined) return cached;
  if (process.env.QS_SIM_WASM === '0') return (cached = null);
  try {
    const bytes = readFileSync(join(appRoot(), 'src-main/core/simulate/wasm/sim-kernels.wasm'));
    cached = compileSimWasmSync(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    cached = null;
  }
  return cached;
}
