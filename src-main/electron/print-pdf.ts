/**
 * The desktop app's PDF: the HTML report printed by Electron's own Chromium (webContents.printToPDF),
 * so the PDF looks exactly like the report on screen and needs no other browser. A4 landscape, the
 * background colours kept, "page / pages" in the footer. The report is self-contained (no scripts,
 * a CSP that fetches nothing) and is loaded from a private temporary file in a hidden window
 * without JavaScript.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrintWindow } from './window.ts';

const FOOTER =
  '<div style="font:8px system-ui,sans-serif;color:#57606a;width:100%;padding:0 10mm;text-align:right">' +
  '<span class="pageNumber"></span> / <span class="totalPages"></span></div>';

export async function printHtmlToPdf(html: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'qs-print-'));
  const win = createPrintWindow();
  try {
    const file = join(dir, 'report.html');
    await writeFile(file, html, { mode: 0o600 });
    await win.loadFile(file);
    const pdf = await win.webContents.printToPDF({
      landscape: true,
      pageSize: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: FOOTER,
      margins: { marginType: 'custom', top: 0.4, bottom: 0.5, left: 0.4, right: 0.4 },
    });
    return new Uint8Array(pdf);
  } finally {
    win.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
