/**
 * Numbers behind the feature-map grid: one colour range for the whole layer (so equal brightness
 * means an equal value in every channel), the real value of a quantized element, which element the
 * pointer is over, and the CSS gradient of the colour scale for the legend.
 */
import { colormap } from '../../lib/heatmap.ts';

export interface MapGeometry {
  h: number;
  w: number;
  c: number;
}

/** min..max over every element (a constant tensor gets a unit span so the colours stay defined). */
export function layerRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi >= lo)) return [0, 1];
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/** Real value of a quantized element: scale · (q − zero point). */
export function realValue(q: number, quant: { scale: number; zeroPoint: number } | undefined): number | null {
  return quant ? quant.scale * (q - quant.zeroPoint) : null;
}

/** The (y, x) cell under a pointer at (px, py) inside a box of the given size showing an h × w map. */
export function cellAt(
  px: number,
  py: number,
  box: { width: number; height: number },
  g: MapGeometry,
): { y: number; x: number } {
  const x = Math.min(g.w - 1, Math.max(0, Math.floor((px / Math.max(1, box.width)) * g.w)));
  const y = Math.min(g.h - 1, Math.max(0, Math.floor((py / Math.max(1, box.height)) * g.h)));
  return { y, x };
}

/** NHWC element index of (y, x, c). */
export function elementIndex(g: MapGeometry, y: number, x: number, c: number): number {
  return (y * g.w + x) * g.c + c;
}

/** `linear-gradient(...)` sampling the heatmap colour map, for the legend bar. */
export function legendGradient(steps = 8): string {
  const stops: string[] = [];
  for (let i = 0; i <= steps; i++) {
    const [r, g, b] = colormap(i / steps).map(Math.round);
    stops.push(`rgb(${r} ${g} ${b}) ${((i / steps) * 100).toFixed(1)}%`);
  }
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** Display width of one small map: wide maps stay near 1:1, tiny ones (3×3) are scaled up. */
export function thumbWidth(g: MapGeometry): number {
  return Math.max(40, Math.min(72, g.w));
}
