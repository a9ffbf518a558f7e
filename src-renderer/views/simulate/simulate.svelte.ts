/** Simulate view state: the chosen input and CPU profile, the last run's report, the selected layer. */
import type { SimulateLayerTensor, SimulateResult } from '../../../src-main/shared/api.ts';
import { api } from '../../lib/api-client.ts';
import { InputChoice } from '../../lib/input-choice.svelte.ts';

export type SimulatedLayer = SimulateResult['layers'][number];
export type SimulatedOutput = SimulateResult['outputs'][number];

/** Cost-model profiles the simulator knows (`cpu` argument; `name@MHz` sets the clock). */
export const CPU_PROFILES = [
  'cortex-m0plus',
  'cortex-m3',
  'cortex-m4',
  'cortex-m7',
  'cortex-m33',
  'cortex-m55',
] as const;

export class SimulateState {
  /** The model's one input choice, shared with the Board view (inputChoiceFor). */
  readonly inputs: InputChoice;

  constructor(inputs: InputChoice = new InputChoice()) {
    this.inputs = inputs;
  }
  cpu = $state<string>('');
  result = $state.raw<SimulateResult | null>(null);
  selected = $state<number | null>(null);
  running = $state(false);
  /** The selected layer's output tensor, fetched on demand with `simulate.layer`. */
  tensor = $state.raw<SimulateLayerTensor | null>(null);
  tensorError = $state<string | null>(null);
  /** Recently fetched layers of the current run (bounded: re-selecting is instant, memory stays small). */
  private fetched = new Map<number, SimulateLayerTensor>();

  selectedLayer = $derived(this.result?.layers.find((l) => l.index === this.selected) ?? null);

  /** Run once; errors propagate to the caller (the app's banner). */
  async run(modelId: string, onjob: (jobId: string | null) => void): Promise<void> {
    const input = this.inputs.require();
    const jobId = crypto.randomUUID();
    this.running = true;
    onjob(jobId);
    try {
      this.result = await api.simulate.run({
        jobId,
        modelId,
        input,
        uint8Mode: this.inputs.uint8Mode,
        ...(this.cpu ? { cpu: this.cpu } : {}),
      });
      this.fetched.clear();
      await this.select(this.result.layers.at(-1)?.index ?? null);
    } finally {
      this.running = false;
      onjob(null);
    }
  }

  /** Show a kept result again (reopened from the History): its layers fetched from the session's results. */
  show(result: SimulateResult): void {
    this.result = result;
    this.fetched.clear();
    void this.select(result.layers.at(-1)?.index ?? null);
  }

  /** Select a layer and fetch its output tensor (for the feature maps). */
  async select(index: number | null): Promise<void> {
    this.selected = index;
    this.tensorError = null;
    const runId = this.result?.runId;
    const hit = index === null ? undefined : this.fetched.get(index);
    this.tensor = hit ?? null;
    if (index === null || !runId || hit) return;
    try {
      const t = await api.simulate.layer({ runId, layer: index });
      if (this.fetched.size >= 16) this.fetched.delete(this.fetched.keys().next().value as number);
      this.fetched.set(index, t);
      if (this.selected === index && this.result?.runId === runId) this.tensor = t;
    } catch (e) {
      if (this.selected === index) this.tensorError = e instanceof Error ? e.message : String(e);
    }
  }
}
