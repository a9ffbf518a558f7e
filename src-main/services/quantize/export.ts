/**
 * Writes the quantization report as CSV (MLTK's 12 columns), HTML or JSON, atomically; a file named
 * `*.metrics.csv` gets the model-level metrics as CSV instead (quant-metrics-csv.ts).
 */
import { extname, resolve } from 'node:path';
import type { ReportMeta } from '../../core/report/json.ts';
import { quantCsv } from '../../core/report/quant-csv.ts';
import { quantHtml } from '../../core/report/quant-html.ts';
import { quantJson } from '../../core/report/quant-json.ts';
import { quantMetricsCsv } from '../../core/report/quant-metrics-csv.ts';
import type { QuantizationReport } from '../../core/report/quant-types.ts';
import { writeFileAtomic, type AtomicWriteOptions } from '../atomic-write.ts';
import { ServiceError } from '../errors.ts';
import { appVersion } from '../paths.ts';

export type QuantReportFormat = 'csv' | 'html' | 'json' | 'metrics-csv';
export const QUANT_REPORT_FORMATS: readonly QuantReportFormat[] = ['csv', 'html', 'json'];

export function quantFormatOf(path: string): QuantReportFormat {
  if (/\.metrics\.csv$/i.test(path)) return 'metrics-csv';
  const ext = extname(path).slice(1).toLowerCase();
  if ((QUANT_REPORT_FORMATS as readonly string[]).includes(ext)) return ext as QuantReportFormat;
  throw new ServiceError(
    'BAD_ARGUMENT',
    `cannot tell the report format of '${path}': use .csv, .html or .json (NAME.metrics.csv for the model-level metrics)`,
  );
}

export function renderQuantReport(
  r: QuantizationReport,
  format: QuantReportFormat,
  meta?: ReportMeta,
): Uint8Array {
  const m = meta ?? { generatedAt: new Date().toISOString(), tool: `QuantScope ${appVersion()}` };
  const text =
    format === 'csv'
      ? quantCsv(r)
      : format === 'metrics-csv'
        ? quantMetricsCsv(r)
        : format === 'html'
          ? quantHtml(r, m)
          : quantJson(r, m);
  return new TextEncoder().encode(text);
}

export async function exportQuantReport(
  r: QuantizationReport,
  path: string,
  format: QuantReportFormat = quantFormatOf(path),
  write: AtomicWriteOptions = {},
): Promise<{ path: string; format: QuantReportFormat; bytes: number }> {
  const data = renderQuantReport(r, format);
  const target = resolve(path);
  await writeFileAtomic(target, data, write);
  return { path: target, format, bytes: data.length };
}
