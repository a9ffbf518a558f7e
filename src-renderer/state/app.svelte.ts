/**
 * App-wide UI state: the opened model, the selection, the error banner, the side panel's file
 * lists and the running job. Components read it and call its methods; only this class talks to
 * the API for opening models.
 */
import {
  api,
  ApiCallError,
  type AppInfo,
  type ExampleModel,
  type OpenModelArgs,
  type OpenedModel,
  type RecentModel,
} from '../lib/api-client.ts';

export interface BannerError {
  /** Contract error code (MALFORMED_MODEL, IO, ...) or 'CLIENT' for renderer-side failures. */
  code: string;
  message: string;
  /** What the user was doing, e.g. `Opening broken.tflite`. */
  context: string;
}

export interface JobState {
  id: string | null;
  label: string;
  /** 0..1, or null while the fraction is unknown (indeterminate bar). */
  fraction: number | null;
  message: string;
  /** Cancel was asked for: the bar says so until the job ends (a board may finish its run first). */
  cancelling?: boolean;
}

export type ModelTab = 'layers' | 'graph';
export type View = 'model' | 'simulate' | 'board' | 'quantize' | 'history';

/** Models bigger than this are refused in the renderer before their bytes cross the wire. */
const MAX_MODEL_BYTES = 512 * 1024 * 1024;

export class AppState {
  info = $state.raw<AppInfo | null>(null);
  /** The opened model; its summary can be large, so it is replaced, never mutated. */
  model = $state.raw<OpenedModel | null>(null);
  selectedLayer = $state<number | null>(null);
  view = $state<View>('model');
  modelTab = $state<ModelTab>('layers');
  error = $state<BannerError | null>(null);
  job = $state<JobState | null>(null);
  recent = $state.raw<RecentModel[]>([]);
  /** The file panel on the left; starts hidden on narrow windows so the layer table fits. */
  sidePanelOpen = $state(typeof window === 'undefined' || window.innerWidth >= 1400);
  examples = $state.raw<ExampleModel[]>([]);

  isElectron = $derived(this.info?.host === 'electron');
  selected = $derived(this.model?.summary.layers.find((l) => l.index === this.selectedLayer) ?? null);

  /** Load host info and the file lists; open the start-up model if the host names one. */
  async start(): Promise<void> {
    try {
      this.info = await api.app.info();
    } catch (e) {
      this.fail('Connecting to the QuantScope host', e);
      return;
    }
    void this.refreshLists();
    api.on('job.progress', (p) => {
      if (this.job && this.job.id === p.id && !this.job.cancelling)
        this.job = { ...this.job, fraction: p.fraction, message: p.message };
    });
    if (this.info.startupModel) await this.open({ path: this.info.startupModel });
  }

  /** A long call (simulate, ...) started (id) or ended (null); progress events update the bar. */
  trackJob(id: string | null, label: string): void {
    // A new action starts: a banner from an earlier one is stale.
    if (id !== null) this.error = null;
    this.job = id === null ? null : { id, label, fraction: 0, message: '' };
  }

  /** Jobs the user asked to cancel (the last few): a job whose result arrives anyway — it
   * finished as Cancel was clicked — is dropped by a caller that runs several jobs in a row
   * (Suggest), which would otherwise go on to the next one. */
  private readonly cancelAsked: string[] = [];

  cancelRequested(id: string): boolean {
    return this.cancelAsked.includes(id);
  }

  async cancelJob(): Promise<void> {
    const job = this.job;
    if (!job?.id || job.cancelling) return;
    this.cancelAsked.push(job.id);
    if (this.cancelAsked.length > 16) this.cancelAsked.shift();
    // Said at once: a board stops only after its current run, which can take many seconds.
    this.job = { ...job, cancelling: true, message: 'Cancelling… (the current step finishes first)' };
    try {
      await api.jobs.cancel({ id: job.id });
    } catch (e) {
      if (this.job?.id === job.id) this.job = { ...this.job, cancelling: false };
      this.fail('Cancelling the job', e);
    }
  }

  async refreshLists(): Promise<void> {
    try {
      const [recent, examples] = await Promise.all([api.model.recent(), api.model.examples()]);
      this.recent = recent;
      this.examples = examples;
    } catch (e) {
      this.fail('Loading recent files', e);
    }
  }

  /** Open by path (examples, recent files) or by bytes (file input, drag and drop). */
  async open(args: OpenModelArgs): Promise<void> {
    const name = 'path' in args ? baseName(args.path) : args.name;
    await this.run(`Opening ${name}`, () => api.model.open(args));
  }

  /** Electron: the native dialog. The browser uses a file input instead (see OpenButton). */
  async openDialog(): Promise<void> {
    await this.run('Opening a model', () => api.model.openDialog());
  }

  async openFile(file: File): Promise<void> {
    if (file.size > MAX_MODEL_BYTES) {
      this.fail(
        `Opening ${file.name}`,
        new Error(`${file.name} is ${file.size} bytes; the limit is ${MAX_MODEL_BYTES}`),
      );
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    await this.open({ name: file.name, bytes });
  }

  async closeModel(): Promise<void> {
    const m = this.model;
    if (!m) return;
    this.model = null;
    this.selectedLayer = null;
    try {
      await api.model.close({ id: m.id });
    } catch {
      // Forgetting a model is best effort: the host frees it at exit anyway.
    }
  }

  select(index: number | null): void {
    this.selectedLayer = index;
  }

  dismissError(): void {
    this.error = null;
  }

  fail(context: string, e: unknown): void {
    if (e instanceof ApiCallError && e.code === 'CANCELLED') return; // the user asked for it
    const code = e instanceof ApiCallError ? e.code : 'CLIENT';
    const message = e instanceof Error ? e.message : String(e);
    this.error = { code, message, context };
  }

  /** Opens can overlap (start-up model, a click, a drop): only the latest one may replace the model. */
  #openSeq = 0;

  private async run(label: string, action: () => Promise<OpenedModel | null>): Promise<void> {
    const seq = ++this.#openSeq;
    const errorBefore = this.error;
    this.job = { id: null, label, fraction: null, message: '' };
    try {
      const opened = await action();
      if (!opened) return; // dialog cancelled
      if (seq !== this.#openSeq) {
        void api.model.close({ id: opened.id }).catch(() => false); // superseded by a later open
        return;
      }
      const previous = this.model;
      this.model = opened;
      this.selectedLayer = null;
      // A success clears the banner only if it still shows an error from before this open.
      if (this.error === errorBefore) this.error = null;
      this.view = 'model';
      if (previous && previous.id !== opened.id) void api.model.close({ id: previous.id }).catch(() => false);
      void this.refreshLists();
    } catch (e) {
      this.fail(label, e);
    } finally {
      if (seq === this.#openSeq) this.job = null;
    }
  }
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

export const app = new AppState();
