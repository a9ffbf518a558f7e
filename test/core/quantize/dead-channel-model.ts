/**
 * A float model whose bias overflows int32 at input × weight scale: FULLY_CONNECTED [1,8] → [1,6]
 * with channels 1 and 4 "dead" (weights ~1e-9, bias 0.75 / −0.5), the rest ordinary; and inputs.
 */
import type { Model } from '../../../src-main/core/model/ir.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { writeTflite } from '../../../src-main/core/model/tflite-writer.ts';
import { irModel } from '../../helpers/ir-models.ts';

export const IN = 8;
const OUT = 6;
/** Channels built dead: weights ~1e-9, bias far from 0. */
export const DEAD = [1, 4];

function rand(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** FULLY_CONNECTED [1,8] → [1,6] with channels 1 and 4 dead (tiny weights, bias 0.75 / −0.5). */
export function deadChannelModel(): { model: Model; weights: Float32Array; bias: Float32Array } {
  const r = rand(7);
  const weights = Float32Array.from({ length: OUT * IN }, (_, i) =>
    DEAD.includes(Math.floor(i / IN)) ? (r() - 0.5) * 2e-9 : (r() - 0.5) * 1.5,
  );
  const bias = Float32Array.from({ length: OUT }, (_, c) =>
    c === 1 ? 0.75 : c === 4 ? -0.5 : (r() - 0.5) * 0.2,
  );
  const model = irModel(
    [
      { dtype: 'float32', shape: [1, IN] },
      { dtype: 'float32', shape: [OUT, IN], data: weights },
      { dtype: 'float32', shape: [OUT], data: bias },
      { dtype: 'float32', shape: [1, OUT] },
    ],
    [{ op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3] }],
  );
  return { model: readTflite(writeTflite(model)), weights, bias };
}

export const samples = (n: number, seed: number) => {
  const r = rand(seed);
  return Array.from({ length: n }, () => [Float32Array.from({ length: IN }, () => r() * 2 - 1)]);
};
