/** Simulate view state: the chosen input and CPU profile, the last run's report, the selected layer. */
import type { SimulateInput, SimulateResult } from '../../../src-main/shared/api.ts';
import { api } from '../../lib/api-client.ts';

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
  seed = $state(1);
  files = $state.raw<{ name: string; bytes: Uint8Array }[]>([]);
  useFiles = $state(false);
  cpu = $state<string>('');
  /** How a uint8 .npy feeds an int8 input: pixel values through scale/zero point, or int8 bytes. */
  uint8Mode = $state<'affine' | 'bytes'>('affine');
  result = $state.raw<SimulateResult | null>(null);
  selected = $state<number | null>(null);
  running = $state(false);

  input = $derived<SimulateInput | null>(
    this.useFiles ? (this.files.length > 0 ? { files: this.files } : null) : { seed: this.seed },
  );
  selectedLayer = $derived(this.result?.layers.find((l) => l.index === this.selected) ?? null);

  async pickFiles(list: FileList): Promise<void> {
    this.files = await Promise.all(
      Array.from(list, async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
    );
    this.useFiles = this.files.length > 0;
  }

  /** Run once; errors propagate to the caller (the app's banner). */
  async run(modelId: string, onjob: (jobId: string | null) => void): Promise<void> {
    const input = this.input;
    if (!input) throw new Error('Choose input files (.npy, .bin, PNG/JPEG/BMP) or a seed first');
    const jobId = crypto.randomUUID();
    this.running = true;
    onjob(jobId);
    try {
      this.result = await api.simulate.run({
        jobId,
        modelId,
        input,
        uint8Mode: this.uint8Mode,
        ...(this.cpu ? { cpu: this.cpu } : {}),
      });
      this.selected = this.result.layers.at(-1)?.index ?? null;
    } finally {
      this.running = false;
      onjob(null);
    }
  }
}
