/**
 * Selective quantization in the report view: per-layer ticks (keep float / int16), Re-quantize
 * with them (a quantize job through the service, progress + cancel), the new result held beside the
 * kept one until the user keeps or discards it, and Suggest (core/quantize/suggest.ts) driving the
 * same job once per step, then ticking the layers it found; Apply shows its result as the new one.
 */
import type { LayerErrorRow, QuantizeRunArgs, QuantizeRunResult } from '../../../src-main/shared/api.ts';
import type { LayerSelection } from '../../../src-main/core/quantize/layer-select.ts';
import type { AdviceAction } from '../../../src-main/core/quantize/advice.ts';
import {
  suggestable,
  suggestLayers,
  type SuggestMode,
  type SuggestResult,
} from '../../../src-main/core/quantize/suggest.ts';
import { api, ApiCallError } from '../../lib/api-client.ts';
import { app } from '../../state/app.svelte.ts';

export type Tick = 'float' | 'int16';
/** The quantize call that made a result, without its job id (re-run with other layer lists). */
export type RunArgs = Omit<QuantizeRunArgs, 'jobId'>;

/** A report name without the twin suffix a float-I/O or mixed model gives its graph outputs. */
const bare = (name: string) => name.replace(/_(int8|int16|float32)$/, '');

export class RequantizeState {
  /** Layer (report tensor_name) → the precision ticked for the next re-quantize. */
  ticks = $state<Record<string, Tick>>({});
  /** The re-quantized result (AFTER), kept beside the current one until kept or discarded. */
  pending = $state.raw<QuantizeRunResult | null>(null);
  targetKind = $state<'snr' | 'rmse'>('snr');
  targetValue = $state(40);
  mode = $state<SuggestMode>('float');
  suggestion = $state.raw<SuggestResult<QuantizeRunResult> | null>(null);
  /** What Suggest is doing now (the layer it is trying), or ''. */
  status = $state('');
  busy = $state(false);

  tickedCount = $derived(Object.keys(this.ticks).length);

  constructor(
    /** The kept result and the call that made it (null: a report without a model to re-run). */
    private readonly current: () => { result: QuantizeRunResult; args: RunArgs } | null,
    /** Keep a result as the current one; `norm`: the normalization it was made with, when an advice changed it. */
    private readonly setCurrent: (r: QuantizeRunResult, norm?: string) => void,
  ) {}

  /** The normalization the pending result was made with, when an advice button changed it. */
  private pendingNorm: string | undefined;

  /** Ticks as the kept result was quantized (its report's precision list). */
  reset(): void {
    const cur = this.current();
    this.ticks = cur ? ticksOf(cur.result) : {};
  }

  /** Whether a layer can take a tick: int16 needs an int16x8 kernel; float any layer. */
  canTick(row: LayerErrorRow, t: Tick): boolean {
    return (
      this.ticks[row.tensor_name] === t ||
      suggestable({ ...row, dtype: 'int8' }, t === 'float' ? 'float' : 'int16')
    );
  }

  toggle(name: string, t: Tick): void {
    const next = { ...this.ticks };
    if (next[name] === t) delete next[name];
    else next[name] = t;
    this.ticks = next;
  }

  selection(ticks: Record<string, Tick> = this.ticks): LayerSelection {
    const names = (t: Tick) => Object.keys(ticks).filter((n) => ticks[n] === t);
    return { keepFloat: names('float'), int16: names('int16') };
  }

  /** One quantize job with the kept result's options, its range method and Dense weights pinned. */
  private async quantize(
    sel: LayerSelection,
    onjob: (id: string | null) => void,
    norm?: string,
  ): Promise<QuantizeRunResult> {
    const cur = this.current();
    if (!cur)
      throw new Error('Quantize first: re-quantizing needs the float model and data of a quantize run');
    const jobId = crypto.randomUUID();
    onjob(jobId);
    try {
      const r = await api.quantize.run({
        ...cur.args,
        jobId,
        method: cur.result.report.method ?? cur.args.method,
        fcPerTensor: cur.result.report.fcPerTensor ?? cur.args.fcPerTensor,
        ...(norm ? { norm } : {}),
        // the API refuses empty lists: a list is sent only when it names a layer
        ...(sel.keepFloat?.length ? { keepFloat: sel.keepFloat } : {}),
        ...(sel.int16?.length ? { int16: sel.int16 } : {}),
      });
      // Cancel clicked as the job finished: its result is dropped and a Suggest stops here
      if (app.cancelRequested(jobId))
        throw new ApiCallError({ code: 'CANCELLED', message: 'Re-quantization cancelled' });
      return r;
    } finally {
      onjob(null);
    }
  }

  async requantize(onjob: (id: string | null) => void, norm?: string): Promise<void> {
    this.busy = true;
    try {
      this.pending = await this.quantize(this.selection(), onjob, norm);
      this.pendingNorm = norm;
    } finally {
      this.busy = false;
    }
  }

  /**
   * An advice button: re-quantize with the change it names (the layer ticked int16/float on top of
   * the current ticks, or another input normalization); the result waits beside the current one.
   */
  async applyAdvice(action: AdviceAction, onjob: (id: string | null) => void): Promise<void> {
    if (action.kind === 'norm') return this.requantize(onjob, action.norm);
    const ticks = { ...this.ticks };
    for (const n of action.int16 ?? []) ticks[n] = 'int16';
    for (const n of action.keepFloat ?? []) ticks[n] = 'float';
    this.ticks = ticks;
    return this.requantize(onjob);
  }

  keep(): void {
    if (!this.pending) return;
    this.setCurrent(this.pending, this.pendingNorm);
    this.pending = null;
    this.suggestion = null;
    this.reset();
  }

  discard(): void {
    this.pending = null;
    this.reset();
  }

  async suggest(onjob: (id: string | null) => void): Promise<void> {
    const cur = this.current();
    if (!cur) throw new Error('Quantize first: Suggest re-quantizes the float model with its data');
    const v = Number(this.targetValue);
    const target = this.targetKind === 'snr' ? { snrDb: v } : { rmse: v };
    const base = this.selection(ticksOf(cur.result));
    this.busy = true;
    this.suggestion = null;
    let step = 0;
    try {
      const s = await suggestLayers({
        start: cur.result,
        target,
        mode: this.mode,
        base,
        requantize: (sel) => {
          step++;
          const tried = [...(sel.keepFloat ?? []), ...(sel.int16 === 'all' ? [] : (sel.int16 ?? []))];
          this.status = `Suggest step ${step}: ${tried.join(', ') || 'no layer'}`;
          return this.quantize(sel, onjob);
        },
      });
      this.suggestion = s;
      // tick what it proposes: the kept result's layers plus the suggested ones
      const ticks = ticksOf(cur.result);
      for (const l of s.layers) ticks[l] = this.mode;
      this.ticks = ticks;
    } finally {
      this.busy = false;
      this.status = '';
    }
  }

  /** Apply the suggestion: its re-quantized result becomes the new one (before/after shown). */
  apply(): void {
    if (this.suggestion && this.suggestion.layers.length > 0) this.pending = this.suggestion.final;
  }
}

/** The ticks a result was quantized with: its report's precision list on its layer rows. */
function ticksOf(r: QuantizeRunResult): Record<string, Tick> {
  const ticks: Record<string, Tick> = {};
  for (const p of r.report.precision ?? []) {
    const row = r.report.layers.find((l) => l.tensor_name === p.name || bare(l.tensor_name) === p.name);
    if (row) ticks[row.tensor_name] = p.precision === 'float32' ? 'float' : 'int16';
  }
  return ticks;
}
