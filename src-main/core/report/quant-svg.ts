/**
 * Inline SVG bar charts of the quantization report (no scripts, no fonts to fetch): one bar per
 * layer with horizontal reference lines — rmse/scale with the healthy 0.289 (1/√12) line and the
 * flag threshold; range (= scale·255) with the 255 threshold. Bars over a threshold are red.
 */
import { escapeXml, fmt } from './escape.ts';
import { HEALTHY_RMSE_OVER_SCALE, type QuantizationReport } from './quant-types.ts';

const WIDTH = 860;
const HEIGHT = 220;
const LEFT = 52;
const BOTTOM = 36;
const TOP = 24;

interface Line {
  value: number;
  label: string;
  cls: string;
}

function barChart(
  title: string,
  /** Tick under each bar: the int8 op index (as in the advice and the Model view). */
  ticks: number[],
  labels: string[],
  values: number[],
  limit: number,
  lines: Line[],
  log: boolean,
): string {
  const tr = (v: number) => (log ? Math.log10(Math.max(v, 1e-6)) : v);
  const top = Math.max(...values.map(tr), ...lines.map((l) => tr(l.value)), log ? -5 : 1e-9);
  const floor = log ? Math.min(...values.map(tr), ...lines.map((l) => tr(l.value))) - 0.2 : 0;
  const span = Math.max(1e-9, top * 1.08 - floor);
  const plotH = HEIGHT - TOP - BOTTOM;
  const plotW = WIDTH - LEFT - 8;
  const y = (v: number) => TOP + plotH - ((tr(v) - floor) / span) * plotH;
  const bw = plotW / Math.max(1, values.length);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(title)}">`,
    `<text x="${LEFT}" y="14" class="title">${escapeXml(title)}${log ? ' (log scale)' : ''}</text>`,
    `<line x1="${LEFT}" y1="${TOP + plotH}" x2="${WIDTH - 8}" y2="${TOP + plotH}" class="axis"/>`,
  ];
  values.forEach((v, i) => {
    const x = LEFT + i * bw;
    const yy = y(v);
    parts.push(
      `<g><title>${escapeXml(`${labels[i]}: ${fmt(v)}`)}</title><rect x="${(x + bw * 0.12).toFixed(1)}" y="${yy.toFixed(1)}" width="${Math.max(1, bw * 0.76).toFixed(1)}" height="${Math.max(0, TOP + plotH - yy).toFixed(1)}" class="${v > limit ? 'bar over' : 'bar'}"/></g>`,
    );
    if (values.length <= 40)
      parts.push(
        `<text x="${(x + bw / 2).toFixed(1)}" y="${TOP + plotH + 12}" text-anchor="middle" class="tick">${ticks[i]}</text>`,
      );
  });
  for (const l of lines) {
    const yy = y(l.value).toFixed(1);
    parts.push(
      `<line x1="${LEFT}" y1="${yy}" x2="${WIDTH - 8}" y2="${yy}" class="${l.cls}"/>`,
      `<text x="${LEFT - 4}" y="${yy}" text-anchor="end" dy="3" class="tick">${escapeXml(l.label)}</text>`,
    );
  }
  parts.push(
    `<text x="${LEFT + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle" class="tick">op index</text></svg>`,
  );
  return parts.join('');
}

export function rmseChartSvg(r: QuantizationReport): string {
  return barChart(
    'rmse/scale per layer',
    r.layers.map((l) => l.op_index),
    r.layers.map((l) => `${l.op_index} ${l.op_name} ${l.tensor_name}`),
    r.layers.map((l) => l.rmse_over_scale),
    r.thresholds.rmseOverScale,
    [
      { value: HEALTHY_RMSE_OVER_SCALE, label: '0.289', cls: 'ref' },
      { value: r.thresholds.rmseOverScale, label: String(r.thresholds.rmseOverScale), cls: 'limit' },
    ],
    false,
  );
}

export function rangeChartSvg(r: QuantizationReport): string {
  const values = r.layers.map((l) => l.range);
  const spread = Math.max(...values) / Math.max(1e-9, Math.min(...values.filter((v) => v > 0), Infinity));
  return barChart(
    'range = scale·255 per layer',
    r.layers.map((l) => l.op_index),
    r.layers.map((l) => `${l.op_index} ${l.op_name} ${l.tensor_name}`),
    values,
    r.thresholds.range,
    [{ value: r.thresholds.range, label: String(r.thresholds.range), cls: 'limit' }],
    spread > 100,
  );
}
