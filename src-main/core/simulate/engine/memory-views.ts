/**
 * Getting values out of the interpreter core's memory: typed copies and views of op outputs, and
 * the tap buffer's layout (where the core copies each op's output during a tapped run).
 */
import type { CoreEngine } from './core-engine.ts';
import type { TensorData } from '../tensor-data.ts';

export type TensorCtor = {
  new (n: number): TensorData;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TensorData;
  readonly BYTES_PER_ELEMENT: number;
};

/** Whole-memory views per element type (rebuilt when the core's memory is replaced). */
export interface HeapViews {
  buffer: ArrayBuffer | null;
  byCtor: Map<TensorCtor, TensorData>;
}

/**
 * Tapped runs copy every op output into one buffer inside the core (one call, memcpy), then out:
 * outputs up to TAP_TINY_MAX bytes are sliced one by one (V8 keeps such arrays on its heap: the
 * cheapest allocation), those up to TAP_SHARED_MAX share one copy (an off-heap allocation costs
 * more than copying a small tensor), larger ones get their own, so handing one layer to another
 * thread never clones more than small neighbours along with it.
 */
export interface TapLayout {
  ptr: number;
  /** Per op output, op by op and in each op's output order (most ops have one output). */
  offsets: number[];
  lengths: number[];
  /** Offsets below this are tiny outputs, each sliced on its own. */
  tinyEnd: number;
  /** Offsets from tinyEnd below this are in the shared region. */
  sharedEnd: number;
}
const TAP_TINY_MAX = 64;
const TAP_SHARED_MAX = 4096;

export function heapView(v: HeapViews, buf: ArrayBuffer, C: TensorCtor): TensorData {
  if (v.buffer !== buf) {
    v.buffer = buf;
    v.byCtor.clear();
  }
  let view = v.byCtor.get(C);
  if (!view) {
    view = new C(buf, 0, Math.floor(buf.byteLength / C.BYTES_PER_ELEMENT));
    v.byCtor.set(C, view);
  }
  return view;
}

export function planTaps(e: CoreEngine): TapLayout {
  const lengths: number[] = [];
  for (let i = 0; i < e.opCount; i++)
    for (const t of e.opOutputs(i)) lengths.push(Math.max(0, e.tensorByteLength(t)));
  const offsets = new Array<number>(lengths.length).fill(0);
  let at = 0;
  const place = (min: number, max: number) =>
    lengths.forEach((n, i) => {
      if (n < min || n > max) return;
      offsets[i] = at;
      at += (n + 15) & ~15;
    });
  place(0, TAP_TINY_MAX);
  const tinyEnd = at;
  place(TAP_TINY_MAX + 1, TAP_SHARED_MAX);
  const sharedEnd = at;
  place(TAP_SHARED_MAX + 1, Infinity);
  return {
    ptr: e.setTapLayout(offsets, at),
    offsets,
    lengths,
    tinyEnd,
    sharedEnd,
  };
}

/** A copy of `len` bytes at `ptr` of the core's memory as values of `info`'s type. */
export function copyOut(info: { ctor: TensorCtor }, buf: ArrayBuffer, ptr: number, len: number): TensorData {
  const C = info.ctor;
  const n = len / C.BYTES_PER_ELEMENT;
  const out = new C(n);
  if (ptr % C.BYTES_PER_ELEMENT === 0) (out as Int8Array).set(new C(buf, ptr, n) as Int8Array);
  else new Uint8Array(out.buffer, out.byteOffset, len).set(new Uint8Array(buf, ptr, len));
  return out;
}

/** A view (no copy) of an op output, for lean streaming; a copy where it is not aligned. */
export function viewOf(info: { ctor: TensorCtor }, buf: ArrayBuffer, ptr: number, len: number): TensorData {
  const C = info.ctor;
  if (ptr % C.BYTES_PER_ELEMENT !== 0) return copyOut(info, buf, ptr, len);
  return new C(buf, ptr, len / C.BYTES_PER_ELEMENT);
}
