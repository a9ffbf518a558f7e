/**
 * The contract's implementation: one handler per channel, and `dispatch`, the single entry both
 * hosts (Electron IPC, WebSocket) use: unknown channel → UNKNOWN_CHANNEL, argument validated,
 * handler run, anything thrown turned into an ApiError. Never throws.
 */
import { existsSync } from 'node:fs';
import type { ApiResult, ArgsOf, Channel, DataSource, ModelSource, ResultOf } from '../../shared/api.ts';
import { isRemoteBoardUrl, parseRemoteBoardUrl, RemoteUrlError } from '../../core/protocol/remote-url.ts';
import { BoardApi } from '../board/board-api.ts';
import { emulatedBoard } from '../board/emulated-boards.ts';
import { installFirmwareOnDrive } from '../board/install-firmware.ts';
import { RemoteBoardStore } from '../board/remote-boards.ts';
import { ServiceError, toApiError } from '../errors.ts';
import type { HtmlPdfPrinter } from '../export/pdf.ts';
import { JobRunner, type JobRunnerOptions } from '../jobs/job-runner.ts';
import { ModelService } from '../model/model-service.ts';
import { PathPolicy } from '../path-policy.ts';
import { appVersion, configDir as defaultConfigDir, examplesDir as defaultExamplesDir } from '../paths.ts';
import { readDataPath } from '../quantize/data-files.ts';
import { QuantizeService } from '../quantize/quantize-service.ts';
import { RecentStore } from '../recent-store.ts';
import { ResultsStore } from '../results/results-store.ts';
import { modelRef, recordQuantization, recordSimulation } from '../results/record.ts';
import { SimulateService } from '../simulate/simulate-service.ts';
import { isChannel, validateArgs } from './validate.ts';

export type Handlers = { [C in Channel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> };

export interface AppServices {
  jobs: JobRunner;
  models: ModelService;
  recent: RecentStore;
  /** Boards: discovery, sessions, profiles, reports. */
  boards: BoardApi;
  /** Remote boards (rfc2217://, socket://) the user added: offered again on the next start. */
  remoteBoards: RemoteBoardStore;
  /** Quantize float models, quantization reports and their export. */
  quantize: QuantizeService;
  /** Host simulator runs and their per-layer outputs (kept for `simulate.layer`). */
  simulate: SimulateService;
  /** Which files the API may read and write (grants from dialogs and the command line). */
  paths: PathPolicy;
  /** The session's results by model (simulations, profiles, quantization reports). */
  results: ResultsStore;
  /** Stop workers and close board sessions; call on shutdown. */
  close(): Promise<void>;
}

export interface ServicesOptions {
  configDir?: string;
  examplesDir?: string;
  jobs?: JobRunnerOptions;
  /** Files or folders given on the command line: readable through the API. */
  grantRead?: string[];
  /** The host's HTML-to-PDF printer (the desktop app: Electron's printToPDF); else pdfkit draws PDFs. */
  printPdf?: HtmlPdfPrinter;
}

export function createServices(opts: ServicesOptions = {}): AppServices {
  const jobs = new JobRunner(opts.jobs);
  const recent = new RecentStore(opts.configDir ?? defaultConfigDir());
  const remoteBoards = new RemoteBoardStore(opts.configDir ?? defaultConfigDir());
  const examplesDir = opts.examplesDir ?? defaultExamplesDir();
  const models = new ModelService(jobs, recent, examplesDir);
  const boards = new BoardApi(jobs, models, {}, opts.printPdf);
  const quantize = new QuantizeService(jobs, models);
  const simulate = new SimulateService(jobs, models);
  // Files in the recent list were opened through a grant before; the examples are the app's own.
  const paths = new PathPolicy(async () => (await recent.list()).map((r) => r.path));
  for (const p of [examplesDir, ...(opts.grantRead ?? [])]) paths.grantRead(p);
  return {
    jobs,
    recent,
    models,
    boards,
    remoteBoards,
    quantize,
    simulate,
    paths,
    results: new ResultsStore(),
    close: async () => (await boards.close(), await jobs.close()),
  };
}

export interface HostInfo {
  host: 'electron' | 'web';
  /** Model shown on start-up, or null. */
  startupModel: string | null;
  /** Native open dialog (Electron); resolves the chosen path or null. Absent on the web host. */
  chooseModelFile?: () => Promise<string | null>;
  /**
   * Native save dialog (Electron) with the suggested file name; resolves the chosen path or null.
   * It must confirm replacing an existing file itself. Absent on the web host (downloads).
   */
  chooseSaveFile?: (name: string) => Promise<string | null>;
}

/** The path sources of a quantize call, checked by the policy; folders read here, file by file. */
async function modelSource(s: AppServices, m: ModelSource): Promise<ModelSource> {
  return 'path' in m ? { path: await s.paths.readable(m.path) } : m;
}

async function dataSource(s: AppServices, d: DataSource): Promise<DataSource> {
  if (!('path' in d)) return d;
  const folder = await s.paths.readable(d.path);
  return { files: await readDataPath(folder, (f) => s.paths.readableInside(folder, f)) };
}

/** A typed port: a path the policy allows, or a remote board URL, checked and put in its one
 * normal form (the id discovery lists it under). */
async function portOrRemote(s: AppServices, port: string): Promise<string> {
  if (!isRemoteBoardUrl(port)) return s.paths.port(port);
  try {
    return parseRemoteBoardUrl(port).url;
  } catch (e) {
    if (e instanceof RemoteUrlError) throw new ServiceError('BAD_ARGUMENT', e.message);
    throw e;
  }
}

/** Port paths and remote URLs are checked; the built-in boards are names, not paths. */
async function boardId(s: AppServices, board: string): Promise<string> {
  return board === 'virtual' || emulatedBoard(board) ? board : portOrRemote(s, board);
}

/** Typed ports and remote URLs, plus remembered remote boards; a remote board typed in that
 * answers the handshake is remembered for the next start. */
async function listBoards(s: AppServices, typed: string[]): Promise<ResultOf<'boards.list'>> {
  const paths = await Promise.all(typed.map((p) => portOrRemote(s, p)));
  const boards = await s.boards.list({
    paths: [...new Set([...paths, ...(await s.remoteBoards.toOffer())])],
  });
  for (const b of boards)
    if (b.source === 'remote' && b.status !== 'not-a-board' && paths.includes(b.id))
      await s.remoteBoards.add(b.id);
  return boards;
}

/**
 * Every path an argument names passes the path policy first (`s.paths`): reads of files the
 * user chose, one write per save-dialog choice, serial ports only. The start-up model (command
 * line or the bundled example) is granted here; the dialogs grant what the user picks.
 */
export function createHandlers(s: AppServices, host: HostInfo): Handlers {
  if (host.startupModel) s.paths.grantRead(host.startupModel);
  return {
    'app.info': async () => ({ host: host.host, version: appVersion(), startupModel: host.startupModel }),
    'model.open': async (args) =>
      s.models.open('path' in args ? { path: await s.paths.readable(args.path) } : args),
    'model.openDialog': async () => {
      if (!host.chooseModelFile) {
        throw new ServiceError(
          'NOT_AVAILABLE',
          'The native file dialog exists only in the desktop app; use the file picker',
        );
      }
      const path = await host.chooseModelFile();
      if (!path) return null;
      s.paths.grantRead(path);
      return s.models.open({ path: await s.paths.readable(path) });
    },
    'model.recent': () => s.recent.list(),
    'model.examples': () => s.models.examples(),
    'model.close': async ({ id }) => s.models.close(id),
    'jobs.cancel': async ({ id }) => s.jobs.cancel(id),
    'simulate.run': async (args) => {
      const model = modelRef(s, { modelId: args.modelId });
      return recordSimulation(s, model, args, await s.simulate.run(args));
    },
    'simulate.layer': async (args) => {
      if (s.simulate.taps.has(args.runId)) return s.simulate.layer(args);
      // a run the tap store let go of is still in the session's results
      return s.results.simulationLayer(args.runId, args.layer) ?? s.simulate.layer(args);
    },
    'boards.list': (args) => listBoards(s, args.paths),
    'boards.profile': async (args) => {
      const model = modelRef(s, { modelId: args.modelId });
      const r = await s.boards.profile({ ...args, board: await boardId(s, args.board) });
      if (model) s.results.addProfile(model, r);
      return r;
    },
    'boards.installFirmware': async (args) => {
      const board = await portOrRemote(s, args.board);
      try {
        return await installFirmwareOnDrive({
          ...args,
          board,
          attempts: 3,
          waitMs: 1500,
          probe: async (p) => (await s.boards.list({ paths: [p] })).find((b) => b.id === p),
        });
      } catch (e) {
        // refusals and drive errors are for the user (kit-drive.ts words them), not internal faults
        throw new ServiceError('BAD_ARGUMENT', (e as Error).message);
      }
    },
    'boards.restart': async (args) => s.boards.restart({ ...args, board: await boardId(s, args.board) }),
    'report.export': async (args) => {
      if (!args.path) return s.boards.export(args);
      const t = await s.paths.writable(args.path);
      return s.boards.export({ ...args, path: t.path }, { overwrite: t.overwrite });
    },
    'quantize.run': async (args) => {
      const model = await modelSource(s, args.model);
      const data = await dataSource(s, args.data);
      const from = modelRef(s, model);
      if (!args.savePath) return recordQuantization(s, from, await s.quantize.run({ ...args, model, data }));
      const t = await s.paths.writable(args.savePath);
      const r = await s.quantize.run({ ...args, model, data, savePath: t.path }, { overwrite: t.overwrite });
      return recordQuantization(s, from, r);
    },
    'quantize.report': async (args) => {
      const int8 = await modelSource(s, args.int8);
      const from = modelRef(s, int8);
      const r = await s.quantize.report({
        ...args,
        int8,
        float: await modelSource(s, args.float),
        data: await dataSource(s, args.data),
      });
      return recordQuantization(s, from, r);
    },
    'quantize.export': async (args) => {
      if (!args.path) return s.quantize.export(args);
      const t = await s.paths.writable(args.path);
      return s.quantize.export({ ...args, path: t.path }, { overwrite: t.overwrite });
    },
    'files.saveDialog': async ({ name }) => {
      if (!host.chooseSaveFile) {
        throw new ServiceError(
          'NOT_AVAILABLE',
          'The native save dialog exists only in the desktop app; exports download in the browser',
        );
      }
      const path = await host.chooseSaveFile(name);
      // The dialog asked before returning an existing file: replacing it is the user's choice.
      if (path) s.paths.grantWrite(path, { overwrite: existsSync(path) });
      return path;
    },
    'results.list': async ({ modelId }) => s.results.list(s.models.get(modelId).bytes),
    'results.get': async ({ id }) => s.results.get(id),
    'results.compare': async ({ a, b }) => s.results.compare(a, b),
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
