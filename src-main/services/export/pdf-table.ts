/**
 * Tables for the PDF report (pdfkit): every column kept on the page. Column widths come from the
 * text they hold; when the natural widths do not fit the page, the long-text columns (tensor
 * names) wrap, then the font shrinks, and last every column wraps — a column is never cut off.
 * The header row is repeated on each page the table runs onto.
 */
import type { DocColumn } from '../../core/report/compare-doc.ts';

type Doc = PDFKit.PDFDocument;

export interface PdfColumn extends DocColumn {
  /** A drawn cell (bar, histogram) of this fixed size instead of text. */
  figure?: { width: number; height: number };
}

export interface PdfRow {
  cells: string[];
  /** Drawn mismatch: the row's text in red. */
  bad?: boolean;
  /** The first divergent layer: the row highlighted. */
  first?: boolean;
}

export interface TableStyle {
  /** The font names registered on the document. */
  regular: string;
  bold: string;
  fontSize: number;
  /** Where the page's content ends (above the footer). */
  bottom: number;
  /** Draws a figure cell (columns with `figure`). */
  drawFigure?: (row: number, col: number, x: number, y: number, w: number, h: number) => void;
  /** Called after a page break (the caller's running header, if any). */
  onNewPage?: () => void;
}

const PAD_X = 3;
const PAD_Y = 2;
const MIN_WRAP = 60;
const MIN_FONT = 5.5;

function natural(doc: Doc, s: TableStyle, size: number, col: PdfColumn, rows: PdfRow[], i: number): number {
  if (col.figure) return col.figure.width + 2 * PAD_X;
  doc.font(s.bold).fontSize(size);
  let w = doc.widthOfString(col.head);
  doc.font(s.regular);
  for (const r of rows) w = Math.max(w, doc.widthOfString(r.cells[i] ?? ''));
  return Math.ceil(w) + 2 * PAD_X + 1;
}

/** Column widths and font size that fit `avail` points. */
export function fitColumns(
  doc: Doc,
  s: TableStyle,
  cols: PdfColumn[],
  rows: PdfRow[],
  avail: number,
): { widths: number[]; fontSize: number } {
  for (let size = s.fontSize; size >= MIN_FONT; size -= 0.5) {
    const nat = cols.map((c, i) => natural(doc, s, size, c, rows, i));
    const total = nat.reduce((a, b) => a + b, 0);
    const wrap = cols.map((c, i) => (c.wrap ? i : -1)).filter((i) => i >= 0);
    if (total <= avail) {
      // room to spare: the wrapping columns get it, so long names stay on one line
      const extra = wrap.length ? (avail - total) / wrap.length : 0;
      return { widths: nat.map((w, i) => (cols[i].wrap ? w + extra : w)), fontSize: size };
    }
    const fixed = nat.reduce((a, w, i) => a + (cols[i].wrap ? 0 : w), 0);
    const rest = avail - fixed;
    if (wrap.length && rest >= wrap.length * MIN_WRAP) {
      const want = wrap.reduce((a, i) => a + nat[i], 0);
      return { widths: nat.map((w, i) => (cols[i].wrap ? (rest * w) / want : w)), fontSize: size };
    }
  }
  // Nothing fits on one line: every text column wraps, in proportion to its text.
  const nat = cols.map((c, i) => natural(doc, s, MIN_FONT, c, rows, i));
  const figures = nat.reduce((a, w, i) => a + (cols[i].figure ? w : 0), 0);
  const text = nat.reduce((a, w, i) => a + (cols[i].figure ? 0 : w), 0);
  const k = Math.max(0, avail - figures) / Math.max(1, text);
  return { widths: nat.map((w, i) => (cols[i].figure ? w : w * k)), fontSize: MIN_FONT };
}

function rowHeight(doc: Doc, cols: PdfColumn[], widths: number[], cells: string[]): number {
  let h = 0;
  cols.forEach((c, i) => {
    const ch = c.figure
      ? c.figure.height
      : doc.heightOfString(cells[i] || ' ', { width: widths[i] - 2 * PAD_X });
    h = Math.max(h, ch);
  });
  return h + 2 * PAD_Y;
}

function drawCells(
  doc: Doc,
  s: TableStyle,
  cols: PdfColumn[],
  widths: number[],
  cells: string[],
  x0: number,
  y: number,
  h: number,
  rowIndex: number,
): void {
  let x = x0;
  cols.forEach((c, i) => {
    if (c.figure) s.drawFigure?.(rowIndex, i, x + PAD_X, y + PAD_Y, c.figure.width, c.figure.height);
    else
      doc.text(cells[i] ?? '', x + PAD_X, y + PAD_Y, {
        width: widths[i] - 2 * PAD_X,
        align: c.align,
        lineBreak: true,
      });
    x += widths[i];
  });
}

/** Draws the table from doc.y at the left margin; returns nothing, leaves doc.y below it. */
export function drawTable(doc: Doc, s: TableStyle, cols: PdfColumn[], rows: PdfRow[]): void {
  const x0 = doc.page.margins.left;
  const avail = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const { widths, fontSize } = fitColumns(doc, s, cols, rows, avail);
  const tableWidth = widths.reduce((a, b) => a + b, 0);
  const heads = cols.map((c) => c.head);
  const headCols = cols.map((c) => ({ ...c, figure: undefined }));

  const header = (): void => {
    doc.font(s.bold).fontSize(fontSize);
    const h = rowHeight(doc, headCols, widths, heads);
    doc.rect(x0, doc.y, tableWidth, h).fill('#f6f8fa');
    doc.fillColor('#1b1f24');
    const y = doc.y;
    drawCells(doc, s, headCols, widths, heads, x0, y, h, -1);
    doc
      .moveTo(x0, y + h)
      .lineTo(x0 + tableWidth, y + h)
      .lineWidth(0.6)
      .stroke('#8c959f');
    doc.y = y + h;
  };

  doc.font(s.bold).fontSize(fontSize);
  const headH = rowHeight(doc, headCols, widths, heads);
  doc.font(s.regular).fontSize(fontSize);
  const firstH = rows.length ? rowHeight(doc, cols, widths, rows[0].cells) : 0;
  if (doc.y + headH + firstH > s.bottom) newPage(doc, s);
  header();
  rows.forEach((r, ri) => {
    doc.font(s.regular).fontSize(fontSize);
    const h = rowHeight(doc, cols, widths, r.cells);
    if (doc.y + h > s.bottom) {
      newPage(doc, s);
      header();
      doc.font(s.regular).fontSize(fontSize);
    }
    const y = doc.y;
    if (r.first) doc.rect(x0, y, tableWidth, h).fill('#fff1e5');
    doc.fillColor(r.bad ? '#a40e26' : '#1b1f24');
    drawCells(doc, s, cols, widths, r.cells, x0, y, h, ri);
    doc
      .moveTo(x0, y + h)
      .lineTo(x0 + tableWidth, y + h)
      .lineWidth(0.3)
      .stroke('#d0d7de');
    doc.y = y + h;
  });
  doc.fillColor('#1b1f24');
  doc.y += 6;
}

export function newPage(doc: Doc, s: Pick<TableStyle, 'onNewPage'>): void {
  doc.addPage();
  doc.y = doc.page.margins.top;
  s.onNewPage?.();
}
