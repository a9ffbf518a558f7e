/**
 * float32 MAX_POOL_2D / AVERAGE_POOL_2D on the WASM kernel pool_f32 (sim-float.c): the TS float
 * pools' arithmetic, four channels per SIMD pass.
 */
import type { PoolParams } from '../kernels/pool-int8.ts';
import type { WasmArena } from './arena.ts';

const FIELDS: (keyof PoolParams)[] = [
  'inH',
  'inW',
  'channels',
  'outH',
  'outW',
  'filterH',
  'filterW',
  'strideH',
  'strideW',
  'padTop',
  'padLeft',
  'batches',
];
const F_IS_MAX = 12;
const F_ACT = 13;
const F_INPUT = 15;
const PARAM_WORDS = 19;

export function wasmPoolFloat(
  arena: WasmArena,
  p: PoolParams,
  max: boolean,
  input: Float32Array,
  output: Float32Array,
): () => void {
  const params = arena.alloc(PARAM_WORDS * 4);
  const w = params >> 2;
  const i32 = arena.i32;
  FIELDS.forEach((k, i) => (i32[w + i] = p[k]));
  i32[w + F_IS_MAX] = max ? 1 : 0;
  arena.f32.set([p.actMin, p.actMax], w + F_ACT);
  const cp = (p.channels + 3) & ~3;
  arena.reserve('input', input.length * 4);
  arena.reserve('x16', p.batches * p.inH * p.inW * cp * 4);
  arena.reserve('patch', p.batches * p.outH * p.outW * cp * 4);
  arena.reserve('output', output.length * 4);
  const layout = (): void => {
    const at = (['input', 'output', 'x16', 'patch'] as const).map((name) => arena.scratch(name));
    arena.i32.set(at, w + F_INPUT);
  };
  return arena.copyRun([{ data: input, at: 'input' }], output, layout, () => arena.exports.pool_f32(params));
}
