/**
 * Pan and zoom of the graph canvas: a translate + uniform scale, kept within sane bounds. Once the
 * graph and view sizes are known (`setBounds`), every pan and zoom is clamped so part of the graph
 * always stays on screen: the wheel can never lose it.
 */
export class GraphViewport {
  x = $state(0);
  y = $state(0);
  scale = $state(1);
  private bounds: { gw: number; gh: number; vw: number; vh: number } | null = null;

  static readonly MIN_SCALE = 0.05;
  static readonly MAX_SCALE = 4;

  transform = $derived(`translate(${this.x},${this.y}) scale(${this.scale})`);

  setBounds(graphWidth: number, graphHeight: number, viewWidth: number, viewHeight: number): void {
    this.bounds = { gw: graphWidth, gh: graphHeight, vw: viewWidth, vh: viewHeight };
    this.clamp();
  }

  /**
   * Per axis, keep the graph covering at least half the view (all of the graph when it is smaller
   * than that): a layout box edge can be empty space, so a thin sliver would not be enough.
   */
  private clamp(): void {
    if (!this.bounds) return;
    const { gw, gh, vw, vh } = this.bounds;
    const axis = (pos: number, graph: number, view: number): number => {
      const size = graph * this.scale;
      const keep = Math.min(size, view / 2);
      return Math.min(view - keep, Math.max(keep - size, pos));
    };
    this.x = axis(this.x, gw, vw);
    this.y = axis(this.y, gh, vh);
  }

  panBy(dx: number, dy: number): void {
    this.x += dx;
    this.y += dy;
    this.clamp();
  }

  /** Put the layout point (px, py) at the centre of the view. */
  centreOn(px: number, py: number, viewWidth: number, viewHeight: number): void {
    this.x = viewWidth / 2 - px * this.scale;
    this.y = viewHeight / 2 - py * this.scale;
    this.clamp();
  }

  /** Zoom by `factor` keeping the screen point (px, py) fixed. */
  zoomAt(factor: number, px: number, py: number): void {
    const next = Math.min(GraphViewport.MAX_SCALE, Math.max(GraphViewport.MIN_SCALE, this.scale * factor));
    const k = next / this.scale;
    this.x = px - (px - this.x) * k;
    this.y = py - (py - this.y) * k;
    this.scale = next;
    this.clamp();
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
    this.clamp();
  }
}
