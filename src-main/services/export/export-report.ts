/**
 * Writes a comparison report: format from the file extension (.html, .csv, .json, .pdf), always
 * atomically (temp file beside the target, then rename), so a reader never sees half a report.
 */
import { extname, resolve } from 'node:path';
import type { CompareResult } from '../../core/compare/types.ts';
import { compareCsv, compareHtml, compareJson, type ReportMeta } from '../../core/report/index.ts';
import { writeFileAtomic, type AtomicWriteOptions } from '../atomic-write.ts';
import { ServiceError } from '../errors.ts';
import { appVersion } from '../paths.ts';
import { compareToPdf, type HtmlPdfPrinter } from './pdf.ts';

export type ReportFormat = 'html' | 'csv' | 'json' | 'pdf';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'csv', 'json', 'pdf'];

export function reportFormatOf(path: string): ReportFormat {
  const ext = extname(path).slice(1).toLowerCase();
  if ((REPORT_FORMATS as readonly string[]).includes(ext)) return ext as ReportFormat;
  throw new ServiceError(
    'BAD_ARGUMENT',
    `cannot tell the report format of '${path}': use .html, .csv, .json or .pdf`,
  );
}

export function reportMeta(): ReportMeta {
  return { generatedAt: new Date().toISOString(), tool: `QuantScope ${appVersion()}` };
}

export interface RenderOptions {
  /** The host's HTML-to-PDF printer (the desktop app's printToPDF); without one, pdfkit draws it. */
  printHtml?: HtmlPdfPrinter;
}

/** The report's bytes (text formats as UTF-8). */
export async function renderReport(
  r: CompareResult,
  format: ReportFormat,
  meta: ReportMeta = reportMeta(),
  opts: RenderOptions = {},
): Promise<Uint8Array> {
  switch (format) {
    case 'html':
      return new TextEncoder().encode(compareHtml(r, meta));
    case 'csv':
      return new TextEncoder().encode(compareCsv(r));
    case 'json':
      return new TextEncoder().encode(compareJson(r, meta));
    case 'pdf':
      return compareToPdf(r, meta, opts.printHtml);
  }
}

export async function exportReport(
  r: CompareResult,
  path: string,
  format: ReportFormat = reportFormatOf(path),
  write: AtomicWriteOptions = {},
  opts: RenderOptions = {},
): Promise<{ path: string; format: ReportFormat; bytes: number }> {
  const data = await renderReport(r, format, reportMeta(), opts);
  const target = resolve(path);
  await writeFileAtomic(target, data, write);
  return { path: target, format, bytes: data.length };
}
