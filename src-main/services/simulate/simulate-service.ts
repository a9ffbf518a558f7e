/**
 * `simulate.run` and `simulate.layer`: runs the simulator job in a worker, keeps the run's
 * per-layer outputs in a bounded TapStore and answers with the report plus a `runId`; the
 * renderer then fetches the tensors of the layers it shows, one at a time.
 */
import type {
  SimulateLayerArgs,
  SimulateLayerTensor,
  SimulateResult,
  SimulateRunArgs,
} from '../../shared/api.ts';
import { ServiceError } from '../errors.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { ModelService } from '../model/model-service.ts';
import type { SimulatePayload, SimulateTaskResult } from './simulate-task.ts';
import { TapStore, type TapStoreOptions } from './tap-store.ts';

export class SimulateService {
  readonly taps: TapStore;

  constructor(
    private readonly jobs: JobRunner,
    private readonly models: ModelService,
    opts: TapStoreOptions = {},
  ) {
    this.taps = new TapStore(opts);
  }

  async run({ jobId, modelId, input, cpu, uint8Mode }: SimulateRunArgs): Promise<SimulateResult> {
    const m = this.models.get(modelId);
    if (m.format !== 'tflite') {
      throw new ServiceError(
        'UNSUPPORTED',
        `${m.name}: only .tflite models run in the simulator (quantize or convert first)`,
      );
    }
    const payload: SimulatePayload = {
      name: m.name,
      bytes: m.bytes,
      input,
      ...(cpu ? { cpu } : {}),
      ...(uint8Mode ? { uint8Mode } : {}),
    };
    const { taps, ...result } = await this.jobs.run<SimulateTaskResult>('simulate.run', payload, { jobId });
    return { ...result, runId: this.taps.add(m.name, taps) };
  }

  layer({ runId, layer }: SimulateLayerArgs): SimulateLayerTensor {
    return this.taps.layer(runId, layer);
  }
}
