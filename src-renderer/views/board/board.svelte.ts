/** Board view state: discovered boards, the chosen one, the input, the last profile and selection. */
import type {
  BoardProfileResult,
  DiscoveredBoard,
  ReportFormat,
  SimulateInput,
} from '../../../src-main/shared/api.ts';
import { api } from '../../lib/api-client.ts';

export class BoardState {
  boards = $state.raw<DiscoveredBoard[]>([]);
  board = $state('virtual');
  /** A port path typed by the user (ptys do not show up in OS listings). */
  typedPath = $state('');
  seed = $state(1);
  files = $state.raw<{ name: string; bytes: Uint8Array }[]>([]);
  useFiles = $state(false);
  uint8Mode = $state<'affine' | 'bytes'>('affine');
  result = $state.raw<BoardProfileResult | null>(null);
  selected = $state<number | null>(null);
  running = $state(false);

  input = $derived<SimulateInput | null>(
    this.useFiles ? (this.files.length > 0 ? { files: this.files } : null) : { seed: this.seed },
  );
  selectedLayer = $derived(this.result?.compare.layers.find((l) => l.index === this.selected) ?? null);
  selectedTensors = $derived(this.result?.tensors.find((t) => t.index === this.selected) ?? null);

  async refresh(): Promise<void> {
    const paths = this.typedPath.trim() ? [this.typedPath.trim()] : [];
    this.boards = await api.boards.list({ paths });
    if (!this.boards.some((b) => b.id === this.board)) this.board = this.boards[0]?.id ?? 'virtual';
  }

  async pickFiles(list: FileList): Promise<void> {
    this.files = await Promise.all(
      Array.from(list, async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
    );
    this.useFiles = this.files.length > 0;
  }

  /** Profile once; errors propagate to the caller (the app's banner). */
  async profile(modelId: string, onjob: (jobId: string | null) => void): Promise<void> {
    const input = this.input;
    if (!input) throw new Error('Choose input files (.npy, .bin, PNG/JPEG/BMP) or a seed first');
    const jobId = crypto.randomUUID();
    this.running = true;
    onjob(jobId);
    try {
      this.result = await api.boards.profile({
        jobId,
        board: this.board,
        modelId,
        input,
        uint8Mode: this.uint8Mode,
      });
      const c = this.result.compare;
      this.selected = c.firstDivergent ?? c.layers.at(-1)?.index ?? null;
    } finally {
      this.running = false;
      onjob(null);
    }
  }

  /** The report as a browser download (works in Electron and the web host alike). */
  async export(format: ReportFormat): Promise<string> {
    if (!this.result) throw new Error('Profile the model first');
    const r = await api.report.export({ reportId: this.result.reportId, format });
    if (!r.data) throw new Error(`The host returned no ${format} data`);
    const type = { html: 'text/html', csv: 'text/csv', json: 'application/json', pdf: 'application/pdf' }[
      format
    ];
    const url = URL.createObjectURL(new Blob([r.data as Uint8Array<ArrayBuffer>], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = r.fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return r.fileName;
  }
}
