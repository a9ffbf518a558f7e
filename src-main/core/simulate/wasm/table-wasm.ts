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
  let aView: Int8Array | null = null;
  let bView = new Int8Array(0);
  let outView = new Int8Array(0);
  let buffer: ArrayBuffer | null = null;
  const bind = (): Int8Array => {
    const aAt = arena.scratch('input');
    const bAt = arena.scratch('patch');
    const outAt = arena.scratch('output');
    arena.i32.set([tableAt, aAt, bAt, outAt, n], params >> 2);
    buffer = arena.exports.memory.buffer;
    bView = new Int8Array(buffer, bAt, n);
    outView = new Int8Array(buffer, outAt, n);
    return (aView = new Int8Array(buffer, aAt, n));
  };
  return () => {
    const view = aView !== null && buffer === arena.exports.memory.buffer ? aView : bind();
    view.set(a);
    bView.set(b);
    arena.exports.table2_int8(params);
    output.set(outView);
  };
}
