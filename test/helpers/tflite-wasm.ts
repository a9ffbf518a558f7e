/**
 * Run a .tflite model in real TFLite (the WASM build shipped in @tensorflow/tfjs-tflite) from Node.
 *
 * The package's browser client expects `document`, `navigator`, `fetch` of the .wasm by URL and
 * script-tag loading. Underneath is a plain Emscripten module that already supports Node, so we
 * skip the client: load the module factory with `createRequire`, hand it the .wasm bytes
 * (`wasmBinary`, the one "polyfill" needed: Node's fetch cannot load a relative file URL), and call
 * its embind class `TFLiteWebModelRunner` directly, the way the client does:
 * malloc the model bytes → CreateFromBufferAndOptions(ptr, len, options) → StatusOr → runner.
 * Tensor `data()` views point into the WASM heap; we copy in and out.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readTflite, writeTflite, type Model } from '../../src-main/core/model/index.ts';

const require = createRequire(import.meta.url);

export type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

export interface TfliteTensorInfo {
  name: string;
  /** TFLite data type name as the runtime reports it, e.g. 'int8', 'float32'. */
  dtype: string;
  shape: number[];
}

export interface TfliteWasmModel {
  inputs: TfliteTensorInfo[];
  outputs: TfliteTensorInfo[];
  /** Run one inference. Inputs in model input order (any typed array; bytes are copied as-is). */
  predict(inputs: ArrayBufferView[]): TypedArray[];
  dispose(): void;
}

interface EmbindVector<T> {
  size(): number;
  get(i: number): T;
  delete(): void;
}
interface CppTensorInfo {
  data(): TypedArray;
  dataType: string;
  name: string;
  shape: string;
  delete?(): void;
}
interface CppRunner {
  GetInputs(): EmbindVector<CppTensorInfo>;
  GetOutputs(): EmbindVector<CppTensorInfo>;
  Infer(): boolean;
  delete(): void;
}
interface TfliteModule {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  TFLiteWebModelRunner: {
    CreateFromBufferAndOptions(
      ptr: number,
      len: number,
      opts: object,
    ): {
      ok(): boolean;
      errorMessage(): string;
      value(): CppRunner;
      delete(): void;
    };
  };
}

let modulePromise: Promise<TfliteModule> | null = null;

function loadModule(): Promise<TfliteModule> {
  if (!modulePromise) {
    const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm');
    const factory = require(join(wasmDir, 'tflite_web_api_cc.js')) as (m: object) => Promise<TfliteModule>;
    modulePromise = factory({
      wasmBinary: readFileSync(join(wasmDir, 'tflite_web_api_cc.wasm')),
      print: () => {},
      printErr: () => {},
    });
  }
  return modulePromise;
}

function infos(v: EmbindVector<CppTensorInfo>): CppTensorInfo[] {
  const out: CppTensorInfo[] = [];
  for (let i = 0; i < v.size(); i++) out.push(v.get(i));
  v.delete();
  return out;
}

const describe = (t: CppTensorInfo): TfliteTensorInfo => ({
  name: t.name,
  dtype: t.dataType,
  shape: t.shape === '' ? [] : t.shape.split(',').map(Number),
});

/** Load a model into TFLite-WASM (single thread). Throws with TFLite's message if it rejects it. */
export async function loadTfliteWasm(bytes: Uint8Array): Promise<TfliteWasmModel> {
  const M = await loadModule();
  const ptr = M._malloc(bytes.length);
  M.HEAPU8.set(bytes, ptr);
  const status = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, {
    numThreads: 1,
    enableProfiling: false,
    maxProfilingBufferEntries: 1024,
  });
  if (!status.ok()) {
    const msg = status.errorMessage();
    status.delete();
    M._free(ptr);
    throw new Error(`TFLite rejected the model: ${msg}`);
  }
  const runner = status.value();
  status.delete();
  const inputs = infos(runner.GetInputs());
  const outputs = infos(runner.GetOutputs());
  let live = true;
  return {
    inputs: inputs.map(describe),
    outputs: outputs.map(describe),
    predict(values) {
      if (!live) throw new Error('model disposed');
      if (values.length !== inputs.length)
        throw new Error(`expected ${inputs.length} inputs, got ${values.length}`);
      values.forEach((v, i) => {
        const dst = inputs[i].data();
        const dstBytes = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
        const src = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
        if (src.length !== dstBytes.length)
          throw new Error(`input ${i}: ${src.length} bytes given, model wants ${dstBytes.length}`);
        dstBytes.set(src);
      });
      if (!runner.Infer()) throw new Error('TFLite inference failed');
      return outputs.map((t) => t.data().slice());
    },
    dispose() {
      if (!live) return;
      live = false;
      runner.delete();
      M._free(ptr);
    },
  };
}

/**
 * The fixtures' reference input: xorshift32 bytes (state 1; x ^= x<<13; x ^= x>>17; x ^= x<<5;
 * byte = x & 0xFF), one byte per element; float32 elements are (byte - 128) / 128.
 */
export function xorshiftInput(dtype: string, count: number, state = { x: 1 }): TypedArray {
  const next = () => {
    let x = state.x;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    state.x = x >>> 0;
    return state.x & 0xff;
  };
  if (dtype === 'float32') return Float32Array.from({ length: count }, () => (next() - 128) / 128);
  if (dtype === 'int8') return Int8Array.from({ length: count }, () => (next() << 24) >> 24);
  if (dtype === 'uint8') return Uint8Array.from({ length: count }, next);
  throw new Error(`xorshiftInput: dtype ${dtype} not supported`);
}

export interface TfliteLayerRun {
  /** Tensor index (in the original model) of each op output, in execution order. */
  tensors: number[];
  /** One inference: every op output by tensor index (copies). */
  run(inputs: ArrayBufferView[]): Map<number, TypedArray>;
  dispose(): void;
}

/**
 * Per-layer outputs from real TFLite: the model is rewritten (with QuantScope's writer) so that
 * every operator output is also a graph output, which TFLite then keeps and exposes. TFLite may
 * run different kernels than for the plain model (delegation stops at graph outputs).
 */
export async function loadTfliteWasmLayers(bytes: Uint8Array): Promise<TfliteLayerRun> {
  const model = readTflite(bytes);
  const sg = model.subgraphs[0];
  const tensors = [...new Set(sg.operators.flatMap((op) => op.outputs.filter((t) => t >= 0)))];
  const outputs = [...sg.outputs, ...tensors.filter((t) => !sg.outputs.includes(t))];
  const exposed: Model = { ...model, subgraphs: [{ ...sg, outputs }, ...model.subgraphs.slice(1)] };
  const m = await loadTfliteWasm(writeTflite(exposed));
  return {
    tensors,
    run(inputs) {
      const out = m.predict(inputs);
      return new Map(outputs.map((t, i) => [t, out[i]]));
    },
    dispose: () => m.dispose(),
  };
}
