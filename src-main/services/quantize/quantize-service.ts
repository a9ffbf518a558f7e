/**
 * The quantize calls on the main side: resolve model and data sources to bytes (opened model,
 * file, or uploaded bytes), run the work as a job in a worker (progress + cancel), save the int8
 * model atomically when asked, and keep the last reports for export.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { QuantizationReport } from '../../core/report/quant-types.ts';
import type {
  DataSource,
  ModelSource,
  QuantizeExportArgs,
  QuantizeReportArgs,
  QuantizeReportResult,
  QuantizeRunArgs,
  QuantizeRunResult,
  ReportExportResult,
} from '../../shared/api.ts';
import { writeFileAtomic, type AtomicWriteOptions } from '../atomic-write.ts';
import { ServiceError } from '../errors.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { ModelService } from '../model/model-service.ts';
import { readDataPath } from './data-files.ts';
import { exportQuantReport, renderQuantReport } from './export.ts';
import type { NamedBytes, QuantizePayload, QuantizeTaskResult, ReportPayload } from './quantize-task.ts';
import type { DataFile } from './samples.ts';

const KEPT_REPORTS = 20;

export class QuantizeService {
  private readonly reports = new Map<string, QuantizationReport>();

  constructor(
    private readonly jobs: JobRunner,
    private readonly models: ModelService,
  ) {}

  /** `save`: how `savePath` may be written (the API passes what the path policy allows). */
  async run(a: QuantizeRunArgs, save: AtomicWriteOptions = {}): Promise<QuantizeRunResult> {
    const payload: QuantizePayload = {
      model: await this.model(a.model),
      data: await data(a.data),
      ...(a.norm !== undefined ? { norm: a.norm } : {}),
      ...(a.io ? { io: a.io } : {}),
      ...(a.fcPerTensor ? { fcPerTensor: true } : {}),
      ...(a.method ? { method: a.method } : {}),
      ...(a.keepFloat ? { keepFloat: a.keepFloat } : {}),
      ...(a.int16 ? { int16: a.int16 } : {}),
      ...(a.loweringInterior ? { loweringInterior: a.loweringInterior } : {}),
      ...(a.thresholds ? { thresholds: a.thresholds } : {}),
      ...(a.maxSamples ? { maxSamples: a.maxSamples } : {}),
    };
    const r = await this.jobs.run<QuantizeTaskResult>('quantize.run', payload, { jobId: a.jobId });
    let savedPath: string | undefined;
    if (a.savePath) {
      savedPath = resolve(a.savePath);
      await writeFileAtomic(savedPath, r.bytes, save);
    }
    return {
      reportId: this.keep(r.report),
      name: r.name,
      bytes: r.bytes,
      ...(savedPath ? { savedPath } : {}),
      report: r.report,
    };
  }

  async report(a: QuantizeReportArgs): Promise<QuantizeReportResult> {
    const payload: ReportPayload = {
      int8: await this.model(a.int8),
      float: await this.model(a.float),
      data: await data(a.data),
      ...(a.thresholds ? { thresholds: a.thresholds } : {}),
      ...(a.maxSamples ? { maxSamples: a.maxSamples } : {}),
    };
    const report = await this.jobs.run<QuantizationReport>('quantize.report', payload, { jobId: a.jobId });
    return { reportId: this.keep(report), report };
  }

  async export(a: QuantizeExportArgs, write: AtomicWriteOptions = {}): Promise<ReportExportResult> {
    const r = this.reports.get(a.reportId);
    if (!r)
      throw new ServiceError(
        'NOT_FOUND',
        `No quantization report with id ${a.reportId} (only the last ${KEPT_REPORTS} are kept)`,
      );
    const fileName = `${r.model.replace(/\.tflite$/i, '')}-quantization.${a.format}`;
    if (a.path) {
      const w = await exportQuantReport(r, a.path, a.format, write);
      return { format: a.format, fileName, bytes: w.bytes, path: w.path };
    }
    const bytes = renderQuantReport(r, a.format);
    return { format: a.format, fileName, bytes: bytes.length, data: bytes };
  }

  private keep(r: QuantizationReport): string {
    const id = randomUUID();
    this.reports.set(id, r);
    while (this.reports.size > KEPT_REPORTS) this.reports.delete(this.reports.keys().next().value as string);
    return id;
  }

  private async model(m: ModelSource): Promise<NamedBytes> {
    if ('modelId' in m) {
      const l = this.models.get(m.modelId);
      return { name: l.name, bytes: l.bytes };
    }
    if ('path' in m) {
      const b = await readFile(m.path).catch(() => {
        throw new ServiceError('NOT_FOUND', `No such model file: ${m.path}`, { path: m.path });
      });
      return { name: basename(m.path), bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
    }
    return { name: m.name, bytes: m.bytes };
  }
}

async function data(d: DataSource): Promise<DataFile[]> {
  return 'path' in d ? readDataPath(d.path) : d.files;
}
