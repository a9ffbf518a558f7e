/**
 * The contract's implementation: one handler per channel, and `dispatch`, the single entry both
 * hosts (Electron IPC, WebSocket) use: unknown channel → UNKNOWN_CHANNEL, argument validated,
 * handler run, anything thrown turned into an ApiError. Never throws.
 */
import type { ApiResult, ArgsOf, Channel, ResultOf } from '../../shared/api.ts';
import { BoardApi } from '../board/board-api.ts';
import { ServiceError, toApiError } from '../errors.ts';
import { JobRunner, type JobRunnerOptions } from '../jobs/job-runner.ts';
import { ModelService } from '../model/model-service.ts';
import { appVersion, configDir as defaultConfigDir, examplesDir as defaultExamplesDir } from '../paths.ts';
import { QuantizeService } from '../quantize/quantize-service.ts';
import { RecentStore } from '../recent-store.ts';
import { SimulateService } from '../simulate/simulate-service.ts';
import { isChannel, validateArgs } from './validate.ts';

export type Handlers = { [C in Channel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> };

export interface AppServices {
  jobs: JobRunner;
  models: ModelService;
  recent: RecentStore;
  /** Boards: discovery, sessions, profiles, reports. */
  boards: BoardApi;
  /** Quantize float models, quantization reports and their export. */
  quantize: QuantizeService;
  /** Host simulator runs and their per-layer outputs (kept for `simulate.layer`). */
  simulate: SimulateService;
  /** Stop workers and close board sessions; call on shutdown. */
  close(): Promise<void>;
}

export interface ServicesOptions {
  configDir?: string;
  examplesDir?: string;
  jobs?: JobRunnerOptions;
}

export function createServices(opts: ServicesOptions = {}): AppServices {
  const jobs = new JobRunner(opts.jobs);
  const recent = new RecentStore(opts.configDir ?? defaultConfigDir());
  const models = new ModelService(jobs, recent, opts.examplesDir ?? defaultExamplesDir());
  const boards = new BoardApi(jobs, models);
  const quantize = new QuantizeService(jobs, models);
  const simulate = new SimulateService(jobs, models);
  return {
    jobs,
    recent,
    models,
    boards,
    quantize,
    simulate,
    close: async () => (await boards.close(), await jobs.close()),
  };
}

export interface HostInfo {
  host: 'electron' | 'web';
  /** Model shown on start-up, or null. */
  startupModel: string | null;
  /** Native open dialog (Electron); resolves the chosen path or null. Absent on the web host. */
  chooseModelFile?: () => Promise<string | null>;
}

export function createHandlers(s: AppServices, host: HostInfo): Handlers {
  return {
    'app.info': async () => ({ host: host.host, version: appVersion(), startupModel: host.startupModel }),
    'model.open': (args) => s.models.open(args),
    'model.openDialog': async () => {
      if (!host.chooseModelFile) {
        throw new ServiceError(
          'NOT_AVAILABLE',
          'The native file dialog exists only in the desktop app; use the file picker',
        );
      }
      const path = await host.chooseModelFile();
      return path ? s.models.open({ path }) : null;
    },
    'model.recent': () => s.recent.list(),
    'model.examples': () => s.models.examples(),
    'model.close': async ({ id }) => s.models.close(id),
    'jobs.cancel': async ({ id }) => s.jobs.cancel(id),
    'simulate.run': (args) => s.simulate.run(args),
    'simulate.layer': async (args) => s.simulate.layer(args),
    'boards.list': (args) => s.boards.list(args),
    'boards.profile': async (args) => s.boards.profile(args),
    'report.export': (args) => s.boards.export(args),
    'quantize.run': (args) => s.quantize.run(args),
    'quantize.report': (args) => s.quantize.report(args),
    'quantize.export': (args) => s.quantize.export(args),
  };
}

/** Validate and run one call. Resolves to an ApiResult; never rejects. */
export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  args: unknown,
): Promise<ApiResult<unknown>> {
  try {
    if (!isChannel(channel)) {
      throw new ServiceError('UNKNOWN_CHANNEL', `No such API call: ${String(channel).slice(0, 100)}`);
    }
    const valid = validateArgs(channel, args);
    const handler = handlers[channel] as (a: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(valid) };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}
