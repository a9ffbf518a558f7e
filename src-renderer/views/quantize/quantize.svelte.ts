/**
 * Quantize view state: the float model (the open one or a chosen file), the representative data
 * (uploaded as bytes so the browser host works too), options, the last result and the report
 * view's sort, thresholds and selected layer.
 */
import type {
  LayerErrorRow,
  ModelSource,
  QuantizationReport,
  QuantizeReportResult,
  QuantizeRunArgs,
  QuantizeRunResult,
} from '../../../src-main/shared/api.ts';
import { api } from '../../lib/api-client.ts';
import { RequantizeState, type RunArgs } from './requantize.svelte.ts';

export type NamedFile = { name: string; bytes: Uint8Array };
export type SortKey =
  | 'index'
  | 'op_name'
  | 'tensor_name'
  | 'num_elements'
  | 'scale'
  | 'range'
  | 'rmse_over_scale'
  | 'max_abs_error'
  | 'accumulated_rmse';
export type ExportFormat = 'csv' | 'html' | 'json';

async function readFiles(list: FileList | File[]): Promise<NamedFile[]> {
  return Promise.all(
    Array.from(list, async (f) => ({
      name: f.webkitRelativePath || f.name,
      bytes: new Uint8Array(await f.arrayBuffer()),
    })),
  );
}

export class QuantizeState {
  useCurrent = $state(true);
  modelFile = $state.raw<NamedFile | null>(null);
  data = $state.raw<NamedFile[]>([]);
  norm = $state<'model' | 'none' | 'rescale' | 'meanstd'>('model');
  rescale = $state(255);
  io = $state<'int8' | 'float32'>('int8');
  /** Dense weights per tensor, for runtimes without per-channel FULLY_CONNECTED. */
  fcPerTensor = $state(false);
  method = $state<NonNullable<QuantizeRunArgs['method']>>('auto');
  /** Inside Keras layers lowered to several ops: int16 (default) or the converter's all-int8 form. */
  loweringInterior = $state<NonNullable<QuantizeRunArgs['loweringInterior']>>('int16');
  maxSamples = $state(100);
  /** Why the max samples box cannot be sent (the host takes 1 … 100000; an emptied box binds null), or null. */
  samplesProblem = $derived.by((): string | null => {
    const n = this.maxSamples as number | null;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 100_000) return null;
    const now = n === null || Number.isNaN(n) ? 'the box is empty' : `not ${n}`;
    return `max samples must be a whole number from 1 to 100000 (${now})`;
  });
  running = $state(false);
  /** A quantize result (model bytes + report) or a report of the open int8 model (no bytes). */
  result = $state.raw<QuantizeRunResult | QuantizeReportResult | null>(null);
  /** The quantize call that made `result` (for Re-quantize and Suggest); null for a report. */
  private runArgs = $state.raw<RunArgs | null>(null);
  /** A quantize result with its call: the layers can be ticked and re-quantized. */
  canRequantize = $derived(!!this.result && 'bytes' in this.result && !!this.runArgs);
  /** Ticks, re-quantize, before/after and Suggest (the report view's selective quantization). */
  readonly req = new RequantizeState(
    () =>
      this.result && 'bytes' in this.result && this.runArgs
        ? { result: this.result, args: this.runArgs }
        : null,
    (r, norm) => {
      this.result = r;
      // a result made with another normalization (an advice button) is re-quantized with it from now on
      if (norm && this.runArgs) this.runArgs = { ...this.runArgs, norm };
    },
  );
  // report view
  rmseLimit = $state(0.7);
  rangeLimit = $state(255);
  sort = $state<{ key: SortKey; descending: boolean }>({ key: 'index', descending: false });
  selected = $state<number | null>(null);

  report = $derived<QuantizationReport | null>(this.result?.report ?? null);
  rows = $derived.by(() => {
    const r = this.report;
    if (!r) return [];
    const rows = r.layers.map((l, i) => ({ ...l, index: i, flags: this.flags(l) }));
    const { key, descending } = this.sort;
    const dir = descending ? -1 : 1;
    return rows.sort((a, b) => {
      const x = a[key];
      const y = b[key];
      return (
        (typeof x === 'string' ? x.localeCompare(String(y)) : x - (y as number)) * dir || a.index - b.index
      );
    });
  });
  flaggedCount = $derived(this.rows.filter((r) => r.flags.rmse || r.flags.range).length);
  selectedRow = $derived(this.report?.layers.find((l) => l.op_index === this.selected) ?? null);
  selectedHistogram = $derived(this.report?.histograms.find((h) => h.op_index === this.selected) ?? null);

  flags(l: LayerErrorRow): { rmse: boolean; range: boolean } {
    // the MLTK thresholds are int8 rules: int16x8 and float32 rows are not flagged (as layerFlags)
    if (l.dtype !== undefined && l.dtype !== 'int8') return { rmse: false, range: false };
    return { rmse: l.rmse_over_scale > this.rmseLimit, range: l.range > this.rangeLimit };
  }

  sortBy(key: SortKey): void {
    if (this.sort.key === key) this.sort = { key, descending: !this.sort.descending };
    else this.sort = { key, descending: !['index', 'op_name', 'tensor_name'].includes(key) };
  }

  async pickModel(list: FileList): Promise<void> {
    const [f] = await readFiles(list);
    if (f) {
      this.modelFile = f;
      this.useCurrent = false;
    }
  }

  async pickData(list: FileList): Promise<void> {
    this.data = (await readFiles(list)).sort((a, b) => a.name.localeCompare(b.name));
  }

  normSpec(): string | undefined {
    if (this.norm === 'model') return undefined;
    return this.norm === 'rescale' ? `rescale:${this.rescale}` : this.norm;
  }

  async run(currentModelId: string | null, onjob: (jobId: string | null) => void): Promise<void> {
    let model: ModelSource;
    if (this.useCurrent && currentModelId) model = { modelId: currentModelId };
    else if (this.modelFile) model = { name: this.modelFile.name, bytes: this.modelFile.bytes };
    else throw new Error('Choose a float model (.tflite, .h5 or .keras) first');
    if (this.data.length === 0)
      throw new Error('Choose representative data: images, a .npy/.npz or a .csv file');
    if (this.samplesProblem) throw new Error(this.samplesProblem);
    const jobId = crypto.randomUUID();
    const norm = this.normSpec();
    this.running = true;
    onjob(jobId);
    try {
      const args: RunArgs = {
        model,
        data: { files: this.dataFiles() },
        io: this.io,
        ...(this.fcPerTensor ? { fcPerTensor: true } : {}),
        method: this.method,
        loweringInterior: this.loweringInterior,
        maxSamples: this.maxSamples,
        thresholds: { rmseOverScale: this.rmseLimit, range: this.rangeLimit },
        ...(norm ? { norm } : {}),
      };
      this.result = await api.quantize.run({ jobId, ...args });
      this.runArgs = args;
      this.req.discard();
      this.req.suggestion = null;
      this.selectWorst();
    } finally {
      this.running = false;
      onjob(null);
    }
  }

  /** The report of the open int8 model (quantized elsewhere) against the chosen float model file. */
  async reportOnly(int8ModelId: string, onjob: (jobId: string | null) => void): Promise<void> {
    if (!this.modelFile)
      throw new Error('Choose the float model (.tflite, .h5 or .keras) the int8 model was made from');
    if (this.data.length === 0)
      throw new Error('Choose representative data: images, a .npy/.npz or a .csv file');
    if (this.samplesProblem) throw new Error(this.samplesProblem);
    const jobId = crypto.randomUUID();
    this.running = true;
    onjob(jobId);
    try {
      this.result = await api.quantize.report({
        jobId,
        int8: { modelId: int8ModelId },
        float: { name: this.modelFile.name, bytes: this.modelFile.bytes },
        data: { files: this.dataFiles() },
        maxSamples: this.maxSamples,
        thresholds: { rmseOverScale: this.rmseLimit, range: this.rangeLimit },
      });
      this.runArgs = null;
      this.req.discard();
      this.req.suggestion = null;
      this.selectWorst();
    } finally {
      this.running = false;
      onjob(null);
    }
  }

  private dataFiles(): NamedFile[] {
    return this.data.map((f) => ({ name: f.name.split('/').pop() || f.name, bytes: f.bytes }));
  }

  private selectWorst(): void {
    const worst = [...(this.result?.report.layers ?? [])].sort(
      (a, b) => b.rmse_over_scale - a.rmse_over_scale,
    )[0];
    this.selected = worst?.op_index ?? null;
  }

  /** The report as a browser download (CSV: MLTK's 12 columns; HTML; JSON). */
  async export(format: ExportFormat): Promise<string> {
    if (!this.result) throw new Error('Quantize first');
    const r = await api.quantize.export({ reportId: this.result.reportId, format });
    if (!r.data) throw new Error(`The host returned no ${format} report`);
    download(r.data, r.fileName, { html: 'text/html', csv: 'text/csv', json: 'application/json' }[format]);
    return r.fileName;
  }

  downloadModel(): void {
    if (this.result && 'bytes' in this.result)
      download(this.result.bytes, this.result.name, 'application/octet-stream');
  }
}

function download(data: Uint8Array, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
