/**
 * Several boards at once, each with its own session: `id` is 'virtual', an emulated board ('qemu',
 * 'qemu-m4', …) or a port path (as listed by discovery). Sessions open on first use and stay open; a session whose link died
 * (unplugged, reset, process gone) is dropped, so the next call reconnects — plugging the board
 * back in recovers. Ports held by a session are reported busy to discovery, never probed.
 * A board that dies while held (process exit, port gone: board-watch.ts) is dropped at once, its
 * plain message kept for the list (`stopped`) and for the profile that was running; restart()
 * starts it over. Emulated boards stop after a while idle and start again on demand (idle-stop.ts).
 */
import { ProtocolError } from '../../core/protocol/errors.ts';
import type { BoardHello } from '../../core/protocol/replies.ts';
import { BoardDownError, watchBoard, type BoardWatch } from './board-watch.ts';
import { BoardDiscovery, type DiscoveredBoard, type DiscoveryOptions } from './discovery.ts';
import type { BuildProgress } from './firmware.ts';
import { IdleStop, idleStopFromEnv } from './idle-stop.ts';
import { openBoard, type OpenBoard, type OpenBoardOptions } from './open-board.ts';
import {
  profileAndCompare,
  type HostSideProvider,
  type ProfileCompareOptions,
  type ProfileCompareResult,
} from './profile-compare.ts';

export interface RegistryOptions {
  discovery?: Omit<DiscoveryOptions, 'isBusy'>;
  /** How an id becomes a session (default: open-board.ts). */
  open?: (id: string, opts?: OpenBoardOptions) => Promise<OpenBoard>;
  /** Emulated (QEMU) boards unused this long are stopped (default: QS_BOARD_IDLE_MS or a minute;
   * 0 = never). They start again on the next call. */
  idleStopMs?: number;
  /** Hears a held board die, with the plain message (board-watch.ts). */
  onDown?: (id: string, message: string) => void;
  /** Heartbeat of idle boards on ports, and the silence that reports one hung (board-watch.ts). */
  heartbeatMs?: number;
  silentMs?: number;
}

export class BoardRegistry {
  readonly discovery: BoardDiscovery;
  private readonly opening = new Map<string, Promise<OpenBoard>>();
  private readonly openFn: (id: string, opts?: OpenBoardOptions) => Promise<OpenBoard>;
  private readonly watches = new Map<string, BoardWatch>();
  /** Boards that died while held: id → the plain message (until reopened). */
  private readonly down = new Map<string, string>();
  private readonly idle: IdleStop;
  private readonly onDown: (id: string, message: string) => void;
  private readonly watchOpts: { heartbeatMs?: number; silentMs?: number };

  constructor(opts: RegistryOptions = {}) {
    this.openFn = opts.open ?? ((id, o) => openBoard(id, o));
    this.onDown = opts.onDown ?? (() => undefined);
    this.watchOpts = { heartbeatMs: opts.heartbeatMs, silentMs: opts.silentMs };
    this.idle = new IdleStop(opts.idleStopMs ?? idleStopFromEnv(), (id) => void this.stopIdle(id));
    this.discovery = new BoardDiscovery({ ...opts.discovery, isBusy: (path) => this.holdsPath(path) });
  }

  /** A path is busy only while a live session holds it: a dead one's path (a pty number the
   * system may hand out again) is free the moment the board is seen dead. */
  private holdsPath(path: string): boolean {
    return this.opening.has(path) && !this.watches.get(path)?.message;
  }

  /** Why board `id` stopped, if it died while held and has not been opened since. */
  downMessage(id: string): string | undefined {
    return this.down.get(id);
  }

  /** Every offered board; `paths` are typed paths to probe as well. */
  async list(paths: readonly string[] = []): Promise<DiscoveredBoard[]> {
    for (const p of paths) await this.discovery.addPath(p);
    const boards = await this.discovery.scan();
    return boards.map((b) => {
      // a port that answers a fresh handshake holds a live board again: its old death is history
      if (b.kind === 'serial' && b.status === 'ready') this.down.delete(b.id);
      const stopped = this.down.get(b.id);
      const held = this.opening.has(b.id) && b.kind !== 'serial' ? { ...b, status: 'busy' as const } : b;
      return stopped ? { ...held, stopped } : held;
    });
  }

  /** The open session for `id`, opening it (once, even when called concurrently). */
  async session(id: string, onBuild?: BuildProgress): Promise<OpenBoard> {
    let p = this.opening.get(id);
    if (p) {
      const ob = await p.catch(() => null);
      if (ob && ob.session.link.isOpen && !this.watches.get(id)?.message) return ob;
      if (this.opening.get(id) === p) this.forget(id);
      if (ob) await ob.close().catch(() => undefined);
    }
    const opening = this.openFn(id, onBuild ? { onBuild } : {});
    p = opening;
    this.opening.set(id, opening);
    try {
      const ob = await opening;
      if (this.opening.get(id) === opening) {
        this.down.delete(id);
        const w = watchBoard(id, ob, { ...this.watchOpts, inUse: () => this.idle.inUse(id) });
        this.watches.set(id, w);
        void w.down.then((message) => this.died(id, opening, message));
        this.idle.arm(id);
      }
      return ob;
    } catch (e) {
      if (this.opening.get(id) === opening) this.opening.delete(id);
      throw e;
    }
  }

  /** A held board died: drop its session at once (its port is free again), keep the message. */
  private async died(id: string, opening: Promise<OpenBoard>, message: string): Promise<void> {
    if (this.opening.get(id) !== opening) return;
    this.forget(id);
    this.down.set(id, message);
    this.onDown(id, message);
    const ob = await opening.catch(() => null);
    await ob?.close().catch(() => undefined);
  }

  private forget(id: string): void {
    this.opening.delete(id);
    this.watches.get(id)?.stop();
    this.watches.delete(id);
    this.idle.clear(id);
  }

  /** An emulated board unused for the idle time: stopped (not dead: no message), reopened on demand. */
  private async stopIdle(id: string): Promise<void> {
    const p = this.opening.get(id);
    const ob = await p?.catch(() => null);
    if (ob?.kind === 'qemu' && this.opening.get(id) === p) await this.close(id);
  }

  /** Stops board `id` (if held) and starts it again: a new process for a virtual or emulated
   * board, the port opened afresh for a serial one. Resolves with its handshake. */
  async restart(id: string, onBuild?: BuildProgress): Promise<BoardHello> {
    await this.close(id);
    this.idle.begin(id);
    try {
      return (await this.session(id, onBuild)).session.info;
    } finally {
      this.idle.end(id);
    }
  }

  /** Profile on board `id` (its session serializes profiles; other boards run in parallel). */
  async profile(
    id: string,
    opts: Omit<ProfileCompareOptions, 'port'>,
    provideHost?: HostSideProvider,
    onBuild?: BuildProgress,
  ): Promise<ProfileCompareResult> {
    this.idle.begin(id);
    try {
      return await this.profileHeld(id, opts, provideHost, onBuild);
    } finally {
      this.idle.end(id);
    }
  }

  private async profileHeld(
    id: string,
    opts: Omit<ProfileCompareOptions, 'port'>,
    provideHost?: HostSideProvider,
    onBuild?: BuildProgress,
  ): Promise<ProfileCompareResult> {
    const ob = await this.session(id, onBuild);
    const watch = this.watches.get(id);
    try {
      return await profileAndCompare(
        ob.session,
        // built-in boards by their id ('qemu-m4', not the kind 'qemu'): reports and exports name them
        { ...opts, port: ob.kind === 'serial' ? ob.port : id },
        provideHost,
      );
    } catch (e) {
      const linkGone = !ob.session.link.isOpen || (e instanceof ProtocolError && e.code === 'DISCONNECTED');
      // The board died under the profile: its plain message, not the link's errno (the watch
      // settles within its exit grace, well inside the 2 s a user waits).
      const why =
        linkGone && watch
          ? await Promise.race([watch.down, new Promise<null>((ok) => setTimeout(() => ok(null), 1000))])
          : null;
      // A dead link is not worth keeping: the next call reconnects (board plugged back in). Nor is
      // one whose board stopped answering (a hung board, a link stuck mid-write): kept, it would
      // fail every later profile the same way; the next call starts the board or the port afresh.
      const silent = e instanceof ProtocolError && e.code === 'TIMEOUT';
      if (linkGone || silent) await this.close(id);
      if (why) {
        this.down.set(id, why);
        throw new BoardDownError(id, why);
      }
      throw e;
    }
  }

  openIds(): string[] {
    return [...this.opening.keys()];
  }

  async close(id: string): Promise<void> {
    const p = this.opening.get(id);
    if (!p) return;
    this.forget(id);
    const ob = await p.catch(() => null);
    await ob?.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    this.discovery.stop();
    await Promise.all([...this.opening.keys()].map((id) => this.close(id)));
  }
}
