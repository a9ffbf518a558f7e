/**
 * int8 FULLY_CONNECTED as TFLite Micro's reference kernel: acc = sum((filter + filter_offset) *
 * (input + input_offset)) + bias, MultiplyByQuantizedMultiplier (per tensor, or per output
 * channel when the filter is per-channel quantized), + output_offset, clamp.
 */
import { dotRows, dotRowsPacked } from './dot.ts';
import { makeRequantizer, requantizeRow, type Requantizer } from './requantize.ts';

export interface FullyConnectedInt8Params {
  batches: number;
  accumDepth: number;
  outDepth: number;
  inputOffset: number;
  filterOffset: number;
  outputOffset: number;
  /** One entry (per tensor) or outDepth entries (per channel). */
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
  /** packFilterPairs(filter) when the filter offset is 0 and the depth allows it. */
  packed?: Float64Array | null;
  scratch?: { x?: Int16Array; acc?: Int32Array; rq?: Requantizer };
}

/** Filter [outDepth, accumDepth] row-major; input [batches, accumDepth]. */
export function fullyConnectedInt8(
  p: FullyConnectedInt8Params,
  input: Int8Array,
  filter: Int8Array,
  bias: Int32Array | null,
  output: Int8Array,
): void {
  const { batches, accumDepth, outDepth, inputOffset, filterOffset, outputOffset, multipliers, shifts } = p;
  const perChannel = multipliers.length > 1;
  const scratch = p.scratch ?? (p.scratch = {});
  const x = scratch.x ?? (scratch.x = new Int16Array(accumDepth));
  const sums = scratch.acc ?? (scratch.acc = new Int32Array(outDepth));
  // A per-tensor multiplier is broadcast to every output channel once.
  const rq =
    scratch.rq ??
    (scratch.rq = perChannel
      ? makeRequantizer(multipliers, shifts)
      : makeRequantizer(
          new Int32Array(outDepth).fill(multipliers[0]),
          new Int32Array(outDepth).fill(shifts[0]),
        ));
  for (let b = 0; b < batches; b++) {
    const inBase = b * accumDepth;
    for (let d = 0; d < accumDepth; d++) x[d] = input[inBase + d] + inputOffset;
    if (filterOffset !== 0) {
      for (let oc = 0; oc < outDepth; oc++) {
        let a = 0;
        let fi = oc * accumDepth;
        for (let d = 0; d < accumDepth; d++) a += (filter[fi++] + filterOffset) * x[d];
        sums[oc] = a;
      }
    } else if (p.packed) {
      dotRowsPacked(filter, p.packed, accumDepth, outDepth, x, 0, sums);
    } else {
      dotRows(filter, accumDepth, outDepth, x, 0, sums);
    }
    requantizeRow(rq, sums, 0, bias, outDepth, outputOffset, p.actMin, p.actMax, output, b * outDepth);
  }
}
