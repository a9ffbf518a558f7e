/**
 * Self-contained HTML report of a comparison: inline CSS, the timing chart as inline SVG, no
 * scripts and a CSP that forbids fetching anything, so it opens offline and prints to PDF as is.
 */
import type { CompareResult, LayerComparison } from '../compare/types.ts';
import { escapeXml as esc, fmt } from './escape.ts';
import type { ReportMeta } from './json.ts';
import { hasCycleColumn, layerColumns, measuredHead, verdictText } from './compare-doc.ts';
import { diffExplainHtml } from './diff-html.ts';
import { timingChartSvg } from './svg-chart.ts';

const CSS = `
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:24px 0 8px}
.meta{color:#57606a}.meta td{padding:1px 12px 1px 0}
.verdict{padding:10px 14px;border-radius:6px;font-weight:600;margin:14px 0}
.verdict.ok{background:#dafbe1;color:#116329}.verdict.bad{background:#ffebe9;color:#a40e26}
.scroll{overflow-x:auto;max-width:100%}
table.layers{border-collapse:separate;border-spacing:0;width:100%}
table.layers th,table.layers td{border-bottom:1px solid #d0d7de;padding:3px 6px;text-align:right;white-space:nowrap;background:#fff}
table.layers th{background:#f6f8fa}
table.layers td.l,table.layers th.l{text-align:left}
table.layers td.nm{max-width:340px;white-space:normal;overflow-wrap:break-word}
table.layers tr>:first-child{position:sticky;left:0;z-index:1;box-shadow:1px 0 0 #d0d7de}
tr.match td.st{color:#116329}tr.mismatch td.st,tr.missing td.st{color:#a40e26;font-weight:600}
tr.first td{background:#fff1e5}tr.first{outline:2px solid #d4a72c}
.bar{display:inline-block;height:8px;background:#8250df;vertical-align:middle}
svg.chart text{font:10px system-ui,sans-serif;fill:#1b1f24}svg.chart text.bad{fill:#a40e26;font-weight:600}
svg.chart .est{fill:#9a6700}svg.chart .meas{fill:#0969da}
@media (max-width:1100px){body{margin:12px}table.layers{font-size:12px}table.layers th,table.layers td{padding:3px 4px}}
@page{size:A4 landscape;margin:10mm}
@media print{body{margin:0;font-size:10px}.scroll{overflow:visible}table.layers{font-size:9px}table.layers th,table.layers td{padding:2px 4px}table.layers tr>:first-child{position:static;box-shadow:none}tr{break-inside:avoid}thead{display:table-header-group}svg.chart{max-width:100%;height:auto}}
`;

/** A tensor name that may wrap after each '/' or ';' (TFLite scope separators), never mid-word. */
const breakable = (name: string): string => esc(name).replace(/([/;])/g, '$1<wbr>');

function layerRow(l: LayerComparison, first: number | null, hasCycles: boolean): string {
  const cls = `${l.status}${l.index === first && l.index >= 0 ? ' first' : ''}`;
  const share =
    l.share === undefined
      ? ''
      : `<span class="bar" style="width:${Math.round(l.share * 80)}px"></span> ${(l.share * 100).toFixed(1)}%`;
  return (
    `<tr class="${cls}"><td>${l.index < 0 ? 'input' : l.index}</td><td class="l">${esc(l.op)}</td><td class="l nm">${breakable(l.name)}</td>` +
    `<td class="l">${esc(l.dtype)}[${l.shape.join('×')}]</td><td class="l st">${l.status}${l.index === first && l.index >= 0 ? ' (first)' : ''}</td>` +
    `<td>${fmt(l.mismatches)}</td><td>${fmt(l.maxAbsDiffLsb)}</td><td>${fmt(l.estCycles)}</td>${hasCycles ? `<td>${fmt(l.measuredCycles)}</td>` : ''}` +
    `<td>${fmt(l.measuredUs)}</td><td class="l">${share}</td></tr>`
  );
}

/** Totals with their units and clock; an estimate on another scale is shown beside, never compared. */
function timingHtml(r: CompareResult): string {
  const t = r.timing;
  const unit = t.measuredUnit === 'host µs' ? 'host µs' : 'µs';
  const measured = `Measured ${fmt(t.totalUs)} ${unit} (${fmt(t.totalTicks)} ticks${t.totalCycles !== undefined ? `, ${fmt(t.totalCycles)} ${measuredHead(r)}` : ''}; clock: ${esc(t.clockSource ?? r.board.tickSource)})`;
  const est =
    t.estCycles === undefined
      ? ''
      : `; estimate ${fmt(t.estCycles)} ${esc(t.estUnit ?? 'cycles')}${t.estClockMHz ? ` = ${fmt(t.estCycles / t.estClockMHz)} µs` : ''} on ${esc(t.profile ?? '')}` +
        (t.comparable === false ? ` — <b class="not-comparable">${esc(t.note ?? 'not comparable')}</b>` : '');
  return `<p class="timing">${measured}${est}.</p>`;
}

/** A stream: one row per invocation, the first divergence (invocation, layer) named; the rest of
 * the report is the invocation shown (the first divergent one). */
function streamHtml(r: CompareResult): string {
  const s = r.stream;
  if (!s) return '';
  const d = s.firstDivergence;
  const rows = s.runs
    .map(
      (c) =>
        `<tr${c.invocation === r.invocation ? ' class="first"' : ''}><td>${c.invocation}</td><td class="l">${c.allMatch ? 'match' : '<b>mismatch</b>'}</td><td>${c.firstDivergent ?? ''}</td><td>${c.layers.filter((l) => l.status === 'mismatch' || l.status === 'missing').length}</td></tr>`,
    )
    .join('');
  return (
    `<h2>Stream of ${s.invocations} invocations</h2><p>State ${s.resetState ? 'reset before each invocation' : 'kept between invocations, as firmware runs'}. ` +
    (d
      ? `<b>First divergence: invocation ${d.invocation}, layer ${d.layer} (${esc(d.op)}).</b> The layers below are invocation ${r.invocation}'s.`
      : 'Every invocation matches.') +
    `</p><div class="scroll"><table class="layers" id="invocation-table"><thead><tr><th>invocation</th><th class="l">status</th><th>first divergent layer</th><th>layers differing</th></tr></thead><tbody>${rows}</tbody></table></div>\n`
  );
}

export function compareHtml(r: CompareResult, meta: ReportMeta): string {
  const first = r.firstDivergent;
  const v = verdictText(r);
  const verdict = `<div class="verdict ${v.ok ? 'ok' : 'bad'}">${esc(v.text)}</div>`;
  const b = r.board;
  // The virtual board measures host µs only: no empty cycles column.
  const hasCycles = hasCycleColumn(r);
  const outputs = r.outputs
    .map(
      (o) =>
        `<tr><td class="l">${esc(o.name)}</td><td>${o.rmse.toPrecision(4)}</td><td>${o.cosine.toFixed(6)}</td><td>${o.top1Host}</td><td>${o.top1Device}</td><td class="l">${o.top1Agree ? 'yes' : '<b>no</b>'}</td></tr>`,
    )
    .join('');
  const cal = r.calibration;
  const calHtml = cal
    ? `<h2>Cost model calibrated for this board</h2><p>Fit per op type (${esc(cal.profile)}, fitted on measured ${esc(measuredHead(r))}): ` +
      `total error ${(cal.before.totalRelError * 100).toFixed(1)}% → ${(cal.after.totalRelError * 100).toFixed(1)}%, mean per-layer error ${(cal.before.meanRelError * 100).toFixed(1)}% → ${(cal.after.meanRelError * 100).toFixed(1)}%.</p>` +
      `<div class="scroll"><table class="layers"><tr><th class="l">op</th><th>layers</th><th>fit error</th><th>base</th><th>per MAC</th><th>per output</th></tr>` +
      cal.perOp
        .map((p) => {
          const k = cal.coefficients[p.op];
          return `<tr><td class="l">${esc(p.op)}</td><td>${p.layers}</td><td>${(p.meanRelError * 100).toFixed(1)}%</td><td>${fmt(k?.base)}</td><td>${fmt(k?.perMac)}</td><td>${fmt(k?.perOut)}</td></tr>`;
        })
        .join('') +
      '</table></div>'
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.model.name)} on ${esc(b.name)} — QuantScope compare</title>
<style>${CSS}</style></head><body>
<h1>${esc(r.model.name)} on ${esc(b.name)}</h1>
<table class="meta">
<tr><td>Model</td><td>${esc(r.model.name)}, ${r.model.ops} ops, sha256 <code>${esc(r.model.sha256)}</code></td></tr>
<tr><td>Board</td><td>${esc(b.name)} (${esc(b.cpu)}${b.cpuHz ? ` @ ${fmt(b.cpuHz / 1e6)} MHz` : ''}), firmware ${esc(b.firmware)}${b.port ? `, port ${esc(b.port)}` : ''}</td></tr>
<tr><td>Ticks</td><td>${esc(b.tickSource)} at ${fmt(b.tickHz)} Hz; arena ${b.arenaUsed !== undefined ? `${fmt(b.arenaUsed)} of ` : ''}${fmt(b.arenaBytes)} B</td></tr>
<tr><td>Input</td><td>${esc(r.input)}</td></tr>
<tr><td>Generated</td><td>${esc(meta.generatedAt)} by ${esc(meta.tool)}</td></tr>
</table>
${streamHtml(r)}${verdict}
<h2>Final outputs</h2>
<div class="scroll"><table class="layers"><tr><th class="l">output</th><th>RMSE</th><th>cosine</th><th>top-1 host</th><th>top-1 device</th><th class="l">agree</th></tr>${outputs}</table></div>
<h2>Timing</h2>
${timingHtml(r)}
${timingChartSvg(r)}
${calHtml}
${diffExplainHtml(r)}<h2>Layers</h2>
<div class="scroll"><table class="layers" id="layer-table"><thead><tr>${layerColumns(r)
    .map((c) => `<th${c.align === 'left' ? ' class="l"' : ''}>${esc(c.head)}</th>`)
    .join('')}</tr></thead>
<tbody>${r.layers.map((l) => layerRow(l, first, hasCycles)).join('\n')}</tbody></table></div>
</body></html>
`;
}
