/**
 * What the PDF writer loads on first use: pdfkit and the font, DejaVu Sans regular and bold
 * (@fontsource/dejavu-sans, OFL: Latin, Greek, arrows in one file), with a clear message when an
 * npm package is missing instead of a stack trace.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ServiceError } from '../errors.ts';
import { woffToSfnt } from './woff.ts';

export interface Fonts {
  regular: Uint8Array;
  bold: Uint8Array;
  has: (codePoint: number) => boolean;
}

let fonts: Fonts | undefined;

/** DejaVu Sans regular and bold, read once per process. */
export async function loadFonts(): Promise<Fonts> {
  if (fonts) return fonts;
  const require = createRequire(import.meta.url);
  const file = (w: number) => `@fontsource/dejavu-sans/files/dejavu-sans-latin-${w}-normal.woff`;
  let woff: Uint8Array[];
  try {
    woff = [400, 700].map((w) => readFileSync(require.resolve(file(w))));
  } catch {
    throw new ServiceError(
      'NOT_AVAILABLE',
      "PDF export needs the npm package @fontsource/dejavu-sans (run npm install in QuantScope's folder), or export .html and print it from a browser",
    );
  }
  const [regular, bold] = woff.map(woffToSfnt);
  const fontkit = await import('fontkit');
  const face = fontkit.create(regular);
  fonts = { regular, bold, has: (cp) => face.hasGlyphForCodePoint(cp) };
  return fonts;
}

export async function loadPdfKit(): Promise<typeof import('pdfkit')> {
  try {
    return (await import('pdfkit')).default;
  } catch (e) {
    throw new ServiceError(
      'NOT_AVAILABLE',
      `PDF export needs the npm package pdfkit (run npm install in QuantScope's folder), or export .html and print it from a browser: ${(e as Error).message}`,
    );
  }
}
