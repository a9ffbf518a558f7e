/**
 * Emulated boards cost a third of a core while QEMU idles: a session nobody has used for
 * `idleStopMs` (default a minute; QS_BOARD_IDLE_MS overrides it, 0 = never) is stopped, and the
 * next profile starts it again (registry.ts opens a session on demand). Work in progress keeps a
 * board alive: the timer runs only while no call uses the board.
 */

export const DEFAULT_IDLE_STOP_MS = 60_000;

/** The idle time from the environment (QS_BOARD_IDLE_MS, milliseconds), else the default. */
export function idleStopFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.QS_BOARD_IDLE_MS;
  if (v === undefined || v === '') return DEFAULT_IDLE_STOP_MS;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`QS_BOARD_IDLE_MS must be a number of milliseconds (0 = never stop), not "${v}"`);
  return n;
}

export class IdleStop {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly users = new Map<string, number>();

  constructor(
    private readonly ms: number,
    private readonly stop: (id: string) => void,
  ) {}

  /** A call starts using board `id`: no idle stop until it ends. */
  begin(id: string): void {
    this.users.set(id, (this.users.get(id) ?? 0) + 1);
    this.clear(id);
  }

  /** Whether a call is using board `id` right now (a profile, a restart). */
  inUse(id: string): boolean {
    return this.users.has(id);
  }

  /** The call ended; with no other user left, the idle clock (re)starts. */
  end(id: string): void {
    const n = (this.users.get(id) ?? 1) - 1;
    if (n > 0) return void this.users.set(id, n);
    this.users.delete(id);
    this.arm(id);
  }

  /** Starts the idle clock of a board nobody is using (just opened or restarted). */
  arm(id: string): void {
    this.clear(id);
    if (this.ms <= 0 || this.users.has(id)) return;
    const t = setTimeout(() => {
      this.timers.delete(id);
      if (!this.users.has(id)) this.stop(id);
    }, this.ms);
    t.unref(); // an idle board never keeps the process alive on its own
    this.timers.set(id, t);
  }

  /** The board is gone (closed, died): forget its clock. */
  clear(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
  }
}
