/**
 * Suggest: the smallest set of layers whose float32 (or int16x8) fallback brings the model-level
 * error under a target (RMSE at most X, or SNR at least D dB). Pure: the caller passes
 * `requantize`, which quantizes with a layer selection (the worker job, or the CLI's task) and
 * returns its report; this function only decides what to try.
 *
 * The rule, greedy by accumulated error, every step verified:
 * 1. Candidates are the int8 rows of the current report (for int16: only ops with an int16x8
 *    kernel), tried in order of their accumulated RMSE (full float model vs quantized model at the
 *    layer's output), largest first; ties by op index.
 * 2. The first untried candidate is added and the model re-quantized. If the model-level error (the
 *    target's metric) went down, the layer is kept and its report becomes the current one, so the
 *    ranking is redone on it; otherwise the layer is dropped and never tried again — a layer in
 *    float does not always help (its QUANTIZE after can requantize to a finer scale and the int8
 *    errors stop cancelling).
 * 3. Stop when the target is met, when every candidate has been tried ("nothing helps"), or after
 *    `maxTrials` re-quantizations.
 * 4. When the target is met, each kept layer is tried without (in the order they were added); one
 *    the target does not need is left out. Greedy is not guaranteed minimal; this makes the set
 *    smaller when an early pick was overtaken by later ones.
 */
import type { LayerErrorRow } from './layer-error.ts';
import type { LayerSelection } from './layer-select.ts';
import type { OutputMetrics } from './output-metrics.ts';
import { INT16_OP_VERSIONS } from './quantize-model.ts';

export type SuggestTarget = { rmse: number } | { snrDb: number };
export type SuggestMode = 'float' | 'int16';

/** What `requantize` must return: a report with per-layer rows and model-level metrics. */
export interface Requantized {
  report: { layers: LayerErrorRow[]; outputs: OutputMetrics };
}

export interface SuggestStep {
  /** The layer tried (its report name) and whether it was kept or dropped in the pruning pass. */
  layer: string;
  action: 'add' | 'prune';
  accepted: boolean;
  /** The target's metric after re-quantizing with this step's selection. */
  value: number;
}

export type SuggestOutcome = 'already-met' | 'met' | 'nothing-helps' | 'budget';

export interface SuggestResult<R extends Requantized> {
  outcome: SuggestOutcome;
  met: boolean;
  /** The layers to put in float32 (mode float) or int16x8 (mode int16), besides `base`. */
  layers: string[];
  /** The selection to quantize with: `base` plus `layers`. */
  selection: LayerSelection;
  metric: 'rmse' | 'snr_db';
  target: number;
  before: OutputMetrics;
  /** Metrics of `final` (the model with `selection`). */
  after: OutputMetrics;
  /** The re-quantized result for `selection` (the starting one when nothing was added). */
  final: R;
  steps: SuggestStep[];
  /** One sentence: what was chosen and whether the target is met, or why not. */
  message: string;
}

export interface SuggestRequest<R extends Requantized> {
  /** The result to start from (its report ranks the first candidates). */
  start: R;
  target: SuggestTarget;
  mode: SuggestMode;
  /** The selection `start` was quantized with (kept in every step). */
  base?: LayerSelection;
  requantize: (selection: LayerSelection) => Promise<R>;
  /** At most this many re-quantizations (default 24). */
  maxTrials?: number;
}

/** The target's metric of a report, and whether `v` meets / improves on it. */
function metricOf(t: SuggestTarget) {
  if ('rmse' in t) {
    if (!(t.rmse >= 0)) throw new Error(`Target RMSE must be a number ≥ 0 (got ${t.rmse})`);
    return {
      key: 'rmse' as const,
      target: t.rmse,
      meets: (v: number) => v <= t.rmse,
      better: (a: number, b: number) => a < b,
      show: (v: number) => `RMSE ${fmt(v)}`,
    };
  }
  if (!Number.isFinite(t.snrDb)) throw new Error(`Target SNR must be a finite number of dB (got ${t.snrDb})`);
  return {
    key: 'snr_db' as const,
    target: t.snrDb,
    meets: (v: number) => v >= t.snrDb,
    better: (a: number, b: number) => a > b,
    show: (v: number) => `SNR ${fmt(v)} dB`,
  };
}

const fmt = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v));

/** Whether a report row can be put in the mode's precision (int8 now; int16 needs a kernel). */
export function suggestable(row: LayerErrorRow, mode: SuggestMode): boolean {
  if (row.dtype !== undefined && row.dtype !== 'int8') return false;
  return mode === 'float' || row.op_name in INT16_OP_VERSIONS;
}

/** Candidates of a report, best first: accumulated RMSE descending, then op index. */
export function rankCandidates(
  layers: LayerErrorRow[],
  mode: SuggestMode,
  skip: Set<string>,
): LayerErrorRow[] {
  return layers
    .filter((l) => suggestable(l, mode) && !skip.has(l.tensor_name))
    .sort((a, b) => b.accumulated_rmse - a.accumulated_rmse || a.op_index - b.op_index);
}

function withLayers(base: LayerSelection, mode: SuggestMode, layers: string[]): LayerSelection {
  if (mode === 'float') return { ...base, keepFloat: [...(base.keepFloat ?? []), ...layers] };
  if (base.int16 === 'all') return base;
  return { ...base, int16: [...(base.int16 ?? []), ...layers] };
}

export async function suggestLayers<R extends Requantized>(
  req: SuggestRequest<R>,
): Promise<SuggestResult<R>> {
  const m = metricOf(req.target);
  const base = req.base ?? {};
  const budget = req.maxTrials ?? 24;
  const value = (r: R) => r.report.outputs[m.key];
  const before = req.start.report.outputs;
  const steps: SuggestStep[] = [];
  let current = req.start;
  let chosen: string[] = [];
  const tried = new Set<string>();
  let trials = 0;
  let outcome: SuggestOutcome = m.meets(value(current)) ? 'already-met' : 'nothing-helps';
  while (outcome !== 'already-met' && !m.meets(value(current))) {
    const next = rankCandidates(current.report.layers, req.mode, tried)[0];
    if (!next) break;
    if (trials >= budget) {
      outcome = 'budget';
      break;
    }
    tried.add(next.tensor_name);
    trials++;
    const r = await req.requantize(withLayers(base, req.mode, [...chosen, next.tensor_name]));
    const accepted = m.better(value(r), value(current));
    steps.push({ layer: next.tensor_name, action: 'add', accepted, value: value(r) });
    if (accepted) {
      chosen.push(next.tensor_name);
      current = r;
    }
  }
  if (outcome !== 'already-met' && m.meets(value(current))) {
    outcome = 'met';
    // pruning: leave out a kept layer the target does not need
    for (const layer of [...chosen]) {
      if (chosen.length < 2 || trials >= budget) break;
      trials++;
      const without = chosen.filter((l) => l !== layer);
      const r = await req.requantize(withLayers(base, req.mode, without));
      const accepted = m.meets(value(r));
      steps.push({ layer, action: 'prune', accepted, value: value(r) });
      if (accepted) {
        chosen = without;
        current = r;
      }
    }
  }
  const what = req.mode === 'float' ? 'in float32' : 'in int16x8';
  const goal = `${m.key === 'rmse' ? 'RMSE ≤' : 'SNR ≥'} ${fmt(m.target)}${m.key === 'snr_db' ? ' dB' : ''}`;
  const change = `${m.show(value(req.start))} → ${m.show(value(current))}`;
  const list = chosen.join(', ');
  const message = {
    'already-met': `The model already meets ${goal} (${m.show(value(current))}): no layer needs to change.`,
    met: `${chosen.length} layer${chosen.length === 1 ? '' : 's'} ${what} (${list}) meet${chosen.length === 1 ? 's' : ''} ${goal}: ${change}.`,
    'nothing-helps': `Adding layers ${what} one at a time does not meet ${goal}: ${
      chosen.length
        ? `the best found (${list}) gives ${change}`
        : `no layer lowered the error (${m.show(value(current))})`
    }; every candidate was tried.${
      req.mode === 'int16'
        ? ' int16x8 gains most over runs of consecutive layers (every conversion back to int8 adds its rounding): try every layer in int16.'
        : ''
    }`,
    budget: `Stopped after ${budget} re-quantizations without meeting ${goal}: ${
      chosen.length ? `best so far (${list}) gives ${change}` : `no layer lowered the error yet`
    }.`,
  }[outcome];
  return {
    outcome,
    met: outcome === 'met' || outcome === 'already-met',
    layers: chosen,
    selection: withLayers(base, req.mode, chosen),
    metric: m.key,
    target: m.target,
    before,
    after: current.report.outputs,
    final: current,
    steps,
    message,
  };
}
