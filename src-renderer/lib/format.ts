/** Number and tensor formatting shared by every view. Pure functions, no DOM. */
import { isQuietOption } from '../../src-main/core/model/quiet-options.ts';
import type { QuantizationSummary, TensorSummary } from '../../src-main/shared/summary.ts';

const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567". */
export function formatInt(n: number): string {
  return Number.isFinite(n) ? intFormat.format(n) : String(n);
}

/** 1234567 → "1.23 M": for dense table columns where the exact value is in the tooltip. */
export function formatCompact(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs < 1e3) return String(n);
  if (abs < 1e6) return `${(n / 1e3).toFixed(abs < 1e4 ? 2 : 1)} k`;
  if (abs < 1e9) return `${(n / 1e6).toFixed(abs < 1e7 ? 2 : 1)} M`;
  return `${(n / 1e9).toFixed(2)} G`;
}

/** Three significant digits, no trailing zeros; from 100 on, whole numbers: 12.345 → "12.3", 123.4 → "123". */
function sig3(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(+x.toPrecision(3));
}

/**
 * A duration given in µs with an SI prefix and 3 significant digits: 0.5 → "500 ns",
 * 12.34 → "12.3 µs", 1234.5 → "1.23 ms", 2.5e6 → "2.5 s". Thousands separators above 999 s.
 */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return String(us);
  const abs = Math.abs(us);
  if (abs === 0) return '0 µs';
  if (abs < 1) return `${sig3(us * 1e3)} ns`;
  if (abs < 1e3) return `${sig3(us)} µs`;
  if (abs < 1e6) return `${sig3(us / 1e3)} ms`;
  const s = us / 1e6;
  return abs < 1e9 ? `${sig3(s)} s` : `${formatInt(s)} s`;
}

/** A fraction as a percentage with one decimal: 0.1234 → "12.3%". */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : String(fraction);
}

/** Bytes with binary units: 82292 → "80.4 KiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
}

/** [1,96,96,1] → "1×96×96×1"; a scalar is "scalar". */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

const DTYPE_SHORT: Record<string, string> = {
  int8: 'i8',
  uint8: 'u8',
  int16: 'i16',
  uint16: 'u16',
  int32: 'i32',
  uint32: 'u32',
  int64: 'i64',
  uint64: 'u64',
  float16: 'f16',
  float32: 'f32',
  float64: 'f64',
  bfloat16: 'bf16',
  int4: 'i4',
};

export function shortDtype(dtype: string): string {
  return DTYPE_SHORT[dtype] ?? dtype;
}

/** Scales span many decades (1e-6 … 1); 4 significant digits keep columns narrow. */
export function formatScale(s: number): string {
  if (s === 0) return '0';
  const abs = Math.abs(s);
  return abs >= 1e-3 && abs < 1e4 ? Number(s.toPrecision(4)).toString() : s.toExponential(3);
}

export function isPerChannel(q: QuantizationSummary): boolean {
  return q.scale.length > 1;
}

/** "s=0.0039 zp=-128" per-tensor, "per-ch axis 0 ×8" per-channel, "" without quantization. */
export function formatQuant(q: QuantizationSummary | null): string {
  if (!q || q.scale.length === 0) return '';
  if (isPerChannel(q)) return `per-ch axis ${q.axis} ×${q.scale.length}`;
  return `s=${formatScale(q.scale[0])} zp=${q.zero_point[0] ?? 0}`;
}

/** One-line tensor description used in tables and tooltips. */
export function formatTensor(t: TensorSummary): string {
  const q = formatQuant(t.quantization);
  return `${formatShape(t.shape)} ${t.dtype}${q ? ' ' + q : ''}`;
}

/** Decoded builtin options as short "key value" pairs, merging the h/w pairs TFLite splits. */
export function formatOptions(options: Record<string, unknown>): string[] {
  const o = { ...options };
  const out: string[] = [];
  const pair = (label: string, h: string, w: string): void => {
    if (o[h] === undefined && o[w] === undefined) return;
    out.push(`${label} ${String(o[h] ?? '?')}×${String(o[w] ?? '?')}`);
    delete o[h];
    delete o[w];
  };
  pair('filter', 'filter_height', 'filter_width');
  pair('stride', 'stride_h', 'stride_w');
  pair('dilation', 'dilation_h_factor', 'dilation_w_factor');
  if (o.padding !== undefined) {
    out.push(`pad ${String(o.padding)}`);
    delete o.padding;
  }
  if (o.fused_activation_function !== undefined) {
    out.push(`act ${String(o.fused_activation_function)}`);
    delete o.fused_activation_function;
  }
  for (const [k, v] of Object.entries(o)) out.push(`${k} ${formatValue(v)}`);
  return out;
}

/** Options worth a table cell; the rest stay in the tooltip and the details panel. */
export function essentialOptions(options: Record<string, unknown>): string[] {
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (isQuietOption(k, v)) continue;
    kept[k] = v;
  }
  return formatOptions(kept);
}

/**
 * Greedy packing of option chips into lines of at most `maxChars` characters (a chip costs its
 * text plus ~2 characters of padding and gap). Lets the table know each row's height up front.
 */
export function packChips(chips: readonly string[], maxChars: number): string[][] {
  const lines: string[][] = [];
  let line: string[] = [];
  let used = 0;
  for (const c of chips) {
    const cost = c.length + 2;
    if (line.length > 0 && used + cost > maxChars) {
      lines.push(line);
      line = [];
      used = 0;
    }
    line.push(c);
    used += cost;
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/** Any JSON-ish value (options, metadata parameters) as compact text. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString();
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    const items = v.slice(0, 16).map(formatValue);
    return `[${items.join(', ')}${v.length > 16 ? `, … (${v.length})` : ''}]`;
  }
  return JSON.stringify(v);
}
