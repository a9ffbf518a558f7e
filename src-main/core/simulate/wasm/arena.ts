/**
 * One instance of the simulator's WASM kernels (sim-int8.c, sim-float.c) per prepared model, and its linear
 * memory: per-op constants (widened filters, bias, multipliers, shifts, a Params block) are
 * allocated at prepare; the activations and work buffers every op needs are one shared scratch
 * region (ops run one at a time), laid out on the first run once every op has said how much it
 * needs. Core stays free of I/O: the caller passes the compiled module (see compileSimWasm).
 */
import { SimulateError } from '../errors.ts';

/** Compile the bytes of sim-kernels.wasm (read by the service/CLI layer). */
export async function compileSimWasm(bytes: Uint8Array): Promise<WebAssembly.Module> {
  return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
}

/** Synchronous compile, for callers that cannot await (Node allows any size off the browser main thread). */
export function compileSimWasmSync(bytes: Uint8Array): WebAssembly.Module {
  return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
}

interface Exports {
  memory: WebAssembly.Memory;
  conv_int8: (params: number) => void;
  depthwise_int8: (params: number) => void;
  conv_f32: (params: number) => void;
  table2_int8: (params: number) => void;
  pool_f32: (params: number) => void;
  __heap_base: WebAssembly.Global;
}

/** Element arrays an op copies in and out of WASM memory. */
type Elements = Int8Array | Float32Array;

/** Named scratch buffers shared by all ops (byte sizes are maxima over the ops). */
export type ScratchName = 'input' | 'output' | 'x16' | 'patch' | 'acc';
const SCRATCH: ScratchName[] = ['input', 'output', 'x16', 'patch', 'acc'];
const PAGE = 65536;

export class WasmArena {
  readonly exports: Exports;
  private top: number;
  private readonly need = new Map<ScratchName, number>();
  private scratchAt: Map<ScratchName, number> | null = null;
  private buffer: ArrayBuffer | null = null;
  private i8v = new Int8Array(0);
  private i16v = new Int16Array(0);
  private i32v = new Int32Array(0);
  private f32v = new Float32Array(0);
  private f64v = new Float64Array(0);

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, {});
    this.exports = instance.exports as unknown as Exports;
    if (
      typeof this.exports.conv_int8 !== 'function' ||
      typeof this.exports.depthwise_int8 !== 'function' ||
      typeof this.exports.conv_f32 !== 'function' ||
      typeof this.exports.table2_int8 !== 'function' ||
      typeof this.exports.pool_f32 !== 'function'
    ) {
      throw new SimulateError('simulator WASM module lacks one of its kernel exports');
    }
    this.top = align16(Number(this.exports.__heap_base.value));
  }

  /** Reserve `bytes` of persistent memory (16-byte aligned) and return its address. */
  alloc(bytes: number): number {
    if (this.scratchAt) throw new SimulateError('WASM arena: allocation after the first run');
    const at = this.top;
    this.top = align16(at + bytes);
    this.grow(this.top);
    return at;
  }

  /** Declare that an op needs at least `bytes` of shared scratch buffer `name`. */
  reserve(name: ScratchName, bytes: number): void {
    this.need.set(name, Math.max(this.need.get(name) ?? 0, align16(bytes + 16)));
  }

  /** Address of scratch buffer `name` (lays the scratch region out on the first call). */
  scratch(name: ScratchName): number {
    if (!this.scratchAt) {
      const at = new Map<ScratchName, number>();
      let top = this.top;
      for (const n of SCRATCH) {
        at.set(n, top);
        top = align16(top + (this.need.get(n) ?? 16));
      }
      this.grow(top);
      this.scratchAt = at;
    }
    return this.scratchAt.get(name)!;
  }

  /**
   * An op's run closure: each input copied into its scratch buffer, `call()` runs the kernel, the
   * 'output' scratch copied out. The first run lays out the scratch region (which may grow memory)
   * and calls `layout()` to write the scratch addresses into the op's parameter block; memory
   * never grows after that, so later runs are the copies and one call.
   */
  copyRun(
    inputs: { data: Elements; at: ScratchName }[],
    output: Elements,
    layout: () => void,
    call: () => void,
  ): () => void {
    let buffer: ArrayBuffer | null = null;
    let inViews: Elements[] = [];
    let outView: Elements = output;
    const view = (like: Elements, at: ScratchName): Elements => {
      const Ctor = like.constructor as Int8ArrayConstructor | Float32ArrayConstructor;
      return new Ctor(this.exports.memory.buffer, this.scratch(at), like.length);
    };
    return () => {
      if (buffer !== this.exports.memory.buffer) {
        layout();
        inViews = inputs.map((i) => view(i.data, i.at));
        outView = view(output, 'output');
        buffer = this.exports.memory.buffer;
      }
      for (let i = 0; i < inViews.length; i++) inViews[i].set(inputs[i].data);
      call();
      output.set(outView);
    };
  }

  get i8(): Int8Array {
    this.views();
    return this.i8v;
  }
  get i16(): Int16Array {
    this.views();
    return this.i16v;
  }
  get i32(): Int32Array {
    this.views();
    return this.i32v;
  }

  get f32(): Float32Array {
    this.views();
    return this.f32v;
  }
  get f64(): Float64Array {
    this.views();
    return this.f64v;
  }

  private views(): void {
    const buf = this.exports.memory.buffer;
    if (buf === this.buffer) return;
    this.buffer = buf;
    this.i8v = new Int8Array(buf);
    this.i16v = new Int16Array(buf);
    this.i32v = new Int32Array(buf);
    this.f32v = new Float32Array(buf);
    this.f64v = new Float64Array(buf);
  }

  private grow(bytes: number): void {
    const mem = this.exports.memory;
    const have = mem.buffer.byteLength;
    if (bytes > have) mem.grow(Math.ceil((bytes - have) / PAGE));
  }
}

function align16(n: number): number {
  return (n + 15) & ~15;
}
