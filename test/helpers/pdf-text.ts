/**
 * Reads a PDF back the way a viewer does (pdfjs-dist, Mozilla's PDF.js): per page its size, its
 * text items in drawing order and its drawing operators, so tests check what a reader sees.
 */
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfPage {
  width: number;
  height: number;
  /** Text items in the order they were drawn. */
  items: string[];
  /** pdfjs operator codes (pdfjs.OPS) in order. */
  ops: number[];
}

export async function readPdf(bytes: Uint8Array): Promise<PdfPage[]> {
  const doc = await pdfjs.getDocument({ data: bytes.slice(), isEvalSupported: false }).promise;
  const pages: PdfPage[] = [];
  try {
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const [, , width, height] = page.view;
      const text = await page.getTextContent();
      const items = text.items.map((it) => ('str' in it ? it.str : ''));
      const ops = (await page.getOperatorList()).fnArray;
      pages.push({ width, height, items, ops });
    }
  } finally {
    await doc.destroy();
  }
  return pages;
}

/** PDF.js hands text out in Unicode compatibility form (µ as μ): compare in that form. */
export const nfkc = (s: string): string => s.normalize('NFKC');

/** Every page's text run together without whitespace: a cell that wrapped still reads whole. */
export const flatText = (pages: PdfPage[]): string =>
  nfkc(pages.map((p) => p.items.join('')).join('')).replace(/\s+/g, '');

export const PDF_OPS = pdfjs.OPS;
