/**
 * Recording results as the calls that make them finish (api/handlers.ts): the model is looked up
 * before the job runs (the renderer may close it while the job runs: a switch to another model),
 * and a result that cannot be recorded never fails the call that made it.
 */
import type {
  ModelSource,
  QuantizeReportResult,
  QuantizeRunResult,
  SimulateLayerTensor,
} from '../../shared/api.ts';
import type { SimulateResult, SimulateRunArgs } from '../../shared/api.ts';
import type { ModelService } from '../model/model-service.ts';
import type { SimulateService } from '../simulate/simulate-service.ts';
import type { ModelRef, ResultsStore } from './results-store.ts';

interface Services {
  models: ModelService;
  simulate: SimulateService;
  results: ResultsStore;
}

/** The model a call is about: an opened model or uploaded bytes; null for a path (not kept). */
export function modelRef(s: Services, source: ModelSource): ModelRef | null {
  if ('bytes' in source) return { name: source.name, bytes: source.bytes };
  if ('modelId' in source) {
    try {
      const m = s.models.get(source.modelId);
      return { name: m.name, bytes: m.bytes };
    } catch {
      return null; // the call itself reports the unknown id
    }
  }
  return null;
}

/** Keep a simulation with its per-layer outputs (the first output of each op, from the tap store). */
export function recordSimulation(
  s: Services,
  model: ModelRef | null,
  args: Pick<SimulateRunArgs, 'input' | 'cpu'>,
  result: SimulateResult,
): SimulateResult {
  if (!model || !result.runId) return result;
  const taps: SimulateLayerTensor[] = [];
  for (const index of new Set(result.layers.map((l) => l.index))) {
    try {
      taps.push(s.simulate.layer({ runId: result.runId, layer: index }));
    } catch {
      // a layer without a tap is kept without its output
    }
  }
  s.results.addSimulation(model, args, result, taps);
  return result;
}

/** Keep a quantization report under the model it was made from (and the int8 model it made). */
export function recordQuantization<R extends QuantizeRunResult | QuantizeReportResult>(
  s: Services,
  model: ModelRef | null,
  result: R,
): R {
  if (model) s.results.addQuantization(model, result, 'bytes' in result ? result.bytes : undefined);
  return result;
}
