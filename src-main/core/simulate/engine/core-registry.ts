/**
 * The interpreter core's kernel registry as the WebAssembly build (the host simulator) compiles
 * it: every op it has, with the dtype families it has kernels for (firmware/core/src/ops.c, read
 * through the qsw_registry_* exports of firmware/port/wasm/qs_wasm.c). docs/ops.md is generated
 * from this and from the native builds' registries (scripts/docs-ops.ts).
 */
import { coreWasmModule } from './core-engine.ts';

export interface RegistryEntry {
  /** TFLite BuiltinOperator (32 for a custom op, named by `name`). */
  code: number;
  name: string;
  /** QS_FAM_* bits: low nibble built, high nibble declared but left out of this build. */
  dtypes: number;
}

export interface CoreRegistry {
  /** QS_FAM_* families the build compiles in. */
  build: number;
  ops: RegistryEntry[];
}

interface RegistryExports {
  memory: WebAssembly.Memory;
  _initialize: () => void;
  qsw_registry_size?: () => number;
  qsw_registry_code: (i: number) => number;
  qsw_registry_name: (i: number) => number;
  qsw_registry_dtypes: (i: number) => number;
  qsw_build_families: () => number;
}

export function coreRegistry(module: WebAssembly.Module = coreWasmModule()): CoreRegistry {
  const env = { qs_host_ticks: () => 0, qs_host_tap: () => undefined };
  const x = new WebAssembly.Instance(module, { env }).exports as unknown as RegistryExports;
  x._initialize();
  if (!x.qsw_registry_size)
    throw new Error(
      'this build of the core has no registry exports (qsw_registry_*): rebuild it with scripts/build-core-wasm.sh',
    );
  const heap = () => new Uint8Array(x.memory.buffer);
  const name = (ptr: number) => {
    const h = heap();
    let end = ptr;
    while (end < h.length && h[end] !== 0) end++;
    return new TextDecoder().decode(h.subarray(ptr, end));
  };
  const ops: RegistryEntry[] = [];
  for (let i = 0, n = x.qsw_registry_size(); i < n; i++)
    ops.push({
      code: x.qsw_registry_code(i),
      name: name(x.qsw_registry_name(i)),
      dtypes: x.qsw_registry_dtypes(i),
    });
  return { build: x.qsw_build_families(), ops };
}
