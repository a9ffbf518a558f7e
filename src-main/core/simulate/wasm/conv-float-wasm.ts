/**
 * Run closures for float32 CONV_2D and FULLY_CONNECTED on the WASM kernel conv_f32
 * (sim-float.c): filter and bias held as float64 (exact copies of the float32 values), products
 * summed in double, rounded to float32 once — the TS float kernels' arithmetic.
 */
import type { ConvGeometry } from '../kernels/conv-int8.ts';
import type { WasmArena } from './arena.ts';
import { F_SCRATCH, fcAsConv, PARAM_WORDS, writeGeometry } from './conv-layout.ts';

// Words of `FParams` in sim-float.c after the geometry (4 bytes each).
const F_ACT_MIN = 16;
const F_BATCHES = 18;

const pad2 = (n: number): number => (n + 1) & ~1;
const pad4 = (n: number): number => (n + 3) & ~3;

export interface FloatClamp {
  actMin: number;
  actMax: number;
}

/** CONV_2D float32 on WASM: filter OHWI. */
export function wasmConvFloat(
  arena: WasmArena,
  g: ConvGeometry,
  act: FloatClamp,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): () => void {
  const k = g.filterH * g.filterW * g.inC;
  const kPad = pad2(k);
  const chPad = pad4(g.outC);
  const filterAt = arena.alloc(chPad * kPad * 8);
  // Shallow layers get a transposed filter [k][outC rounded to 8] too (see conv_f32_shallow);
  // the bias array is sized for that rounding as well.
  const shallow = k <= 32;
  const cp8 = (g.outC + 7) & ~7;
  const filterTAt = shallow ? arena.alloc(k * cp8 * 8) : 0;
  const biasAt = arena.alloc(cp8 * 8);
  const params = arena.alloc(PARAM_WORDS * 4);
  const f64 = arena.f64;
  for (let oc = 0; oc < g.outC; oc++) {
    const dst = (filterAt >> 3) + oc * kPad;
    for (let i = 0; i < k; i++) f64[dst + i] = filter[oc * k + i];
    f64[(biasAt >> 3) + oc] = bias ? bias[oc] : 0;
    if (shallow) for (let i = 0; i < k; i++) f64[(filterTAt >> 3) + i * cp8 + oc] = filter[oc * k + i];
  }
  const w = params >> 2;
  const i32 = arena.i32;
  writeGeometry(i32, w, g);
  arena.f32.set([act.actMin, act.actMax], w + F_ACT_MIN);
  i32.set([g.batches, kPad, filterAt, biasAt, chPad, filterTAt], w + F_BATCHES);
  arena.reserve('input', input.length * 4);
  arena.reserve('output', output.length * 4);
  arena.reserve('x16', (input.length + 2) * 8);
  arena.reserve('patch', 2 * kPad * 8);
  const layout = (): void => {
    const at = (['input', 'output', 'x16', 'patch'] as const).map((name) => arena.scratch(name));
    arena.i32.set(at, w + F_SCRATCH);
  };
  return arena.copyRun([{ data: input, at: 'input' }], output, layout, () => arena.exports.conv_f32(params));
}

/** FULLY_CONNECTED float32 on WASM (constant filter [outDepth, accumDepth]) as a 1x1 conv. */
export function wasmFullyConnectedFloat(
  arena: WasmArena,
  dims: { batches: number; accumDepth: number; outDepth: number },
  act: FloatClamp,
  input: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  output: Float32Array,
): () => void {
  return wasmConvFloat(arena, fcAsConv(dims), act, input, filter, bias, output);
}
