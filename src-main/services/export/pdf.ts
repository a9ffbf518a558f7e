/**
 * PDF of an HTML report, printed by a headless Chromium (Debian's /usr/bin/chromium, or
 * QS_CHROMIUM / CHROME_PATH). The HTML is self-contained, so Chromium runs offline with the
 * network off; a bounded timeout kills a browser that hangs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ServiceError } from '../errors.ts';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export function findChromium(): string | null {
  const env = process.env.QS_CHROMIUM ?? process.env.CHROME_PATH;
  if (env) return existsSync(env) ? env : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Renders `html` to PDF bytes. */
export async function htmlToPdf(html: string, timeoutMs = 60_000): Promise<Uint8Array> {
  const chromium = findChromium();
  if (!chromium)
    throw new ServiceError(
      'NOT_AVAILABLE',
      'PDF export needs Chromium or Chrome (set QS_CHROMIUM to its path)',
    );
  const dir = await mkdtemp(join(tmpdir(), 'qs-pdf-'));
  try {
    const src = join(dir, 'report.html');
    const out = join(dir, 'report.pdf');
    await writeFile(src, html);
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-extensions',
      '--disable-background-networking',
      '--no-pdf-header-footer',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--print-to-pdf=${out}`,
      pathToFileURL(src).href,
    ];
    await new Promise<void>((ok, fail) =>
      execFile(chromium, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, _o, stderr) =>
        err
          ? fail(
              new ServiceError(
                'IO',
                `Chromium could not print the report to PDF: ${err.killed ? `no result within ${timeoutMs} ms` : (stderr || err.message).trim().split('\n').slice(-3).join(' ')}`,
              ),
            )
          : ok(),
      ),
    );
    if (!existsSync(out)) throw new ServiceError('IO', 'Chromium exited without writing the PDF');
    const pdf = new Uint8Array(await readFile(out));
    if (pdf.length < 5 || String.fromCharCode(...pdf.subarray(0, 5)) !== '%PDF-')
      throw new ServiceError('IO', 'Chromium wrote something that is not a PDF');
    return pdf;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
