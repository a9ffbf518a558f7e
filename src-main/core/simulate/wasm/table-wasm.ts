/**
 * int8 ADD / SUB / MUL on WASM: the op's exact 64 KiB result table (built by the TS kernel at
 * prepare) copied into the arena, looked up by table2_int8 (sim-int8.c). Elementwise only: the
 * caller keeps broadcasting shapes on the TS path.
 */
import type { WasmArena } from './arena.ts';

export function wasmBinaryTable(
  arena: WasmArena,
  table: Int8Array,
  a: Int8Array,
  b: Int8Array,
  output: Int8Array,
): () => void {
  const tableAt = arena.alloc(table.length);
  arena.i8.set(table, tableAt);
  const params = arena.alloc(5 * 4);
  const n = output.length;
  arena.reserve('input', n);
  arena.reserve('patch', n);
  arena.reserve('output', n);
  const layout = (): void => {
    const at = (['input', 'patch', 'output'] as const).map((name) => arena.scratch(name));
    arena.i32.set([tableAt, ...at, n], params >> 2);
  };
  return arena.copyRun(
    [
      { data: a, at: 'input' },
      { data: b, at: 'patch' },
    ],
    output,
    layout,
    () => arena.exports.table2_int8(params),
  );
}
