/**
 * History view state: the session's kept results (the main side's results store), two of them
 * picked for a side-by-side comparison, and reopening one in the view it came from.
 */
import type {
  OpenedModel,
  ResultsComparison,
  ResultsList,
  StoredResult,
} from '../../../src-main/shared/api.ts';
import { api } from '../../lib/api-client.ts';
import { inputChoiceFor } from '../../lib/input-choice.svelte.ts';
import { keepForModel } from '../../lib/model-session.svelte.ts';
import { BoardsState } from '../boards/boards.svelte.ts';
import { SimulateState } from '../simulate/simulate.svelte.ts';
import { QuantizeState } from '../quantize/quantize.svelte.ts';
import type { View } from '../../state/app.svelte.ts';

export type HistoryEntry = ResultsList['entries'][number];

export const KIND_LABEL: Record<HistoryEntry['kind'], string> = {
  simulation: 'Simulation',
  profile: 'Profile',
  quantization: 'Quantization',
};

export class HistoryState {
  entries = $state.raw<HistoryEntry[]>([]);
  loading = $state(false);
  /** Picked for comparison, in pick order: [A, B]. */
  picked = $state.raw<string[]>([]);
  comparison = $state.raw<ResultsComparison | null>(null);

  mine = $derived(this.entries.filter((e) => e.forModel));
  others = $derived(this.entries.filter((e) => !e.forModel));
  /** Two picked results of compatible kinds (runs with runs, reports with reports). */
  canCompare = $derived.by(() => {
    if (this.picked.length !== 2) return false;
    const kinds = this.picked.map((id) => this.entries.find((e) => e.id === id)?.kind);
    return kinds.every((k) => k === 'quantization') || kinds.every((k) => k && k !== 'quantization');
  });

  async refresh(modelId: string): Promise<void> {
    this.loading = true;
    try {
      const list = await api.results.list({ modelId });
      this.entries = list.entries;
      // a result the store let go of can no longer be picked
      this.picked = this.picked.filter((id) => list.entries.some((e) => e.id === id));
    } finally {
      this.loading = false;
    }
  }

  /** Pick or unpick; a third pick replaces the older of the two. */
  toggle(id: string): void {
    if (this.picked.includes(id)) this.picked = this.picked.filter((p) => p !== id);
    else this.picked = [...this.picked, id].slice(-2);
  }

  swap(): void {
    this.picked = [...this.picked].reverse();
    if (this.comparison) void this.compare();
  }

  async compare(): Promise<void> {
    const [a, b] = this.picked;
    this.comparison = await api.results.compare({ a, b });
  }

  /** Show a result of the open model again in its own view; returns the view to switch to. */
  async reopen(id: string, model: OpenedModel): Promise<View> {
    const r: StoredResult = await api.results.get({ id });
    if (r.kind === 'simulation') {
      keepForModel(model, 'simulate', () => new SimulateState(inputChoiceFor(model))).show(r.simulation);
      return 'simulate';
    }
    if (r.kind === 'profile') {
      keepForModel(model, 'boards', () => new BoardsState(inputChoiceFor(model))).result = r.profile;
      return 'board';
    }
    keepForModel(model, 'quantize', () => new QuantizeState()).result = r.quantization;
    return 'quantize';
  }
}

/** "13:04:27" for today's results (a session's results are all of today, mostly). */
export function timeOf(iso: string): string {
  const d = new Date(iso);
  return d.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}
