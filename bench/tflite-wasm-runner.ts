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
  outputs(): ArrayBufferView[];
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
  return {
    setInputs(inputs) {
      inputs.forEach((v, i) => {
        const d = ins[i].data();
        new Uint8Array(d.buffer, d.byteOffset, d.byteLength).set(
          new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
        );
      });
    },
    infer() {
      if (!runner.Infer()) throw new Error('TFLite inference failed');
    },
    outputs: () => outs.map((t) => t.data()),
    dispose() {
      runner.delete();
      M._free(ptr);
    },
  };
}
