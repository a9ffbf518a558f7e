/**
 * Pick the calibration method per model: one calibration pass fills a histogram per tensor, each
 * method (min/max, percentile, MSE) turns the histograms into ranges, each candidate int8 model is
 * run in the simulator on held-back calibration samples, and the one whose outputs are closest
 * (RMSE) to the float model's wins. No single method is best everywhere: MSE-optimal ranges per
 * tensor are not always optimal end to end, percentile clipping can hurt models with real large
 * values. Models with FULLY_CONNECTED layers also get each method with per-tensor Dense weights
 * unless the caller fixed the granularity: per-channel weights are finer per layer, but measured end
 * to end neither wins on every model (docs/quantization.md).
 */
import type { Model } from '../model/ir.ts';
import { prepare } from '../simulate/interpreter.ts';
import { invokeSample, observeSample } from './sample-invoke.ts';
import type { BiasScaleAdjustment } from './bias-fit.ts';
import { quantizeModel, quantizeModelDetailed, type QuantizeOptions } from './quantize-model.ts';
import { RangeHistogram, type Range, type RangeMethod } from './ranges.ts';

export interface AutoQuantizeOptions extends QuantizeOptions {
  /** Candidate methods (default all three). */
  methods?: RangeMethod[];
  percentile?: number;
  /**
   * Fraction of the samples held back from the histograms to score the candidates (default 0.25;
   * scoring on the samples the ranges came from rewards clipping tuned to exactly those samples).
   */
  holdout?: number;
  onProgress?: (done: number, total: number) => void;
  isCancelled?: () => boolean;
}

export interface AutoQuantizeResult {
  model: Model;
  method: RangeMethod;
  /** Granularity of the FULLY_CONNECTED weights kept (false when the model has none). */
  fcPerTensor: boolean;
  /**
   * Output RMSE (int8 vs float, on the scoring samples) of every candidate, keyed by method, with
   * ' per-tensor Dense' appended for the per-tensor FULLY_CONNECTED variants.
   */
  scores: Record<string, number>;
  ranges: Map<number, Range>;
  /** Bias channels of the kept model whose weight scale was raised so the bias fits. */
  biasAdjustments: BiasScaleAdjustment[];
}

function rangesOf(
  hist: Map<number, RangeHistogram>,
  method: RangeMethod,
  percentile: number,
): Map<number, Range> {
  return new Map(
    [...hist].map(([t, h]) => [
      t,
      method === 'minmax'
        ? h.extremes.range()
        : method === 'percentile'
          ? h.percentileRange(percentile)
          : h.mseRange(),
    ]),
  );
}

export function autoQuantize(
  float: Model,
  samples: Float32Array[][],
  options: AutoQuantizeOptions = {},
): AutoQuantizeResult {
  if (samples.length === 0) throw new Error('Calibration needs at least one representative sample');
  const methods = options.methods ?? ['minmax', 'percentile', 'mse'];
  const held = samples.length < 4 ? 0 : Math.max(1, Math.round(samples.length * (options.holdout ?? 0.25)));
  const fitting = samples.slice(0, samples.length - held);
  const scoring = held > 0 ? samples.slice(samples.length - held) : samples;
  const hasFc = float.subgraphs[0]?.operators.some((op) => op.op === 'FULLY_CONNECTED') ?? false;
  const fcChoices =
    options.fcPerTensor !== undefined ? [options.fcPerTensor] : hasFc ? [false, true] : [false];
  const candidates = methods.flatMap((method) => fcChoices.map((fcPerTensor) => ({ method, fcPerTensor })));
  const totalWork = samples.length + (held > 0 ? held : samples.length) + candidates.length * scoring.length;
  let done = 0;
  const tick = () => {
    if (options.isCancelled?.()) throw new Error('Quantization cancelled');
    options.onProgress?.(++done, totalWork);
  };
  const pm = prepare(float);
  const bad = pm.inputs.find((t) => t.dtype !== 'float32');
  if (bad) throw new Error(`Quantization needs a float model: input '${bad.name}' is ${bad.dtype}`);
  const hist = new Map<number, RangeHistogram>();
  const observe = (tensor: number, values: ArrayLike<number>) => {
    let h = hist.get(tensor);
    if (!h) hist.set(tensor, (h = new RangeHistogram()));
    h.observe(values);
  };
  const calibrate = (inputs: Float32Array[]) => {
    pm.inputs.forEach((t, i) => observe(t.index, inputs[i] ?? []));
    observeSample(pm, inputs, observe);
  };
  for (const inputs of fitting) {
    calibrate(inputs);
    tick();
  }
  const reference = scoring.map((inputs) => {
    const outs = invokeSample(pm, inputs, { taps: false }).outputs.map((o) =>
      Float32Array.from(o.data as Float32Array),
    );
    tick();
    return outs;
  });
  const scores: Record<string, number> = {};
  let best: { method: RangeMethod; fcPerTensor: boolean; score: number; ranges: Map<number, Range> } | null =
    null;
  for (const { method, fcPerTensor } of candidates) {
    const ranges = rangesOf(hist, method, options.percentile ?? 99.99);
    // Scored with float I/O so the float reference compares directly.
    const candidate = prepare(quantizeModel(float, ranges, { ...options, fcPerTensor, io: 'float32' }));
    let se = 0;
    let count = 0;
    scoring.forEach((inputs, n) => {
      invokeSample(candidate, inputs, { taps: false }).outputs.forEach((o, k) => {
        const q = o.data as Float32Array;
        const f = reference[n][k];
        for (let i = 0; i < f.length; i++, count++) se += (q[i] - f[i]) ** 2;
      });
      tick();
    });
    const score = Math.sqrt(se / Math.max(1, count));
    scores[fcPerTensor && fcChoices.length > 1 ? `${method} per-tensor Dense` : method] = score;
    if (!best || score < best.score) best = { method, fcPerTensor, score, ranges };
  }
  let chosen = best!;
  if (held > 0) {
    // The held-back samples only chose the method; the final ranges come from every sample (with
    // sorted data, e.g. x over [0, 2π], the held-back tail holds part of the real input range).
    for (const inputs of scoring) {
      calibrate(inputs);
      tick();
    }
    chosen = { ...chosen, ranges: rangesOf(hist, chosen.method, options.percentile ?? 99.99) };
  }
  const kept = quantizeModelDetailed(float, chosen.ranges, { ...options, fcPerTensor: chosen.fcPerTensor });
  return {
    model: kept.model,
    biasAdjustments: kept.biasAdjustments,
    method: chosen.method,
    fcPerTensor: hasFc && chosen.fcPerTensor,
    scores,
    ranges: chosen.ranges,
  };
}
