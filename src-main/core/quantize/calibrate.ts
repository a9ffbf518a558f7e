/**
 * Calibration: run the float model in the host simulator on representative samples and collect a
 * float range for every activation tensor (graph inputs and every op output).
 */
import type { Model } from '../model/ir.ts';
import { prepare } from '../simulate/interpreter.ts';
import { observeSample } from './sample-invoke.ts';
import { RangeCollector, type CollectorOptions, type Range } from './ranges.ts';

export interface CalibrationOptions extends CollectorOptions {
  /** Called after each sample. */
  onProgress?: (done: number, total: number) => void;
  /** Polled between samples; returning true aborts with an error. */
  isCancelled?: () => boolean;
}

/** `samples[n][i]` = sample n's value for graph input i (float32, the input's full shape). */
export function calibrate(
  model: Model,
  samples: Float32Array[][],
  options: CalibrationOptions,
): Map<number, Range> {
  if (samples.length === 0) throw new Error('Calibration needs at least one representative sample');
  const pm = prepare(model);
  const bad = pm.inputs.find((t) => t.dtype !== 'float32');
  if (bad) throw new Error(`Calibration needs a float model: input '${bad.name}' is ${bad.dtype}`);
  const collectors = new Map<number, RangeCollector>();
  const collector = (tensor: number) => {
    let c = collectors.get(tensor);
    if (!c) collectors.set(tensor, (c = new RangeCollector(options)));
    return c;
  };
  samples.forEach((inputs, n) => {
    if (options.isCancelled?.()) throw new Error('Calibration cancelled');
    pm.inputs.forEach((t, i) => collector(t.index).observe(inputs[i] ?? []));
    observeSample(pm, inputs, (tensor, values) => collector(tensor).observe(values));
    options.onProgress?.(n + 1, samples.length);
  });
  return new Map([...collectors].map(([t, c]) => [t, c.range()]));
}
