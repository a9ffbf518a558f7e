/**
 * The ONE typed API contract between the renderer and the main side.
 *
 * The same calls are served over Electron IPC (preload exposes one function per call) and over the
 * web host's loopback WebSocket, so the renderer runs unchanged in either. Every call takes at most
 * one plain-object argument and resolves to a structured-clone/JSON friendly value (Uint8Array
 * allowed). Failures cross as `ApiError` `{code, message, detail}` and surface in the renderer as a
 * thrown `ApiCallError` (see `src-renderer/lib/api-client.ts`).
 *
 * Extending: add a row to `ApiCalls` and its name to `CHANNELS`, a validator in
 * `src-main/services/api/validate.ts` and a handler in `src-main/services/api/handlers.ts`.
 * Never rename or remove a row; the UI depends on them.
 *
 * Long-running calls (simulate, quantize, profile, report) take a caller-chosen `jobId`
 * (`JobArgs`): progress for it arrives as `job.progress` events and `jobs.cancel({id})` stops it;
 * the call's promise resolves with the result or rejects with code `CANCELLED`.
 */
import type { ModelSummary } from './summary.ts';
export type { JobArgs, SimulateInput } from './api-common.ts';

export type {
  BoardInfo,
  CalibrationSummary,
  CompareResult,
  LayerComparison,
  LayerStatus,
  OutputComparison,
  TimingSummary,
} from '../core/compare/types.ts';

export type { LayerReport, OutputReport } from '../core/simulate/dump.ts';
export type { LayerStats, TopEntry } from '../core/simulate/stats.ts';

// ---------------------------------------------------------------- errors

export type ErrorCode =
  /** An argument failed validation at the boundary. */
  | 'BAD_ARGUMENT'
  /** No such channel on this host. */
  | 'UNKNOWN_CHANNEL'
  /** A file, model id, job id or board does not exist. */
  | 'NOT_FOUND'
  /** The bytes are not a model we can read (truncated, wrong identifier, a PNG, ...). */
  | 'MALFORMED_MODEL'
  /** Readable, but this feature/format/op is not supported. */
  | 'UNSUPPORTED'
  /** The call exists but is not available on this host (e.g. a native dialog on the web host). */
  | 'NOT_AVAILABLE'
  /** The job was cancelled by `jobs.cancel`. */
  | 'CANCELLED'
  /**
   * A path the user did not choose: not picked in a dialog, given on the command line, one of
   * the app's own files or in the recent list; or a write that would replace a file without the
   * user's confirmation, create a folder, or go through a symbolic link or `..`
   * (`detail: {path, reason}`, see src-main/services/path-policy.ts).
   */
  | 'FORBIDDEN_PATH'
  /** A file system or device I/O failure. */
  | 'IO'
  /** A bug: anything unexpected. */
  | 'INTERNAL';

export interface ApiError {
  code: ErrorCode;
  message: string;
  /** Optional extra context (plain data), e.g. the path or the validation field. */
  detail?: unknown;
}

/** What a handler's promise becomes on the wire (IPC and WebSocket alike). */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

// ---------------------------------------------------------------- model

/** keras-h5: legacy Keras HDF5 (.h5); keras: Keras 3 zip (.keras). */
export type ModelFormat = 'tflite' | 'keras-h5' | 'keras';

/** Open by path (main side reads the file) or by contents (drag and drop, browser file picker). */
export type OpenModelArgs = { path: string } | { name: string; bytes: Uint8Array };

export interface OpenedModel {
  /** Handle for later calls (simulate, quantize, profile); valid for this app session. */
  id: string;
  /** File name shown to the user, e.g. `person_detect.tflite`. */
  name: string;
  /** Absolute path when opened from disk. */
  path?: string;
  sizeBytes: number;
  format: ModelFormat;
  summary: ModelSummary;
}

export interface RecentModel {
  path: string;
  name: string;
  /** ISO 8601 time of the last open. */
  openedAt: string;
}

export interface ExampleModel {
  name: string;
  /** Absolute path; pass to `model.open({path})`. */
  path: string;
  sizeBytes: number;
}

// ---------------------------------------------------------------- app and jobs

export interface AppInfo {
  /** Which host serves the contract. */
  host: 'electron' | 'web';
  version: string;
  /** Model to show on start-up (`--open MODEL`, or the bundled example), or null. */
  startupModel: string | null;
}

// ---------------------------------------------------------------- simulate (api-simulate.ts)

import type {
  SimulateRunArgs,
  SimulateResult,
  SimulateLayerArgs,
  SimulateLayerTensor,
} from './api-simulate.ts';
export type * from './api-simulate.ts';

// ---------------------------------------------------------------- boards, compare, report, quantize

import type {
  BoardIdentity,
  DiscoveredBoard,
  BoardsListArgs,
  BoardInstallArgs,
  BoardInstallResult,
  BoardRestartArgs,
  BoardRestartResult,
  RawSampleInput,
  BoardProfileInput,
  BoardProfileArgs,
  LayerTensors,
  BoardProfileResult,
  ReportFormat,
  ReportExportArgs,
  ReportExportResult,
} from './api-boards.ts';
import type {
  ModelSource,
  DataSource,
  QuantizeRunArgs,
  QuantizeRunResult,
  QuantizeReportArgs,
  QuantizeReportResult,
  QuantizeExportArgs,
} from './api-quantize.ts';
import type {
  ResultsCompareArgs,
  ResultsComparison,
  ResultsList,
  ResultsListArgs,
  StoredResult,
} from './api-results.ts';
export type * from './api-boards.ts';
export type * from './api-quantize.ts';
export type * from './api-results.ts';

// ---------------------------------------------------------------- the calls

/** Channel → [argument, result]. `void` means the call takes no argument. */
export interface ApiCalls {
  'app.info': [void, AppInfo];
  'model.open': [OpenModelArgs, OpenedModel];
  /** Native file dialog (Electron only; NOT_AVAILABLE on the web host). Null when cancelled. */
  'model.openDialog': [void, OpenedModel | null];
  /** Most recent first, at most 10; files that vanished are dropped. */
  'model.recent': [void, RecentModel[]];
  'model.examples': [void, ExampleModel[]];
  /** Forget an opened model (frees memory). Resolves false when the id is unknown. */
  'model.close': [{ id: string }, boolean];
  /** Cancel a running job. Resolves false when no such job is running. */
  'jobs.cancel': [{ id: string }, boolean];
  /** Run an opened .tflite model in the bit-exact host simulator (a job: progress + cancel). */
  'simulate.run': [SimulateRunArgs, SimulateResult];
  /** One layer's output tensor of a recent `simulate.run` (fetched on demand; NOT_FOUND once evicted). */
  'simulate.layer': [SimulateLayerArgs, SimulateLayerTensor];
  /** Boards to profile on: USB dev kits that answer HELLO, typed paths, virtual, qemu. */
  'boards.list': [BoardsListArgs, DiscoveredBoard[]];
  /** Upload + run on a board, same input on the host, compare per layer (a job: progress + cancel). */
  'boards.profile': [BoardProfileArgs, BoardProfileResult];
  /** Install QuantScope firmware on a kit that does not answer: copy its image onto the kit's USB drive. */
  'boards.installFirmware': [BoardInstallArgs, BoardInstallResult];
  /** Stop a board (if held) and start it again, e.g. after it died (a job: progress while building). */
  'boards.restart': [BoardRestartArgs, BoardRestartResult];
  /** Write (or return) a report of an earlier `boards.profile`: HTML, CSV, JSON or PDF. */
  'report.export': [ReportExportArgs, ReportExportResult];
  /** Quantize a float model to int8 with representative data; returns the model and its report (a job). */
  'quantize.run': [QuantizeRunArgs, QuantizeRunResult];
  /** The quantization report of an int8 model made elsewhere, against its float model (a job). */
  'quantize.report': [QuantizeReportArgs, QuantizeReportResult];
  /** Write (or return) a quantization report: CSV (MLTK columns), HTML or JSON. */
  'quantize.export': [QuantizeExportArgs, ReportExportResult];
  /**
   * Native save dialog (Electron only; NOT_AVAILABLE on the web host, where exports download).
   * Resolves the chosen path, now granted for ONE write by `report.export`/`quantize.export`
   * (`path`) or `quantize.run` (`savePath`); null when cancelled.
   */
  'files.saveDialog': [SaveDialogArgs, string | null];
  /** The session's kept results (simulations, profiles, quantization reports), newest first. */
  'results.list': [ResultsListArgs, ResultsList];
  /** One kept result in full (to reopen it in its view). NOT_FOUND once evicted. */
  'results.get': [{ id: string }, StoredResult];
  /** Two kept results side by side: per-layer timing and output differences (core/compare). */
  'results.compare': [ResultsCompareArgs, ResultsComparison];
}

export interface SaveDialogArgs {
  /** Suggested file name (no folder), e.g. `person_detect-virtual.html`; its extension sets the filter. */
  name: string;
}

export type Channel = keyof ApiCalls;
export type ArgsOf<C extends Channel> = ApiCalls[C][0];
export type ResultOf<C extends Channel> = ApiCalls[C][1];

/** Every channel, in a stable order (used by preload and the hosts to register calls). */
export const CHANNELS = [
  'app.info',
  'model.open',
  'model.openDialog',
  'model.recent',
  'model.examples',
  'model.close',
  'jobs.cancel',
  'simulate.run',
  'simulate.layer',
  'boards.list',
  'boards.profile',
  'boards.installFirmware',
  'boards.restart',
  'report.export',
  'quantize.run',
  'quantize.report',
  'quantize.export',
  'files.saveDialog',
  'results.list',
  'results.get',
  'results.compare',
] as const satisfies readonly Channel[];

/**
 * Names reserved for calls other issues add (simulator, boards, quantization, report); they are
 * not served yet. When one is implemented it moves into `ApiCalls` and `CHANNELS`.
 */
export const RESERVED_CHANNELS = [] as const;

// ---------------------------------------------------------------- events (main → renderer)

export interface JobProgress {
  id: string;
  /** 0..1 */
  fraction: number;
  message: string;
}

export interface ApiEvents {
  'job.progress': JobProgress;
}

export type EventName = keyof ApiEvents;
export const EVENTS = ['job.progress'] as const satisfies readonly EventName[];

// ---------------------------------------------------------------- transport names

/** Electron IPC: each call is `ipcMain.handle(IPC_PREFIX + channel)`; events use `IPC_EVENT_PREFIX`. */
export const IPC_PREFIX = 'qs:';
export const IPC_EVENT_PREFIX = 'qs-event:';

/** WebSocket frames (JSON; Uint8Array encoded as `{"$bytes": base64}`). */
export type WsRequest = { kind: 'call'; seq: number; channel: string; args?: unknown };
export type WsMessage =
  | { kind: 'result'; seq: number; result: ApiResult<unknown> }
  | { kind: 'event'; event: EventName; payload: unknown };

/** Query parameter carrying the web host's token (required on the WebSocket). */
export const TOKEN_PARAM = 'token';
/** WebSocket path on the web host. */
export const WS_PATH = '/api';

/**
 * The renderer-facing shape: one function per call, grouped by service.
 * Implemented by `src-renderer/lib/api-client.ts` over either transport.
 */
export interface QuantScopeApi {
  app: { info(): Promise<AppInfo> };
  model: {
    open(args: OpenModelArgs): Promise<OpenedModel>;
    openDialog(): Promise<OpenedModel | null>;
    recent(): Promise<RecentModel[]>;
    examples(): Promise<ExampleModel[]>;
    close(args: { id: string }): Promise<boolean>;
  };
  jobs: { cancel(args: { id: string }): Promise<boolean> };
  simulate: {
    run(args: SimulateRunArgs): Promise<SimulateResult>;
    layer(args: SimulateLayerArgs): Promise<SimulateLayerTensor>;
  };
  boards: {
    list(args: BoardsListArgs): Promise<DiscoveredBoard[]>;
    profile(args: BoardProfileArgs): Promise<BoardProfileResult>;
    installFirmware(args: BoardInstallArgs): Promise<BoardInstallResult>;
    restart(args: BoardRestartArgs): Promise<BoardRestartResult>;
  };
  report: { export(args: ReportExportArgs): Promise<ReportExportResult> };
  quantize: {
    run(args: QuantizeRunArgs): Promise<QuantizeRunResult>;
    report(args: QuantizeReportArgs): Promise<QuantizeReportResult>;
    export(args: QuantizeExportArgs): Promise<ReportExportResult>;
  };
  files: { saveDialog(args: SaveDialogArgs): Promise<string | null> };
  results: {
    list(args: ResultsListArgs): Promise<ResultsList>;
    get(args: { id: string }): Promise<StoredResult>;
    compare(args: ResultsCompareArgs): Promise<ResultsComparison>;
  };
  /** Subscribe to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

/**
 * What the preload exposes as `window.quantscope`: one function per call, keyed by channel name,
 * each resolving to the raw `ApiResult` (errors cannot cross contextBridge with their fields
 * intact, so they travel as data and `api-client.ts` turns them into `ApiCallError`).
 */
export interface PreloadBridge {
  calls: { [C in Channel]: (args: ArgsOf<C>) => Promise<ApiResult<ResultOf<C>>> };
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

// ---------------------------------------------------------------- JSON codec for the WebSocket

export { decodeWire, encodeWire } from './wire.ts';
