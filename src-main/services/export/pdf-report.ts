/**
 * The comparison report as a PDF, written with pdfkit: no browser, nothing but npm packages, so
 * the CLI and the web host print on Windows, macOS and Linux alike. A4 landscape; the same
 * sections and columns as the HTML report (core/report/compare-doc.ts); the timing chart and the
 * Δ histograms are vector drawings; "page i of n" on every page.
 *
 * Why pdfkit: maintained (releases through 2026), MIT, pure JavaScript, embeds a subset of a
 * TrueType/WOFF font with a ToUnicode map (text in the PDF can be searched and copied: Δ, µ, ×
 * come out as typed) and draws vector paths. jsPDF needs a base64 font file registered per run,
 * pdf-lib has had no release since 2021. The font is DejaVu Sans (@fontsource/dejavu-sans, OFL):
 * Latin, Greek, arrows and box symbols in one file; a character it lacks is printed as '?'.
 */
import type { CompareResult } from '../../core/compare/types.ts';
import {
  deltaBars,
  diffClassText,
  hasCycleColumn,
  layerCells,
  layerColumns,
  timingBars,
  timingText,
  verdictText,
} from '../../core/report/compare-doc.ts';
import { fmt } from '../../core/report/escape.ts';
import type { ReportMeta } from '../../core/report/json.ts';
import { loadFonts, loadPdfKit } from './pdf-fonts.ts';
import { drawTable, newPage, type PdfColumn, type PdfRow, type TableStyle } from './pdf-table.ts';

type Doc = PDFKit.PDFDocument;

const MARGIN = 36;
const FOOTER = 18;
const INK = '#1b1f24';
const MUTED = '#57606a';
const EST = '#9a6700';
const MEAS = '#0969da';
const BAD = '#a40e26';

/** The comparison report as PDF bytes. */
export async function compareReportPdf(r: CompareResult, meta: ReportMeta): Promise<Uint8Array> {
  const [PDFDocument, f] = await Promise.all([loadPdfKit(), loadFonts()]);
  // Characters the font lacks would print as empty boxes and extract as NULs.
  const t = (s: string): string =>
    Array.from(s.replace(/[\u0000-\u001f\u007f]/g, ' '), (c) => (f.has(c.codePointAt(0)!) ? c : '?')).join(
      '',
    );
  const title = `${r.model.name} on ${r.board.name}`;
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: t(`${title} — QuantScope compare`),
      Creator: t(meta.tool),
      // a report time that is not a date (hand-made meta) leaves the field out rather than failing
      ...(Number.isFinite(Date.parse(meta.generatedAt)) ? { CreationDate: new Date(meta.generatedAt) } : {}),
    },
  });
  const chunks: Uint8Array[] = [];
  doc.on('data', (c: Uint8Array) => chunks.push(c));
  const done = new Promise<void>((ok, fail) => {
    doc.on('end', ok);
    doc.on('error', fail);
  });
  doc.registerFont('R', f.regular as Buffer);
  doc.registerFont('B', f.bold as Buffer);
  const width = doc.page.width - 2 * MARGIN;
  const bottom = doc.page.height - MARGIN - FOOTER;
  const style: TableStyle = { regular: 'R', bold: 'B', fontSize: 7.5, bottom };

  const ensure = (h: number) => {
    if (doc.y + h > bottom) newPage(doc, style);
  };
  const heading = (s: string) => {
    ensure(40);
    doc.y += 6;
    doc.font('B').fontSize(12).fillColor(INK).text(t(s), MARGIN, doc.y, { width });
    doc.y += 3;
  };
  const para = (s: string, color = INK) => {
    doc.font('R').fontSize(8.5);
    ensure(doc.heightOfString(t(s), { width }));
    doc.fillColor(color).text(t(s), MARGIN, doc.y, { width });
    doc.fillColor(INK);
    doc.y += 4;
  };
  const table = (cols: PdfColumn[], rows: PdfRow[], draw?: TableStyle['drawFigure']) =>
    drawTable(
      doc,
      { ...style, drawFigure: draw },
      cols,
      rows.map((row) => ({ ...row, cells: row.cells.map(t) })),
    );
  const L = 'left' as const;
  const R = 'right' as const;

  // Title and facts
  doc.font('B').fontSize(16).fillColor(INK).text(t(title), MARGIN, MARGIN, { width });
  doc.y += 4;
  const b = r.board;
  const facts: [string, string][] = [
    ['Model', `${r.model.name}, ${r.model.ops} ops, sha256 ${r.model.sha256}`],
    [
      'Board',
      `${b.name} (${b.cpu}${b.cpuHz ? ` @ ${fmt(b.cpuHz / 1e6)} MHz` : ''}), firmware ${b.firmware}${b.port ? `, port ${b.port}` : ''}`,
    ],
    [
      'Ticks',
      `${b.tickSource} at ${fmt(b.tickHz)} Hz; arena ${b.arenaUsed !== undefined ? `${fmt(b.arenaUsed)} of ` : ''}${fmt(b.arenaBytes)} B`,
    ],
    ['Input', r.input],
    ['Generated', `${meta.generatedAt} by ${meta.tool}`],
  ];
  for (const [k, v] of facts) {
    const y = doc.y;
    doc.font('R').fontSize(8.5).fillColor(MUTED).text(k, MARGIN, y, { width: 60 });
    doc.fillColor(INK).text(t(v), MARGIN + 64, y, { width: width - 64 });
  }
  doc.y += 6;

  // Stream of invocations
  const s = r.stream;
  if (s) {
    heading(`Stream of ${s.invocations} invocations`);
    const d = s.firstDivergence;
    para(
      `State ${s.resetState ? 'reset before each invocation' : 'kept between invocations, as firmware runs'}. ` +
        (d
          ? `First divergence: invocation ${d.invocation}, layer ${d.layer} (${d.op}). The layers below are invocation ${r.invocation}'s.`
          : 'Every invocation matches.'),
    );
    table(
      [
        { head: 'invocation', align: R },
        { head: 'status', align: L },
        { head: 'first divergent layer', align: R },
        { head: 'layers differing', align: R },
      ],
      s.runs.map((c) => ({
        cells: [
          String(c.invocation),
          c.allMatch ? 'match' : 'mismatch',
          c.firstDivergent === null ? '' : String(c.firstDivergent),
          String(c.layers.filter((l) => l.status === 'mismatch' || l.status === 'missing').length),
        ],
        bad: !c.allMatch,
        first: c.invocation === r.invocation,
      })),
    );
  }

  // Verdict
  const v = verdictText(r);
  doc.font('B').fontSize(10);
  const vh = doc.heightOfString(t(v.text), { width: width - 20 }) + 14;
  ensure(vh + 8);
  doc.roundedRect(MARGIN, doc.y, width, vh, 4).fill(v.ok ? '#dafbe1' : '#ffebe9');
  doc.fillColor(v.ok ? '#116329' : BAD).text(t(v.text), MARGIN + 10, doc.y + 7, { width: width - 20 });
  doc.fillColor(INK);
  doc.y += 10;

  heading('Final outputs');
  table(
    [
      { head: 'output', align: L, wrap: true },
      { head: 'RMSE', align: R },
      { head: 'cosine', align: R },
      { head: 'top-1 host', align: R },
      { head: 'top-1 device', align: R },
      { head: 'agree', align: L },
    ],
    r.outputs.map((o) => ({
      cells: [
        o.name,
        o.rmse.toPrecision(4),
        o.cosine.toFixed(6),
        String(o.top1Host),
        String(o.top1Device),
        o.top1Agree ? 'yes' : 'no',
      ],
      bad: !o.top1Agree,
    })),
  );

  heading('Timing');
  para(timingText(r));
  timingChart(doc, r, t, ensure, width);

  const cal = r.calibration;
  if (cal) {
    heading('Cost model calibrated for this board');
    const pc = (x: number) => `${(x * 100).toFixed(1)}%`;
    para(
      `Fit per op type (${cal.profile}): total error ${pc(cal.before.totalRelError)} → ${pc(cal.after.totalRelError)}, ` +
        `mean per-layer error ${pc(cal.before.meanRelError)} → ${pc(cal.after.meanRelError)}.`,
    );
    table(
      [
        { head: 'op', align: L },
        { head: 'layers', align: R },
        { head: 'fit error', align: R },
        { head: 'base', align: R },
        { head: 'per MAC', align: R },
        { head: 'per output', align: R },
      ],
      cal.perOp.map((p) => {
        const k = cal.coefficients[p.op];
        return {
          cells: [p.op, String(p.layers), pc(p.meanRelError), fmt(k?.base), fmt(k?.perMac), fmt(k?.perOut)],
        };
      }),
    );
  }

  const diffs = r.layers.filter((l) => l.diff);
  if (diffs.length) {
    heading('Differences explained');
    para(`Tolerance ${r.tolerance ?? 0} LSB${r.verdict ? `: ${r.verdict.text}` : ''}.`);
    const bars = diffs.map(deltaBars);
    const HIST_W = 220;
    table(
      [
        { head: '#', align: R },
        { head: 'op', align: L },
        { head: 'class', align: L, wrap: true },
        { head: 'differing', align: R },
        { head: 'max |Δ|', align: R },
        { head: 'rmse/scale', align: R },
        { head: 'Δ (LSB) histogram', align: L, figure: { width: HIST_W, height: 34 } },
      ],
      diffs.map((l) => {
        const c = diffClassText(l);
        return {
          cells: [
            l.index < 0 ? 'input' : String(l.index),
            l.op,
            `${c.words}${c.detail}`,
            `${l.mismatches} of ${l.elements}`,
            String(l.maxAbsDiffLsb),
            l.diff!.rmseLsb.toPrecision(3),
            '',
          ],
        };
      }),
      (row, _col, x, y, w, h) => {
        const bins = bars[row];
        const bw = Math.min(14, w / Math.max(1, bins.length));
        const hh = h - 8;
        bins.forEach((bin, i) => {
          if (!bin.count) return;
          const bh = Math.max(1.5, bin.height * hh);
          doc.rect(x + i * bw, y + hh - bh, bw - 1.5, bh).fill('#cf222e');
          // only the bins that hold differences are labelled: all of them would overlap
          const label = t(bin.label);
          doc.font('R').fontSize(5).fillColor(INK);
          const lw = doc.widthOfString(label);
          doc.text(label, x + i * bw + (bw - 1.5) / 2 - lw / 2, y + hh + 1.5, { lineBreak: false });
        });
      },
    );
  }

  heading('Layers');
  const hasCycles = hasCycleColumn(r);
  table(
    layerColumns(r),
    r.layers.map((l) => ({
      cells: layerCells(l, r.firstDivergent, hasCycles),
      bad: l.status === 'mismatch' || l.status === 'missing',
      first: l.index === r.firstDivergent && l.index >= 0,
    })),
  );

  // Page numbers, written once every page exists
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0; // the footer sits below the content area: no page break for it
    const y = doc.page.height - MARGIN - 8;
    doc.font('R').fontSize(7.5).fillColor(MUTED);
    doc.text(t(`QuantScope compare — ${title}`), MARGIN, y, { width: width - 90, lineBreak: false });
    doc.text(`Page ${i + 1} of ${range.count}`, MARGIN + width - 90, y, {
      width: 90,
      align: 'right',
      lineBreak: false,
    });
  }
  doc.end();
  await done;
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) out.set(c, (o += c.length) - c.length);
  return out;
}

/** Estimate vs measured per layer as horizontal bars (the HTML report's chart, drawn). */
function timingChart(
  doc: Doc,
  r: CompareResult,
  t: (s: string) => string,
  ensure: (h: number) => void,
  width: number,
): void {
  const { unit, max, bars } = timingBars(r);
  const ROW = 10;
  const LABEL = 170;
  const VALUE = 60;
  const BAR = width - LABEL - VALUE - 8;
  const legend = () => {
    const y = doc.y;
    doc.rect(MARGIN + LABEL, y + 1, 8, 6).fill(EST);
    doc.font('R').fontSize(7).fillColor(INK);
    doc.text(t(`estimate${r.timing.profile ? ` (${r.timing.profile})` : ''}`), MARGIN + LABEL + 11, y, {
      lineBreak: false,
    });
    doc.rect(MARGIN + LABEL + 200, y + 1, 8, 6).fill(MEAS);
    doc.fillColor(INK).text(t(`measured on ${r.board.name}`), MARGIN + LABEL + 211, y, { lineBreak: false });
    doc.text(unit === '%' ? 'share of total, %' : `max ${fmt(max)} µs`, MARGIN, y, {
      width,
      align: 'right',
      lineBreak: false,
    });
    doc.y = y + 12;
  };
  ensure(12 + ROW * Math.min(bars.length, 3));
  legend();
  for (const l of bars) {
    if (doc.y + ROW > doc.page.height - MARGIN - FOOTER) {
      newPage(doc, {});
      legend();
    }
    const y = doc.y;
    doc
      .font('R')
      .fontSize(6.5)
      .fillColor(l.bad ? BAD : INK);
    doc.text(t(`${l.index} ${l.op}`), MARGIN, y + 1, { width: LABEL - 6, align: 'right', lineBreak: false });
    if (l.est !== undefined)
      doc.rect(MARGIN + LABEL, y + 0.5, Math.max(0.3, (l.est / max) * BAR), 4).fill(EST);
    if (l.meas !== undefined)
      doc.rect(MARGIN + LABEL, y + 4.5, Math.max(0.3, (l.meas / max) * BAR), 4).fill(MEAS);
    doc.fillColor(INK).text(l.meas === undefined ? '' : fmt(l.meas), MARGIN + width - VALUE, y + 1, {
      width: VALUE,
      align: 'right',
      lineBreak: false,
    });
    doc.y = y + ROW;
  }
  doc.y += 6;
}
