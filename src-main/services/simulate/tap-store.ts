/**
 * The per-layer outputs of recent simulator runs, kept on the main side so the renderer can ask for
 * one layer at a time instead of receiving every tensor up front. Bounded twice: at most `maxRuns`
 * runs and `maxBytes` of tensor data; the least recently used run is evicted first (the newest run
 * is always kept, even when it alone exceeds the byte budget).
 */
import type { SimulateLayerTensor } from '../../shared/api.ts';
import { ServiceError } from '../errors.ts';

export interface TapStoreOptions {
  maxRuns?: number;
  maxBytes?: number;
}

interface StoredRun {
  model: string;
  layers: Map<number, SimulateLayerTensor>;
  bytes: number;
}

export class TapStore {
  private readonly runs = new Map<string, StoredRun>();
  private readonly maxRuns: number;
  private readonly maxBytes: number;
  private seq = 0;

  constructor(opts: TapStoreOptions = {}) {
    this.maxRuns = opts.maxRuns ?? 8;
    this.maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  }

  /** Keep a run's taps; returns its id. */
  add(model: string, taps: readonly SimulateLayerTensor[]): string {
    const id = `run-${++this.seq}`;
    // one entry per op: its first output (SPLIT / UNPACK have more; boards stream the first too)
    const layers = new Map<number, SimulateLayerTensor>();
    for (const t of taps) if (!layers.has(t.index)) layers.set(t.index, t);
    let bytes = 0;
    for (const t of taps) bytes += t.data.byteLength;
    this.runs.set(id, { model, layers, bytes });
    this.evict();
    return id;
  }

  /** A layer's output; NOT_FOUND naming what is missing (unknown or evicted run, no such layer). */
  layer(runId: string, index: number): SimulateLayerTensor {
    const run = this.runs.get(runId);
    if (!run) {
      throw new ServiceError(
        'NOT_FOUND',
        `Simulation run "${runId}" is not available (unknown, or evicted: only the last ${this.maxRuns} runs, at most ${Math.round(this.maxBytes / 2 ** 20)} MiB of layer outputs, are kept); run the model again`,
        { runId },
      );
    }
    // Refresh recency: Map iteration order is insertion order, so re-insert at the end.
    this.runs.delete(runId);
    this.runs.set(runId, run);
    const t = run.layers.get(index);
    if (!t) {
      const known = [...run.layers.keys()];
      throw new ServiceError(
        'NOT_FOUND',
        `${run.model}: run "${runId}" has no layer ${index} (layers ${known[0]}..${known.at(-1)})`,
        { runId, layer: index },
      );
    }
    return t;
  }

  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  get size(): number {
    return this.runs.size;
  }

  get totalBytes(): number {
    let n = 0;
    for (const r of this.runs.values()) n += r.bytes;
    return n;
  }

  private evict(): void {
    while (this.runs.size > 1 && (this.runs.size > this.maxRuns || this.totalBytes > this.maxBytes)) {
      const oldest = this.runs.keys().next().value as string;
      this.runs.delete(oldest);
    }
  }
}
