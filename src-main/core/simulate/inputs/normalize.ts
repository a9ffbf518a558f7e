/**
 * MLTK sample-wise input normalization, as recorded in the model parameters (QUANTIZATION-TIPS):
 * - `samplewise_norm.rescale = r` (r != 0): x * r, r being 1/c for the constant c.
 * - `samplewise_norm.mean_and_std = true`: (x - mean(x)) / (std(x) + 1e-6), population std over the
 *   whole sample, as the MLTK training code computes it.
 * Results are float32.
 */
import type { ParamValue } from '../../model/ir.ts';

export interface Normalization {
  rescale: number;
  meanAndStd: boolean;
}

export function normalizationOf(parameters: Record<string, ParamValue>): Normalization | null {
  const rescale = Number(parameters['samplewise_norm.rescale'] ?? 0);
  const meanAndStd =
    parameters['samplewise_norm.mean_and_std'] === true || parameters['samplewise_norm.mean_and_std'] === 1;
  if (!meanAndStd && !(rescale !== 0 && Number.isFinite(rescale))) return null;
  return { rescale: Number.isFinite(rescale) ? rescale : 0, meanAndStd };
}

export function normalizeSample(values: ArrayLike<number>, norm: Normalization): Float32Array {
  const out = Float32Array.from(values);
  if (norm.rescale !== 0) {
    for (let i = 0; i < out.length; i++) out[i] = out[i] * norm.rescale;
  }
  if (norm.meanAndStd) {
    let mean = 0;
    for (let i = 0; i < out.length; i++) mean += out[i];
    mean /= out.length;
    let varSum = 0;
    for (let i = 0; i < out.length; i++) varSum += (out[i] - mean) ** 2;
    const std = Math.sqrt(varSum / out.length) + 1e-6;
    for (let i = 0; i < out.length; i++) out[i] = (out[i] - mean) / std;
  }
  return out;
}
