/**
 * TFLite in WASM (the Emscripten module inside @tensorflow/tfjs-tflite), loaded directly in Node
 * with chosen runner options, for timing against the simulator. Profiling mode makes the runner
 * keep TFLite's builtin kernels (every tensor stays visible); without it the XNNPACK delegate
 * takes the graph.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

interface Vec<T> {
  size(): number;
  get(i: number): T;
  delete(): void;
}
interface CppTensor {
  data(): ArrayBufferView;
}
interface Runner {
  GetInputs(): Vec<CppTensor>;
  GetOutputs(): Vec<CppTensor>;
  Infer(): boolean;
  delete(): void;
}
interface WasmModule {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  TFLiteWebModelRunner: {
    CreateFromBufferAndOptions(
      p: number,
      n: number,
      o: object,
    ): { ok(): boolean; errorMessage(): string; value(): Runner; delete(): void };
  };
}

let mod: Promise<WasmModule> | null = null;

function wasm(): Promise<WasmModule> {
  if (!mod) {
    const dir = join(dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm');
    const factory = require(join(dir, 'tflite_web_api_cc.js')) as (m: object) => Promise<WasmModule>;
    mod = factory({
      wasmBinary: readFileSync(join(dir, 'tflite_web_api_cc.wasm')),
      print: () => {},
      printErr: () => {},
    });
  }
  return mod;
}

export interface WasmRunner {
  setInputs(inputs: ArrayBufferView[]): void;
  infer(): void;
  /** Copies of the output tensors' bytes (cached views; what a caller keeps after an inference). */
  readOutputs(): Uint8Array[];
  dispose(): void;
}

export async function loadWasmRunner(bytes: Uint8Array, builtinKernels: boolean): Promise<WasmRunner> {
  const M = await wasm();
  const ptr = M._malloc(bytes.length);
  M.HEAPU8.set(bytes, ptr);
  const st = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, bytes.length, {
    numThreads: 1,
    enableProfiling: builtinKernels,
    maxProfilingBufferEntries: 4096,
  });
  if (!st.ok()) throw new Error(`TFLite rejected the model: ${st.errorMessage()}`);
  const runner = st.value();
  st.delete();
  const list = (v: Vec<CppTensor>): CppTensor[] => {
    const out: CppTensor[] = [];
    for (let i = 0; i < v.size(); i++) out.push(v.get(i));
    v.delete();
    return out;
  };
  const ins = list(runner.GetInputs());
  const outs = list(runner.GetOutputs());
  // Byte views on the tensors, fetched once (each embind data() call costs ~0.2 us) and again only
  // if the WASM heap grew (its old buffer is then detached: byteLength 0). The peer's fastest
  // per-inference path, faster than the tfjs-tflite client's, which calls data() every time.
  const bytesOf = (t: CppTensor): Uint8Array => {
    const d = t.data();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  };
  let inViews = ins.map(bytesOf);
  let outViews = outs.map(bytesOf);
  const fresh = (views: Uint8Array[], ts: CppTensor[]) =>
    views.some((v) => v.buffer.byteLength === 0) ? ts.map(bytesOf) : views;
  return {
    setInputs(inputs) {
      inViews = fresh(inViews, ins);
      for (let i = 0; i < inputs.length; i++) {
        const v = inputs[i];
        inViews[i].set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      }
    },
    infer() {
      if (!runner.Infer()) throw new Error('TFLite inference failed');
    },
    readOutputs() {
      outViews = fresh(outViews, outs);
      return outViews.map((v) => v.slice());
    },
    dispose() {
      runner.delete();
      M._free(ptr);
    },
  };
}
