/**
 * Several boards at once, each with its own session: `id` is 'virtual', an emulated board ('qemu',
 * 'qemu-m4', …) or a port path (as listed by discovery). Sessions open on first use and stay open; a session whose link died
 * (unplugged, reset, process gone) is dropped, so the next call reconnects — plugging the board
 * back in recovers. Ports held by a session are reported busy to discovery, never probed.
 */
import { ProtocolError } from '../../core/protocol/errors.ts';
import { BoardDiscovery, type DiscoveredBoard, type DiscoveryOptions } from './discovery.ts';
import { openBoard, type OpenBoard } from './open-board.ts';
import {
  profileAndCompare,
  type HostSideProvider,
  type ProfileCompareOptions,
  type ProfileCompareResult,
} from './profile-compare.ts';

export interface RegistryOptions {
  discovery?: Omit<DiscoveryOptions, 'isBusy'>;
  /** How an id becomes a session (default: open-board.ts). */
  open?: (id: string) => Promise<OpenBoard>;
}

export class BoardRegistry {
  readonly discovery: BoardDiscovery;
  private readonly opening = new Map<string, Promise<OpenBoard>>();
  private readonly openFn: (id: string) => Promise<OpenBoard>;

  constructor(opts: RegistryOptions = {}) {
    this.openFn = opts.open ?? ((id) => openBoard(id));
    this.discovery = new BoardDiscovery({ ...opts.discovery, isBusy: (path) => this.holdsPath(path) });
  }

  private holdsPath(path: string): boolean {
    return this.opening.has(path);
  }

  /** Every offered board; `paths` are typed paths to probe as well. */
  async list(paths: readonly string[] = []): Promise<DiscoveredBoard[]> {
    for (const p of paths) await this.discovery.addPath(p);
    const boards = await this.discovery.scan();
    return boards.map((b) =>
      this.opening.has(b.id) && b.kind !== 'serial' ? { ...b, status: 'busy' as const } : b,
    );
  }

  /** The open session for `id`, opening it (once, even when called concurrently). */
  async session(id: string): Promise<OpenBoard> {
    let p = this.opening.get(id);
    if (p) {
      const ob = await p.catch(() => null);
      if (ob && ob.session.link.isOpen) return ob;
      if (this.opening.get(id) === p) this.opening.delete(id);
      if (ob) await ob.close().catch(() => undefined);
    }
    p = this.openFn(id);
    this.opening.set(id, p);
    try {
      return await p;
    } catch (e) {
      if (this.opening.get(id) === p) this.opening.delete(id);
      throw e;
    }
  }

  /** Profile on board `id` (its session serializes profiles; other boards run in parallel). */
  async profile(
    id: string,
    opts: Omit<ProfileCompareOptions, 'port'>,
    provideHost?: HostSideProvider,
  ): Promise<ProfileCompareResult> {
    const ob = await this.session(id);
    try {
      return await profileAndCompare(
        ob.session,
        // built-in boards by their id ('qemu-m4', not the kind 'qemu'): reports and exports name them
        { ...opts, port: ob.kind === 'serial' ? ob.port : id },
        provideHost,
      );
    } catch (e) {
      // A dead link is not worth keeping: the next call reconnects (board plugged back in).
      if (!ob.session.link.isOpen || (e instanceof ProtocolError && e.code === 'DISCONNECTED'))
        await this.close(id);
      throw e;
    }
  }

  openIds(): string[] {
    return [...this.opening.keys()];
  }

  async close(id: string): Promise<void> {
    const p = this.opening.get(id);
    if (!p) return;
    this.opening.delete(id);
    const ob = await p.catch(() => null);
    await ob?.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    this.discovery.stop();
    await Promise.all([...this.opening.keys()].map((id) => this.close(id)));
  }
}
