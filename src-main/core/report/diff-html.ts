/**
 * The "Differences explained" section of the compare HTML report: per differing layer its class
 * (compare/explain.ts) and its Δ histogram in LSB as an inline SVG bar chart (log-scaled counts,
 * the 0 bin left out so the differences show).
 */
import type { CompareResult, LayerComparison } from '../compare/types.ts';
import { deltaBars, diffClassText } from './compare-doc.ts';
import { escapeXml as esc } from './escape.ts';

function histogramSvg(l: LayerComparison): string {
  const bins = deltaBars(l);
  const w = 14;
  const h = 60;
  const bars = bins
    .map((b, i) => {
      const bh = b.count ? Math.max(2, Math.round(b.height * h)) : 0;
      return (
        `<rect x="${i * w}" y="${h - bh}" width="${w - 2}" height="${bh}" fill="#cf222e"><title>Δ ${esc(b.label)}: ${b.count}</title></rect>` +
        `<text x="${i * w + (w - 2) / 2}" y="${h + 10}" text-anchor="middle" font-size="7">${esc(b.label)}</text>`
      );
    })
    .join('');
  return `<svg class="delta-hist" role="img" aria-label="Δ histogram of layer ${l.index}" width="${bins.length * w}" height="${h + 14}" viewBox="0 0 ${bins.length * w} ${h + 14}">${bars}</svg>`;
}

export function diffExplainHtml(r: CompareResult): string {
  const rows = r.layers.filter((l) => l.diff);
  if (!rows.length) return '';
  const body = rows
    .map((l) => {
      const d = l.diff!;
      const c = diffClassText(l);
      return (
        `<tr data-class="${d.class}"><td>${l.index < 0 ? 'input' : l.index}</td><td class="l">${esc(l.op)}</td>` +
        `<td class="l"><b>${esc(c.words)}</b>${esc(c.detail)}</td>` +
        `<td>${l.mismatches} of ${l.elements}</td><td>${l.maxAbsDiffLsb}</td><td>${d.rmseLsb.toPrecision(3)}</td><td>${histogramSvg(l)}</td></tr>`
      );
    })
    .join('\n');
  return (
    `<h2>Differences explained</h2><p>Tolerance ${r.tolerance ?? 0} LSB${r.verdict ? `: ${esc(r.verdict.text)}` : ''}.</p>` +
    `<div class="scroll"><table class="layers" id="diff-table"><thead><tr><th>#</th><th class="l">op</th><th class="l">class</th><th>differing</th><th>max |Δ|</th><th>rmse/scale</th><th class="l">Δ (LSB) histogram</th></tr></thead><tbody>${body}</tbody></table></div>\n`
  );
}
