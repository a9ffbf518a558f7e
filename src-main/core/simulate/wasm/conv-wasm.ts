/**
 * Run closures for int8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on the WASM kernels
 * (sim-int8.c). Prepare widens the filter to int16 rows padded to a multiple of 8 (zero
 * weights add nothing, so the padding is exact) and writes the op's Params block; each run copies
 * the int8 input in, calls the kernel and copies the int8 output out.
 */
import type { ConvGeometry } from '../kernels/conv-int8.ts';
import { SimulateError } from '../errors.ts';
import type { WasmArena } from './arena.ts';
import { F_SCRATCH, fcAsConv, PARAM_WORDS, writeGeometry } from './conv-layout.ts';

export interface WasmConvQuant {
  inputOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

// Words of `Params` in sim-kernels.h after the geometry (int32 each).
const F_INPUT_OFFSET = 14;
const F_KPAD = 19;
const F_FILTER = 20;
const F_DEPTH_MULTIPLIER = 23;

const pad8 = (n: number): number => (n + 7) & ~7;

/**
 * The kernel's per-channel requantization block (see sim-int8.c): int32 arrays bias,
 * multiplier, 2^left, 2^(right-1), [right > 0], then float64 2^-right, each chPad long.
 */
function requantBlock(
  arena: WasmArena,
  q: WasmConvQuant,
  bias: Int32Array | null,
  n: number,
  chPad: number,
): number {
  const at = arena.alloc(chPad * (5 * 4 + 8));
  const i32 = arena.i32;
  const w = at >> 2;
  const f64 = new Float64Array(i32.buffer, at + 5 * 4 * chPad, chPad);
  for (let c = 0; c < n; c++) {
    const m = q.multipliers[c];
    const shift = q.shifts[c];
    // The SIMD high multiply relies on m > 0 (no INT32_MIN * INT32_MIN saturation case).
    if (!(m > 0)) throw new SimulateError(`channel ${c}: quantized multiplier ${m} is not positive`);
    const left = shift > 0 ? shift : 0;
    const right = shift > 0 ? 0 : -shift;
    if (right > 31) throw new SimulateError(`channel ${c}: right shift ${right} exceeds 31`);
    i32[w + c] = bias ? bias[c] : 0;
    i32[w + chPad + c] = m;
    i32[w + 2 * chPad + c] = (2 ** left) | 0;
    i32[w + 3 * chPad + c] = right > 0 ? 2 ** (right - 1) : 0;
    i32[w + 4 * chPad + c] = right > 0 ? 1 : 0;
    f64[c] = 2 ** -right;
  }
  for (let c = n; c < chPad; c++) f64[c] = 1;
  return at;
}

function writeParams(
  arena: WasmArena,
  g: ConvGeometry,
  q: WasmConvQuant,
  kPad: number,
  filterAt: number,
  bias: Int32Array | null,
): number {
  const at = arena.alloc(PARAM_WORDS * 4);
  const chPad = pad8(g.outC);
  const rq = requantBlock(arena, q, bias, g.outC, chPad);
  const i32 = arena.i32;
  const w = at >> 2;
  writeGeometry(i32, w, g);
  i32.set([q.inputOffset, q.outputOffset, q.actMin, q.actMax, g.batches, kPad], w + F_INPUT_OFFSET);
  i32.set([filterAt, rq, chPad, 1], w + F_FILTER);
  return at;
}

/** The int8 conv kernels' run closure; the scratch addresses go to the Params block's tail. */
function makeRun(
  arena: WasmArena,
  params: number,
  kernel: (p: number) => void,
  input: Int8Array,
  output: Int8Array,
): () => void {
  const layout = (): void => {
    const at = (['input', 'output', 'x16', 'patch', 'acc'] as const).map((name) => arena.scratch(name));
    arena.i32.set(at, (params >> 2) + F_SCRATCH);
  };
  return arena.copyRun([{ data: input, at: 'input' }], output, layout, () => kernel(params));
}

/** CONV_2D on WASM: filter OHWI int8, per-channel multipliers. */
export function wasmConv(
  arena: WasmArena,
  g: ConvGeometry,
  q: WasmConvQuant,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): () => void {
  const k = g.filterH * g.filterW * g.inC;
  const kPad = pad8(k);
  // chPad rows: the kernel computes channels in groups of 4; rows past outC stay zero.
  const filterAt = arena.alloc(pad8(g.outC) * kPad * 2);
  const f16 = arena.i16;
  for (let oc = 0; oc < g.outC; oc++) {
    const dst = (filterAt >> 1) + oc * kPad;
    for (let i = 0; i < k; i++) f16[dst + i] = filter[oc * k + i];
  }
  const params = writeParams(arena, g, q, kPad, filterAt, bias);
  arena.reserve('input', input.length);
  arena.reserve('output', output.length + 16);
  arena.reserve('x16', (input.length + 8) * 2);
  arena.reserve('patch', 2 * kPad * 2);
  arena.reserve('acc', 2 * pad8(g.outC) * 4);
  return makeRun(arena, params, arena.exports.conv_int8, input, output);
}

/**
 * DEPTHWISE_CONV_2D on WASM: filter [1, fh, fw, outC]. With a depth multiplier m > 1 the kernel
 * repeats each input channel m times while widening (output channel c reads input channel
 * floor(c / m)).
 */
export function wasmDepthwise(
  arena: WasmArena,
  g: ConvGeometry & { depthMultiplier: number },
  q: WasmConvQuant,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): () => void {
  const C = g.outC;
  const CP = pad8(C);
  const taps = g.filterH * g.filterW;
  const filterAt = arena.alloc(taps * CP * 2);
  const f16 = arena.i16;
  for (let t = 0; t < taps; t++) {
    for (let c = 0; c < C; c++) f16[(filterAt >> 1) + t * CP + c] = filter[t * C + c];
  }
  const params = writeParams(arena, { ...g, inC: C }, q, CP, filterAt, bias);
  arena.i32[(params >> 2) + F_DEPTH_MULTIPLIER] = g.depthMultiplier;
  const expandedLength = (input.length / g.inC) * C;
  arena.reserve('input', input.length);
  arena.reserve('output', output.length + 16);
  arena.reserve('x16', (expandedLength + 16) * 2);
  arena.reserve('acc', CP * 4);
  return makeRun(arena, params, arena.exports.depthwise_int8, input, output);
}

/**
 * FULLY_CONNECTED on WASM (filter offset 0, constant filter [outDepth, accumDepth]) as a 1x1
 * convolution over `batches` pixels; a per-tensor multiplier is broadcast to every channel.
 */
export function wasmFullyConnected(
  arena: WasmArena,
  dims: { batches: number; accumDepth: number; outDepth: number },
  q: WasmConvQuant,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): () => void {
  const broadcast = (a: Int32Array): Int32Array =>
    a.length === dims.outDepth ? a : new Int32Array(dims.outDepth).fill(a[0]);
  const qq = { ...q, multipliers: broadcast(q.multipliers), shifts: broadcast(q.shifts) };
  return wasmConv(arena, fcAsConv(dims), qq, input, filter, bias, output);
}
