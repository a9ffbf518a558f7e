/**
 * The interpreter core (firmware/core) compiled to WebAssembly, driven from TypeScript: the host
 * simulator. One `CoreEngine` is one WebAssembly instance holding one loaded model, so nothing of
 * one model survives into the next. The core's loader is the verdict: a model it refuses is
 * refused here with its message (op, tensor, rule), the same verdict the boards give.
 *
 * The module bytes are embedded (qs-core-wasm.gen.ts, built by scripts/build-core-wasm.sh), so this
 * stage stays free of I/O and needs no C toolchain at run time.
 */
import { QS_CORE_WASM_BASE64 } from './qs-core-wasm.gen.ts';

/** Status codes of firmware/core/include/qs_interp.h (qs_status_t). */
export const CORE_STATUS = [
  'OK',
  'ARG',
  'FORMAT',
  'SCHEMA',
  'UNSUPPORTED',
  'TYPE',
  'SHAPE',
  'QUANT',
  'ARENA',
  'LIMIT',
  'STATE',
] as const;
export type CoreStatusName = (typeof CORE_STATUS)[number];

/** What the core said when it refused a model. */
export interface CoreRefusal {
  status: number;
  /** e.g. 'UNSUPPORTED' */
  statusName: CoreStatusName | 'UNKNOWN';
  /** The core's words for the status, e.g. 'unsupported'. */
  statusText: string;
  /** Operator index that failed, or -1. */
  op: number;
  /** Tensor index that failed, or -1. */
  tensor: number;
  /** The rule, e.g. 'filter depth does not divide input depth'. */
  message: string;
  /** For ARENA: bytes needed. */
  needed: number;
}

export class CoreLoadError extends Error {
  readonly refusal: CoreRefusal;
  constructor(refusal: CoreRefusal) {
    super(`${refusal.message} (${refusal.statusText})`);
    this.name = 'CoreLoadError';
    this.refusal = refusal;
  }
}

interface Exports {
  memory: WebAssembly.Memory;
  _initialize: () => void;
  qsw_alloc: (n: number) => number;
  qsw_free: (p: number) => void;
  qsw_load: (ptr: number, len: number) => number;
  qsw_err_op: () => number;
  qsw_err_tensor: () => number;
  qsw_err_msg: () => number;
  qsw_err_needed: () => number;
  qsw_status_str: (s: number) => number;
  qsw_op_count: () => number;
  qsw_input_count: () => number;
  qsw_output_count: () => number;
  qsw_input_tensor: (i: number) => number;
  qsw_output_tensor: (i: number) => number;
  qsw_input_data: (i: number) => number;
  qsw_output_data: (i: number) => number;
  qsw_tensor_bytes: (t: number) => number;
  qsw_op_output: (i: number) => number;
  /** Absent in cores built before multi-output ops (every op had one output). */
  qsw_op_output_count?: (i: number) => number;
  qsw_op_output_at?: (i: number, k: number) => number;
  qsw_op_code: (i: number) => number;
  qsw_op_macs: (i: number) => number;
  qsw_op_ticks: (i: number) => number;
  qsw_arena_used: () => number;
  qsw_arena_tensor_bytes: () => number;
  qsw_invoke: (mode: number) => number;
  /** Absent in cores built before variable tensors (no state to reset). */
  qsw_reset_state?: () => number;
  qsw_tap_buffer: (bytes: number) => number;
  qsw_tap_offsets: () => number;
  /** Absent in cores built before the LSTM gate taps. */
  qsw_gate_taps?: (on: number) => number;
  qsw_gate_taps_ptr?: () => number;
  qsw_gate_taps_len?: () => number;
}

/** Called after each op in tap mode: `bytes` is a view into the core's memory, valid only during the call. */
export type TapHandler = (op: number, tensor: number, bytes: Uint8Array, ticks: number) => void;
/**
 * The same without a view: output `tensor` of op `op` is `len` bytes at `ptr` in `memory()` (no
 * allocation per op). Called once per output (SPLIT, SPLIT_V and UNPACK have several).
 */
export type RawTapHandler = (op: number, tensor: number, ptr: number, len: number) => void;

let embedded: WebAssembly.Module | null = null;

/** Compile core bytes (another build of the core, e.g. the portable-only one in tests). */
export function compileCoreWasm(bytes: Uint8Array): WebAssembly.Module {
  return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
}

/** The embedded core, compiled once per process (synchronous: Node allows it off the browser main thread). */
export function coreWasmModule(): WebAssembly.Module {
  if (!embedded) embedded = compileCoreWasm(decodeBase64(QS_CORE_WASM_BASE64));
  return embedded;
}

function decodeBase64(s: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(s, 'base64'));
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

const now: () => number = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

export class CoreEngine {
  readonly opCount: number;
  readonly inputCount: number;
  readonly outputCount: number;
  /** Measure host microseconds per op (opTicks) in invoke; off by default. */
  timing = false;
  private readonly x: Exports;
  private heap: Uint8Array;
  private onTap: TapHandler | null = null;
  private onRawTap: RawTapHandler | null = null;
  private readonly inputPtr: number[] = [];
  private readonly inputBytes: number[] = [];
  private readonly outputPtr: number[] = [];
  private readonly outputBytes: number[] = [];

  private constructor(x: Exports) {
    this.x = x;
    this.heap = new Uint8Array(x.memory.buffer);
    this.opCount = x.qsw_op_count();
    this.inputCount = x.qsw_input_count();
    this.outputCount = x.qsw_output_count();
    for (let i = 0; i < this.inputCount; i++) {
      this.inputPtr.push(x.qsw_input_data(i));
      this.inputBytes.push(x.qsw_tensor_bytes(x.qsw_input_tensor(i)));
    }
    for (let i = 0; i < this.outputCount; i++) {
      this.outputPtr.push(x.qsw_output_data(i));
      this.outputBytes.push(x.qsw_tensor_bytes(x.qsw_output_tensor(i)));
    }
  }

  /** Load (parse, validate, plan) a .tflite; throws CoreLoadError with the core's verdict. */
  static load(modelBytes: Uint8Array, module: WebAssembly.Module = coreWasmModule()): CoreEngine {
    let engine: CoreEngine | null = null;
    const env = {
      // Per-op host microseconds only when asked for (a clock read costs more than a tiny op).
      qs_host_ticks: () => (engine?.timing ? Math.round(now() * 1000) >>> 0 : 0),
      qs_host_tap: (op: number, tensor: number, ptr: number, len: number, ticks: number) => {
        const e = engine;
        if (e?.onRawTap) e.onRawTap(op, tensor, ptr, len);
        else if (e?.onTap) e.onTap(op, tensor, e.heap.subarray(ptr, ptr + len), ticks);
      },
    };
    const x = new WebAssembly.Instance(module, { env }).exports as unknown as Exports;
    x._initialize();
    const ptr = x.qsw_alloc(modelBytes.byteLength);
    if (ptr === 0) throw new CoreLoadError(refusal(x, 8));
    new Uint8Array(x.memory.buffer).set(modelBytes, ptr);
    const status = x.qsw_load(ptr, modelBytes.byteLength);
    if (status !== 0) throw new CoreLoadError(refusal(x, status));
    engine = new CoreEngine(x);
    return engine;
  }

  /** The core's accept/refuse verdict for a model, without keeping it. */
  static verdict(
    modelBytes: Uint8Array,
    module?: WebAssembly.Module,
  ): { ok: true } | ({ ok: false } & CoreRefusal) {
    try {
      CoreEngine.load(modelBytes, module);
      return { ok: true };
    } catch (e) {
      if (e instanceof CoreLoadError) return { ok: false, ...e.refusal };
      throw e;
    }
  }

  inputTensor(i: number): number {
    return this.x.qsw_input_tensor(i);
  }
  outputTensor(i: number): number {
    return this.x.qsw_output_tensor(i);
  }
  /** Byte size of graph input i as the core lays it out. */
  inputByteLength(i: number): number {
    return this.inputBytes[i];
  }
  outputByteLength(i: number): number {
    return this.outputBytes[i];
  }
  /** The first output tensor of op i. */
  opOutput(i: number): number {
    return this.x.qsw_op_output(i);
  }
  /** Every output tensor of op i, in the order the core hands them to taps. */
  opOutputs(i: number): number[] {
    const x = this.x;
    if (!x.qsw_op_output_count || !x.qsw_op_output_at) return [x.qsw_op_output(i)];
    return Array.from({ length: x.qsw_op_output_count(i) }, (_, k) => x.qsw_op_output_at!(i, k));
  }
  opCode(i: number): number {
    return this.x.qsw_op_code(i);
  }
  opMacs(i: number): number {
    return this.x.qsw_op_macs(i);
  }
  /** Host microseconds op i took in the last invoke (0 unless `timing` was on). */
  opTicks(i: number): number {
    return this.x.qsw_op_ticks(i);
  }
  arenaUsed(): number {
    return this.x.qsw_arena_used();
  }
  arenaTensorBytes(): number {
    return this.x.qsw_arena_tensor_bytes();
  }

  /** Copy graph input i (its exact byte size) into the core. */
  writeInput(i: number, bytes: Uint8Array): void {
    if (i < 0 || i >= this.inputCount) throw new RangeError(`input ${i} out of range`);
    if (bytes.byteLength !== this.inputBytes[i]) {
      throw new RangeError(`input ${i} takes ${this.inputBytes[i]} bytes, got ${bytes.byteLength}`);
    }
    this.refresh().set(bytes, this.inputPtr[i]);
  }

  /** A copy of graph output i after invoke. */
  readOutput(i: number): Uint8Array {
    if (i < 0 || i >= this.outputCount) throw new RangeError(`output ${i} out of range`);
    const p = this.outputPtr[i];
    return this.refresh().slice(p, p + this.outputBytes[i]);
  }

  /** A view of graph output i (valid until the next invoke). */
  outputView(i: number): Uint8Array {
    const p = this.outputPtr[i];
    return this.refresh().subarray(p, p + this.outputBytes[i]);
  }

  /**
   * LSTM gate taps for the following invokes: the core records every step's gate activations and
   * cell state (records in gate-taps.ts's layout). Returns false when this core build has none.
   */
  setGateTaps(on: boolean): boolean {
    if (!this.x.qsw_gate_taps) return false;
    if (this.x.qsw_gate_taps(on ? 1 : 0) < 0)
      throw new RangeError('the core could not allocate its LSTM gate tap buffer');
    return true;
  }

  /** The gate tap records of the last invoke (a copy; empty when gate taps are off). */
  gateTaps(): Uint8Array {
    if (!this.x.qsw_gate_taps_ptr || !this.x.qsw_gate_taps_len) return new Uint8Array(0);
    const p = this.x.qsw_gate_taps_ptr();
    return this.refresh().slice(p, p + this.x.qsw_gate_taps_len());
  }

  /**
   * Put the model's state (variable tensors, op state) back to what it was at load, as TFLM's
   * MicroInterpreter::Reset does. Invocations otherwise keep it: a stream of invokes sees the
   * state the previous one left, as firmware does.
   */
  resetState(): void {
    if (!this.x.qsw_reset_state) return; // a core without state: nothing persists between invokes
    const status = this.x.qsw_reset_state();
    if (status !== 0)
      throw new Error(
        `the core could not reset its state: ${cString(this.refresh(), this.x.qsw_status_str(status))}`,
      );
  }

  /** The core's reason for a failed invoke: its status, and the op and message it recorded (a WHILE
   * that hit its iteration bound names itself). */
  private invokeError(status: number): Error {
    const heap = this.refresh();
    const op = this.x.qsw_err_op();
    const msg = cString(heap, this.x.qsw_err_msg());
    const where = op >= 0 ? ` at layer ${op}` : '';
    const why = msg && msg !== 'ok' ? `${where}: ${msg}` : '';
    return new Error(`the core refused to invoke: ${cString(heap, this.x.qsw_status_str(status))}${why}`);
  }

  /** Run every op; with a tap handler, each op's output is handed over right after the op ran. */
  invoke(onTap?: TapHandler): void {
    this.refresh();
    this.onTap = onTap ?? null;
    try {
      const status = this.x.qsw_invoke(onTap ? 1 : 0);
      if (status !== 0) throw this.invokeError(status);
    } finally {
      this.onTap = null;
    }
  }

  /** Byte size of tensor t as the core lays it out (-1 if t is not a tensor of the model). */
  tensorByteLength(t: number): number {
    return this.x.qsw_tensor_bytes(t);
  }

  /**
   * Lay out the tap buffer for invokeBuffered: the op outputs, op by op and in each op's output
   * order (opOutputs), go to `offsets` in turn (the caller makes each fit in `bytes`). Returns the
   * buffer's offset in memory().
   */
  setTapLayout(offsets: readonly number[], bytes: number): number {
    let slots = 0;
    for (let i = 0; i < this.opCount; i++) slots += this.opOutputs(i).length;
    if (offsets.length !== slots) throw new RangeError('one tap offset per op output');
    const ptr = this.x.qsw_tap_buffer(bytes);
    if (ptr === 0) throw new RangeError(`the core could not allocate ${bytes} bytes of tap buffer`);
    new Uint32Array(this.memory(), this.x.qsw_tap_offsets(), offsets.length).set(offsets);
    return ptr;
  }

  /** invoke, every op's output copied into the tap buffer (setTapLayout) inside the core: one call. */
  invokeBuffered(): void {
    const status = this.x.qsw_invoke(2);
    if (status !== 0) throw this.invokeError(status);
  }

  /** Byte offset of graph input i / output i in memory(). */
  inputOffset(i: number): number {
    return this.inputPtr[i];
  }
  outputOffset(i: number): number {
    return this.outputPtr[i];
  }

  /** The core's memory (replaced when it grows: take it again after load, never keep it across calls). */
  memory(): ArrayBuffer {
    return this.refresh().buffer as ArrayBuffer;
  }

  /** invoke, handing each op output over as (op, tensor, ptr, len) into memory(); ptr is 16-byte aligned. */
  invokeRaw(onTap: RawTapHandler | null): void {
    this.onRawTap = onTap;
    try {
      const status = this.x.qsw_invoke(onTap ? 1 : 0);
      if (status !== 0) throw this.invokeError(status);
    } finally {
      this.onRawTap = null;
    }
  }

  private refresh(): Uint8Array {
    // memory.grow detaches the old buffer (byteLength 0): cheaper to test than the buffer getter
    if (this.heap.byteLength === 0) this.heap = new Uint8Array(this.x.memory.buffer);
    return this.heap;
  }
}

/** A NUL-terminated UTF-8 string of the core (its messages use '—'). */
function cString(heap: Uint8Array, ptr: number): string {
  let end = ptr;
  while (end < heap.length && heap[end] !== 0) end++;
  return new TextDecoder().decode(heap.subarray(ptr, end));
}

function refusal(x: Exports, status: number): CoreRefusal {
  const heap = new Uint8Array(x.memory.buffer);
  return {
    status,
    statusName: CORE_STATUS[status] ?? 'UNKNOWN',
    statusText: cString(heap, x.qsw_status_str(status)),
    op: x.qsw_err_op(),
    tensor: x.qsw_err_tensor(),
    message: cString(heap, x.qsw_err_msg()),
    needed: x.qsw_err_needed() >>> 0,
  };
}
