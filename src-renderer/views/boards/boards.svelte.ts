/**
 * Boards panel state: what `boards.list` offers (virtual, emulated Cortex-M3, USB dev kits, typed
 * ports), the chosen board, the profile input, and the last profile result.
 */
import { boardsAtOnce, inPool } from '../../../src-main/shared/pool.ts';
import { parseRemoteBoardUrl } from '../../../src-main/core/protocol/remote-url.ts';
import type { BoardProfileResult, DiscoveredBoard } from '../../../src-main/shared/api.ts';
import { api } from '../../lib/api-client.ts';
import { InputChoice } from '../../lib/input-choice.svelte.ts';
import { boardsMatrix, type BoardOutcome } from './many-boards.ts';
import type { CompareMatrix } from '../../../src-main/core/compare/matrix.ts';

export class BoardsState {
  boards = $state.raw<DiscoveredBoard[]>([]);
  /** A `DiscoveredBoard.id`: 'virtual', 'qemu', a port path or a remote board URL. */
  board = $state('virtual');
  /** Port paths and remote board URLs the user typed (ptys do not show up in OS listings);
   * probed on every manual refresh. */
  typedPaths = $state.raw<string[]>([]);
  /** The model's one input choice, shared with the Simulate view (inputChoiceFor). */
  readonly inputs: InputChoice;

  constructor(inputs: InputChoice = new InputChoice()) {
    this.inputs = inputs;
  }
  /** The last profile; tensors can be megabytes, so it is replaced, never mutated. */
  result = $state.raw<BoardProfileResult | null>(null);
  running = $state(false);
  /** A stream (input files holding several frames): reset the state before every frame. */
  resetState = $state(false);
  scanning = $state(false);

  chosen = $derived(this.boards.find((b) => b.id === this.board) ?? null);
  /** Every board a profile can run on now (not the candidates that did not answer). */
  usableBoards = $derived(this.boards.filter((b) => b.status !== 'not-a-board'));
  /** 'busy' is this app's own open session on the board (profiles on it are serialized). */
  usable = $derived(!!this.chosen && this.chosen.status !== 'not-a-board');

  #inFlight: Promise<void> | null = null;

  /**
   * One scan; a typed path that is not a board still shows up, with the reason. `quiet` scans
   * (hotplug polling) do not show the scanning state; overlapping calls share one scan.
   */
  refresh(quiet = false): Promise<void> {
    if (!quiet) this.scanning = true;
    this.#inFlight ??= api.boards
      // Discovery remembers typed paths; only a manual rescan probes them again.
      .list({ paths: quiet ? [] : this.typedPaths })
      .then((boards) => {
        this.boards = boards;
        if (!boards.some((b) => b.id === this.board)) this.board = boards[0]?.id ?? 'virtual';
      })
      .finally(() => {
        this.#inFlight = null;
        this.scanning = false;
      });
    return this.#inFlight;
  }

  /** Add a typed port path and scan (probes it with the handshake). */
  async addPath(path: string): Promise<void> {
    const p = path.trim();
    if (!p) throw new Error('Type a port path first, e.g. /dev/ttyACM0 or /dev/pts/3');
    if (!this.typedPaths.includes(p)) this.typedPaths = [...this.typedPaths, p];
    try {
      await this.refresh();
    } catch (e) {
      // Refused (not a serial port): forget it, or every later scan would fail the same way.
      this.typedPaths = this.typedPaths.filter((t) => t !== p);
      throw e;
    }
    const found = this.boards.find((b) => b.id === p);
    if (!found) {
      // Discovery forgets typed paths that do not exist: say so instead of showing nothing.
      this.typedPaths = this.typedPaths.filter((t) => t !== p);
      throw new Error(`${p}: no such port (check the path; a pty must still be open)`);
    }
    if (found.status !== 'not-a-board') this.board = p;
  }

  /**
   * Add a remote board by URL (rfc2217://host:port or socket://host:port, as served by ser2net)
   * and probe it; the host remembers it once it answers. A URL that is not one says why.
   */
  /** Add a remote board by URL and list it; returns its card (a board that did not answer has its error). */
  async addRemote(url: string): Promise<DiscoveredBoard | undefined> {
    const text = url.trim();
    if (!text)
      throw new Error('Type a remote board URL first, e.g. rfc2217://lab-pi:2217 or socket://lab-pi:4000');
    const id = parseRemoteBoardUrl(text).url; // the id the host lists it under
    if (!this.typedPaths.includes(id)) this.typedPaths = [...this.typedPaths, id];
    try {
      await this.refresh();
    } catch (e) {
      this.typedPaths = this.typedPaths.filter((t) => t !== id);
      throw e;
    }
    const found = this.boards.find((b) => b.id === id);
    if (found && found.status !== 'not-a-board') this.board = id;
    return found;
  }

  /** Cost-model CPU profile for the estimates ('' = the board's own CPU) and its clock in MHz
   * (null = the profile's usual clock, or the board's). */
  cpu = $state('');
  mhz = $state<number | null>(null);
  /** The `cpu` argument of boards.profile: "cortex-m7@480", or undefined for the board's CPU. */
  get cpuArg(): string | undefined {
    if (!this.cpu) return undefined;
    const mhz = this.mhz;
    return typeof mhz === 'number' && mhz > 0 ? `${this.cpu}@${mhz}` : this.cpu;
  }

  /** Profile once on the chosen board; errors propagate to the caller (the app's banner). */
  async profile(modelId: string, onjob: (jobId: string | null) => void): Promise<BoardProfileResult> {
    const input = this.inputs.require();
    const jobId = crypto.randomUUID();
    this.running = true;
    onjob(jobId);
    try {
      const r = await api.boards.profile({
        jobId,
        board: this.board,
        modelId,
        input,
        uint8Mode: this.inputs.uint8Mode,
        ...(this.resetState ? { resetState: true } : {}),
        ...(this.cpuArg ? { cpu: this.cpuArg } : {}),
      });
      this.result = r;
      return r;
    } finally {
      this.running = false;
      onjob(null);
    }
  }
}

/**
 * Profile on every usable board (a few at a time) (same model and input); one board's failure is its row in
 * the matrix, not the end of the others. Resolves with the comparison matrix.
 */
export async function profileAll(bs: BoardsState, modelId: string): Promise<CompareMatrix> {
  const input = bs.inputs.require();
  const ids = bs.usableBoards.map((b) => b.id);
  if (ids.length < 2) throw new Error('Profiling on several boards needs at least two boards');
  bs.running = true;
  try {
    const outcomes: BoardOutcome[] = await inPool(
      ids,
      boardsAtOnce(globalThis.navigator?.hardwareConcurrency ?? 2),
      async (id) => {
        const t0 = performance.now();
        try {
          const result = await api.boards.profile({
            jobId: crypto.randomUUID(),
            board: id,
            modelId,
            input,
            uint8Mode: bs.inputs.uint8Mode,
            ...(bs.cpuArg ? { cpu: bs.cpuArg } : {}),
          });
          return { id, seconds: (performance.now() - t0) / 1000, result };
        } catch (e) {
          return {
            id,
            seconds: (performance.now() - t0) / 1000,
            error: e instanceof Error ? e.message : String(e),
          };
        }
      },
    );
    if (!outcomes.some((o) => 'result' in o))
      throw new Error(outcomes.map((o) => ('error' in o ? `${o.id}: ${o.error}` : '')).join('; '));
    return boardsMatrix(outcomes);
  } finally {
    bs.running = false;
  }
}

/** "25 MHz", or "—" when the board does not know its clock (virtual board). */
export function formatClock(hz: number | undefined): string {
  if (!hz) return '—';
  return hz >= 1e6 ? `${+(hz / 1e6).toFixed(1)} MHz` : `${+(hz / 1e3).toFixed(1)} kHz`;
}
