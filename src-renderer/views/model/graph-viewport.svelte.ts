/** Pan and zoom of the graph canvas: a translate + uniform scale, kept within sane bounds. */
export class GraphViewport {
  x = $state(0);
  y = $state(0);
  scale = $state(1);

  static readonly MIN_SCALE = 0.05;
  static readonly MAX_SCALE = 4;

  transform = $derived(`translate(${this.x},${this.y}) scale(${this.scale})`);

  panBy(dx: number, dy: number): void {
    this.x += dx;
    this.y += dy;
  }

  /** Zoom by `factor` keeping the screen point (px, py) fixed. */
  zoomAt(factor: number, px: number, py: number): void {
    const next = Math.min(GraphViewport.MAX_SCALE, Math.max(GraphViewport.MIN_SCALE, this.scale * factor));
    const k = next / this.scale;
    this.x = px - (px - this.x) * k;
    this.y = py - (py - this.y) * k;
    this.scale = next;
  }

  /** Whole graph in view (never enlarged past 1.2×). */
  fit(graphWidth: number, graphHeight: number, viewWidth: number, viewHeight: number): void {
    if (graphWidth <= 0 || graphHeight <= 0 || viewWidth <= 0 || viewHeight <= 0) return;
    const s = Math.max(
      GraphViewport.MIN_SCALE,
      Math.min(1.2, viewWidth / graphWidth, viewHeight / graphHeight),
    );
    this.scale = s;
    this.x = (viewWidth - graphWidth * s) / 2;
    this.y = Math.max(0, (viewHeight - graphHeight * s) / 2);
  }

  /** Initial view: fit when text stays readable, else the top of the graph at 1:1, centred. */
  reset(graphWidth: number, graphHeight: number, viewWidth: number, viewHeight: number): void {
    this.fit(graphWidth, graphHeight, viewWidth, viewHeight);
    if (this.scale < 0.7) {
      this.scale = Math.min(1, viewWidth / graphWidth);
      this.x = Math.max(0, (viewWidth - graphWidth * this.scale) / 2);
      this.y = 0;
    }
  }

  /** Pan the least needed to bring a layout point inside the view, `margin` px from its edges. */
  reveal(px: number, py: number, viewWidth: number, viewHeight: number, margin = 60): void {
    const sx = this.x + px * this.scale;
    const sy = this.y + py * this.scale;
    const m = Math.min(margin, viewWidth / 2, viewHeight / 2);
    if (sx < m) this.x += m - sx;
    else if (sx > viewWidth - m) this.x -= sx - (viewWidth - m);
    if (sy < m) this.y += m - sy;
    else if (sy > viewHeight - m) this.y -= sy - (viewHeight - m);
  }
}
