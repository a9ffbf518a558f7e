/**
 * Lazy TensorFlow.js runtime for Keras inference (quantization calibration, float references).
 * Order: `@tensorflow/tfjs-node` when installed (native TensorFlow), else `@tensorflow/tfjs` with the
 * WASM backend (wasm binaries loaded from node_modules), and only if that fails the slow pure-JS cpu
 * backend. Loaded once, on first use.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Tf from '@tensorflow/tfjs';

export interface TfRuntime {
  tf: typeof Tf;
  /** 'tensorflow' (tfjs-node), 'wasm' or 'cpu'. */
  backend: string;
  /** Why a faster backend was not used, when it was not. */
  notes: string[];
}

let runtime: Promise<TfRuntime> | null = null;

/** Directory holding tfjs-backend-wasm's .wasm files, with a trailing slash. */
export function wasmDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

async function tryNode(notes: string[]): Promise<TfRuntime | null> {
  // A variable specifier keeps bundlers from resolving the optional package at build time.
  const name = '@tensorflow/tfjs-node';
  try {
    const tf = (await import(/* @vite-ignore */ name)) as typeof Tf;
    await tf.ready();
    return { tf, backend: tf.getBackend(), notes };
  } catch (e) {
    notes.push(`tfjs-node unavailable: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

async function load(): Promise<TfRuntime> {
  const notes: string[] = [];
  const native = await tryNode(notes);
  if (native) return native;
  const tf = await import('@tensorflow/tfjs');
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDirectory());
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      return { tf, backend: 'wasm', notes };
    }
    notes.push('wasm backend failed to initialize');
  } catch (e) {
    notes.push(`wasm backend unavailable: ${(e as Error).message}`);
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'cpu', notes };
}

/** The shared tfjs runtime (loaded on the first call; later calls reuse it). */
export function loadTf(): Promise<TfRuntime> {
  runtime ??= load().catch((e) => {
    runtime = null;
    throw e;
  });
  return runtime;
}
