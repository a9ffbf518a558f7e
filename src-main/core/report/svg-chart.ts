/**
 * The timing chart as inline SVG (no scripts, no fonts to fetch): one row per layer, the host
 * cost-model estimate and the measured time side by side, in µs. When the board's CPU clock is
 * unknown (the virtual board runs on the PC, far faster than any MCU profile) absolute times are
 * not comparable, so both series are drawn as each layer's share of its own total instead.
 * Rows whose output diverged are labelled in red.
 */
import type { CompareResult } from '../compare/types.ts';
import { timingBars } from './compare-doc.ts';
import { escapeXml, fmt } from './escape.ts';

const ROW = 16;
const LABEL = 190;
const WIDTH = 860;
const BAR = WIDTH - LABEL - 90;

export function timingChartSvg(r: CompareResult): string {
  const { unit, max, bars } = timingBars(r);
  const shares = unit === '%';
  const top = 28;
  const height = top + bars.length * ROW + 8;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Per-layer time: estimate vs measured">`,
    `<rect x="${LABEL}" y="6" width="10" height="8" class="est"/><text x="${LABEL + 14}" y="14">estimate${r.timing.profile ? ` (${escapeXml(r.timing.profile)})` : ''}</text>`,
    `<rect x="${LABEL + 220}" y="6" width="10" height="8" class="meas"/><text x="${LABEL + 234}" y="14">measured on ${escapeXml(r.board.name)}</text>`,
    `<text x="${WIDTH - 4}" y="14" text-anchor="end">${shares ? 'share of total, %' : `max ${fmt(max)} µs`}</text>`,
  ];
  bars.forEach((l, i) => {
    const y = top + i * ROW;
    const { bad, est: e, meas: m } = l;
    parts.push(
      `<g><title>${escapeXml(`#${l.index} ${l.op} ${l.name}: estimate ${e === undefined ? '–' : `${fmt(e)} ${unit}`}, measured ${m === undefined ? '–' : `${fmt(m)} ${unit}`}`)}</title>`,
      `<text x="${LABEL - 6}" y="${y + 11}" text-anchor="end"${bad ? ' class="bad"' : ''}>${l.index} ${escapeXml(l.op)}</text>`,
      e !== undefined
        ? `<rect x="${LABEL}" y="${y + 1}" width="${((e / max) * BAR).toFixed(1)}" height="6" class="est"/>`
        : '',
      m !== undefined
        ? `<rect x="${LABEL}" y="${y + 7}" width="${((m / max) * BAR).toFixed(1)}" height="6" class="meas"/>`
        : '',
      `<text x="${WIDTH - 4}" y="${y + 11}" text-anchor="end">${m === undefined ? '' : fmt(m)}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
