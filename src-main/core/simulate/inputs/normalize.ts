/**
 * MLTK sample-wise input normalization for simulator inputs. The definition lives once in
 * core/normalize (mirrored by the firmware); this adapts it to the simulator's error type.
 */
import type { ParamValue } from '../../model/ir.ts';
import {
  NormalizeError,
  normalizationOf as definitionOf,
  normalizeToFloat,
  type Normalization,
} from '../../normalize/normalize.ts';
import { SimulateError } from '../errors.ts';

export type { Normalization };

function wrap<T>(label: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof NormalizeError) throw new SimulateError(`${label}: ${e.message}`, 'INPUT');
    throw e;
  }
}

export function normalizationOf(
  parameters: Record<string, ParamValue>,
  label = 'model parameters',
): Normalization | null {
  return wrap(label, () => definitionOf(parameters));
}

/** rescale (x * r) then, with mean_and_std, (y - mean) / (std + 1e-6); float32 result. */
export function normalizeSample(
  values: ArrayLike<number>,
  norm: Normalization,
  label = 'input',
): Float32Array {
  return wrap(label, () => normalizeToFloat(values, norm));
}
