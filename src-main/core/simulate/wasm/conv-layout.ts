/**
 * What the int8 and float32 WASM convolution kernels share: the geometry at the head of their
 * parameter blocks (`Params` in sim-kernels.h, `FParams` in sim-float.c: int32 each, this order)
 * and FULLY_CONNECTED expressed as a 1x1 convolution over `batches` pixels.
 */
import type { ConvGeometry } from '../kernels/conv-int8.ts';

export const GEOMETRY_FIELDS: readonly (keyof ConvGeometry)[] = [
  'inH',
  'inW',
  'inC',
  'outH',
  'outW',
  'outC',
  'filterH',
  'filterW',
  'strideH',
  'strideW',
  'dilationH',
  'dilationW',
  'padTop',
  'padLeft',
];

/** Words in either parameter block; the scratch addresses start at word 24 in both. */
export const PARAM_WORDS = 29;
export const F_SCRATCH = 24;

export function writeGeometry(i32: Int32Array, word: number, g: ConvGeometry): void {
  GEOMETRY_FIELDS.forEach((key, i) => (i32[word + i] = g[key]));
}

/** FULLY_CONNECTED with a constant filter [outDepth, accumDepth] as a 1x1 convolution. */
export function fcAsConv(dims: { batches: number; accumDepth: number; outDepth: number }): ConvGeometry {
  return {
    batches: 1,
    inH: 1,
    inW: dims.batches,
    inC: dims.accumDepth,
    outH: 1,
    outW: dims.batches,
    outC: dims.outDepth,
    filterH: 1,
    filterW: 1,
    strideH: 1,
    strideW: 1,
    dilationH: 1,
    dilationW: 1,
    padTop: 0,
    padLeft: 0,
  };
}
