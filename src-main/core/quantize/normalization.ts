/**
 * Input normalization chosen at quantization time (`--norm none|rescale:C|meanstd`), recorded in
 * the model as MLTK parameters so the board and the simulator apply exactly what calibration did:
 * `samplewise_norm.rescale` = 1/C (a multiplier; 0 = off) and `samplewise_norm.mean_and_std`.
 */
import type { Model, ParamValue } from '../model/ir.ts';
import { withParameters, type TypedParam } from '../model/parameters.ts';

export interface InputNormalization {
  /** Multiplier applied first (0 = none). */
  rescale: number;
  /** Then (x − mean(x)) / (std(x) + 1e-6) over the whole sample. */
  meanAndStd: boolean;
}

export function parseNormalization(spec: string): InputNormalization {
  const s = spec.trim().toLowerCase();
  if (s === 'none') return { rescale: 0, meanAndStd: false };
  if (s === 'meanstd') return { rescale: 0, meanAndStd: true };
  const m = /^rescale:(.+)$/.exec(s);
  if (m) {
    const c = Number(m[1]);
    if (!Number.isFinite(c) || c === 0)
      throw new Error(`--norm rescale:${m[1]}: the constant must be a non-zero number`);
    return { rescale: 1 / c, meanAndStd: false };
  }
  throw new Error(`--norm ${spec}: expected none, rescale:<constant> (e.g. rescale:255) or meanstd`);
}

/** The model with its normalization parameters set (other parameters kept). */
export function withNormalization(model: Model, norm: InputNormalization): Model {
  const params: Record<string, ParamValue | TypedParam> = {
    ...model.parameters,
    'samplewise_norm.rescale': { type: 'float', value: norm.rescale },
    'samplewise_norm.mean_and_std': { type: 'bool', value: norm.meanAndStd },
  };
  return withParameters(model, params);
}
