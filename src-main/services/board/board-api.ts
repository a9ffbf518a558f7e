/**
 * The board calls of the API contract: `boards.list`, `boards.profile` (an in-process job with
 * progress and cancel: the board session owns its serial port on this thread) and
 * `report.export` of a kept profile result.
 */
import { basename, extname, resolve } from 'node:path';
import type {
  BoardProfileArgs,
  BoardProfileResult,
  BoardRestartArgs,
  BoardRestartResult,
  BoardsListArgs,
  DiscoveredBoard,
  LayerTensors,
  ReportExportArgs,
  ReportExportResult,
} from '../../shared/api.ts';
import type { HostSide, HostSideSpec } from '../../core/compare/host-side.ts';
import type { CompareResult } from '../../core/compare/types.ts';
import { NormalizeError } from '../../core/normalize/normalize.ts';
import { ProtocolError } from '../../core/protocol/errors.ts';
import { writeFileAtomic, type AtomicWriteOptions } from '../atomic-write.ts';
import { ServiceError } from '../errors.ts';
import { exportReport, renderReport, reportMeta } from '../export/export-report.ts';
import type { HtmlPdfPrinter } from '../export/pdf.ts';
import { modelExplorerZip } from '../export/model-explorer-export.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { ModelService } from '../model/model-service.ts';
import { BoardDownError } from './board-watch.ts';
import { FirmwareBuildError, type BuildProgress } from './firmware.ts';
import { BoardRegistry, type RegistryOptions } from './registry.ts';

/** Profile results kept for export (most recent last). */
const KEEP_RESULTS = 20;

function asServiceError(e: unknown): unknown {
  if (e instanceof NormalizeError) return new ServiceError('BAD_ARGUMENT', e.message, { normalize: e.code });
  if (e instanceof FirmwareBuildError)
    // the compiler's output (or the missing tool) is the message
    return new ServiceError('IO', e.message, { build: e.target });
  if (e instanceof BoardDownError)
    // the board died: the UI offers "Restart board" for `board`
    return new ServiceError('IO', e.message, { protocol: e.code, board: e.board, stopped: true });
  if (e instanceof ProtocolError) {
    const code = e.code === 'ABORTED' ? 'CANCELLED' : e.code === 'BAD_ARG' ? 'BAD_ARGUMENT' : 'IO';
    return new ServiceError(code, e.message, { protocol: e.code });
  }
  return e;
}

/** A firmware build as job progress: the step's words and the seconds so far (within `upTo`). */
function buildProgress(progress: (fraction: number, message: string) => void, upTo: number): BuildProgress {
  // make cannot say how far it is: the bar creeps toward `upTo` (half-way after ~20 s), the
  // message counts the seconds
  return ({ message, elapsedMs }) =>
    progress(upTo * (elapsedMs / (elapsedMs + 20_000)), `${message} · ${Math.round(elapsedMs / 1000)} s`);
}

export class BoardApi {
  readonly registry: BoardRegistry;
  /** Each kept profile's comparison and the model it ran (Model Explorer node ids need the model). */
  private readonly results = new Map<string, { compare: CompareResult; modelBytes: Uint8Array }>();
  private seq = 0;

  constructor(
    private readonly jobs: JobRunner,
    private readonly models: ModelService,
    opts: RegistryOptions = {},
    /** Prints PDF reports from the HTML report (the desktop app); without it pdfkit draws them. */
    private readonly printHtml?: HtmlPdfPrinter,
  ) {
    this.registry = new BoardRegistry(opts);
  }

  list(args: BoardsListArgs): Promise<DiscoveredBoard[]> {
    return this.registry.list(args.paths);
  }

  profile(args: BoardProfileArgs): Promise<BoardProfileResult> {
    const m = this.models.get(args.modelId);
    if (m.format !== 'tflite')
      throw new ServiceError(
        'UNSUPPORTED',
        `${m.name}: only .tflite models run on a board (quantize or convert first)`,
      );
    return this.jobs.runLocal(
      async ({ signal, progress }) => {
        progress(0, `Connecting to ${args.board}`);
        let r;
        try {
          r = await this.registry.profile(
            args.board,
            {
              modelName: m.name,
              modelBytes: m.bytes,
              input: args.input,
              uint8Mode: args.uint8Mode,
              cpu: args.cpu,
              resetState: args.resetState,
              signal,
              onProgress: progress,
            },
            (spec) => this.hostInWorker(spec, args.jobId, signal),
            buildProgress(progress, 0.1),
          );
        } catch (e) {
          throw asServiceError(e);
        }
        const reportId = `r${++this.seq}`;
        this.results.set(reportId, { compare: r.compare, modelBytes: m.bytes });
        while (this.results.size > KEEP_RESULTS) this.results.delete(this.results.keys().next().value!);
        const byKey = new Map(r.device.map((d) => [`${d.index}:${d.tensor}`, d]));
        const tensors: LayerTensors[] = [];
        r.host.inputs.forEach((h, i) =>
          tensors.push({
            index: -1,
            tensor: h.tensor,
            host: h.bytes,
            device: r.deviceInputs[i] ?? h.bytes,
            ...(h.quant ? { quant: h.quant } : {}),
          }),
        );
        for (const h of r.host.layers) {
          // an older board streams an op's first output only: other outputs (SPLIT, UNPACK) have no pair
          const d = byKey.get(`${h.index}:${h.tensor}`);
          if (d)
            tensors.push({
              index: h.index,
              tensor: h.tensor,
              host: h.bytes,
              device: d.bytes,
              ...(h.quant ? { quant: h.quant } : {}),
            });
        }
        return {
          reportId,
          compare: r.compare,
          tensors,
          upload: { bytes: r.profile.upload.bytes, resumed: r.profile.upload.resumed },
          refetchedOps: r.profile.refetchedOps,
        };
      },
      { jobId: args.jobId },
    );
  }

  /** Stop board `args.board` (if held) and start it again (a job: building the firmware shows). */
  restart(args: BoardRestartArgs): Promise<BoardRestartResult> {
    return this.jobs.runLocal(
      async ({ progress }) => {
        progress(0, `Starting ${args.board}`);
        try {
          const h = await this.registry.restart(args.board, buildProgress(progress, 0.9));
          return {
            board: args.board,
            identity: {
              board: h.board,
              cpu: h.cpu,
              cpuHz: h.cpuHz,
              tickHz: h.tickHz,
              arenaBytes: h.arenaBytes,
              firmware: h.firmware,
              protocol: h.protocol,
            },
          };
        } catch (e) {
          throw asServiceError(e);
        }
      },
      { jobId: args.jobId },
    );
  }

  /** The simulator side in a job worker; cancelled with the profile (id outside the API alphabet). */
  private async hostInWorker(spec: HostSideSpec, jobId: string, signal: AbortSignal): Promise<HostSide> {
    const id = `${jobId}:host`;
    const onAbort = () => this.jobs.cancel(id);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.jobs.run<HostSide>('compare.host', spec, { jobId: id });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** `write`: how `args.path` may be written (the API passes what the path policy allows). */
  async export(args: ReportExportArgs, write: AtomicWriteOptions = {}): Promise<ReportExportResult> {
    const kept = this.results.get(args.reportId);
    if (!kept)
      throw new ServiceError(
        'NOT_FOUND',
        `No profile result "${args.reportId}" (results are kept for the last ${KEEP_RESULTS} profiles)`,
      );
    const r = kept.compare;
    const stem = basename(r.model.name, extname(r.model.name));
    const board = (r.board.port ?? r.board.name).replace(/^.*[\\/]/, '').replace(/[^A-Za-z0-9_.-]+/g, '_');
    if (args.format === 'model-explorer') {
      const data = modelExplorerZip(r, kept.modelBytes, `${stem}-${board}`);
      const fileName = `${stem}-${board}.model-explorer.zip`;
      if (!args.path) return { format: args.format, fileName, bytes: data.length, data };
      const path = resolve(args.path);
      await writeFileAtomic(path, data, write);
      return { format: args.format, fileName: basename(path), bytes: data.length, path };
    }
    const fileName = `${stem}-${board}.${args.format}`;
    if (args.path) {
      const w = await exportReport(r, args.path, args.format, write, { printHtml: this.printHtml });
      return { format: args.format, fileName: basename(w.path), bytes: w.bytes, path: w.path };
    }
    const data = await renderReport(r, args.format, reportMeta(), { printHtml: this.printHtml });
    return { format: args.format, fileName, bytes: data.length, data };
  }

  close(): Promise<void> {
    return this.registry.closeAll();
  }
}
