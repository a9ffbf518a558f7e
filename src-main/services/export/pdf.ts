/**
 * PDF of a comparison report. The desktop app hands in its own printer (Electron's printToPDF of
 * the HTML report: electron/print-pdf.ts); the CLI and the web host draw it with pdfkit
 * (pdf-report.ts), so no system browser is ever needed.
 */
import type { CompareResult } from '../../core/compare/types.ts';
import { compareHtml, type ReportMeta } from '../../core/report/index.ts';
import { ServiceError } from '../errors.ts';
import { compareReportPdf } from './pdf-report.ts';

/** Prints a self-contained HTML page to PDF bytes (landscape, page numbers). */
export type HtmlPdfPrinter = (html: string) => Promise<Uint8Array>;

export async function compareToPdf(
  r: CompareResult,
  meta: ReportMeta,
  printHtml?: HtmlPdfPrinter,
): Promise<Uint8Array> {
  const pdf = printHtml ? await printHtml(compareHtml(r, meta)) : await compareReportPdf(r, meta);
  if (pdf.length < 5 || String.fromCharCode(...pdf.subarray(0, 5)) !== '%PDF-')
    throw new ServiceError('IO', 'the PDF printer returned something that is not a PDF');
  return pdf;
}
