/**
 * Noticing a board die while a session holds it, and saying so in plain words. A virtual or
 * emulated board dies with its process (exit code or signal, seen the moment it happens); a board
 * on a port dies when the link closes (unplugged, reset: serialport's close or EIO) or its port
 * path disappears (a pty whose other end went away), polled every 500 ms; a board on a port that
 * is still there but has hung is found by a heartbeat while nobody uses it (an ECHO every few
 * seconds: any byte back counts as alive; silence for `silentMs` is a hung board). Whichever comes first
 * settles `down` once with one sentence — never a raw errno — and the registry drops the session
 * (registry.ts), so its port is no longer "busy" and the next call or "Restart board" starts over.
 */
import { existsSync } from 'node:fs';
import { ProtocolError } from '../../core/protocol/errors.ts';
import { requests } from '../../core/protocol/messages.ts';
import { isRemoteBoardUrl } from '../../core/protocol/remote-url.ts';
import { emulatedBoard } from './emulated-boards.ts';
import type { OpenBoard } from './open-board.ts';

/** How often a local port's path is checked while a session holds it. */
const PATH_POLL_MS = 500;
/** After the link of a process board breaks, how long to wait for the process's own exit (its
 * status says more than the pty's EIO). */
const EXIT_GRACE_MS = 400;
/** A board on a port, idle: how often it is asked for an ECHO, and how long it may stay silent.
 * Long enough for a board still finishing an invocation the app cancelled (a slow model on a
 * small core) to answer again. */
export const HEARTBEAT_MS = 5000;
export const SILENT_MS = 20_000;

export interface WatchOptions {
  /** Heartbeat period for a board on a port (0 = none). */
  heartbeatMs?: number;
  /** Silence (no byte back while idle) after which the board is reported hung. */
  silentMs?: number;
  /** Whether a call is using the board now: no heartbeat then (its requests show it alive). */
  inUse?: () => boolean;
}

/** A board that died while held: the profile that was running fails with this (code DISCONNECTED). */
export class BoardDownError extends ProtocolError {
  constructor(
    readonly board: string,
    message: string,
  ) {
    super('DISCONNECTED', message);
  }
}

export interface BoardWatch {
  /** Settles once, with the plain message, when the board dies (never when stop() came first). */
  readonly down: Promise<string>;
  /** The message once the board has died, else null. */
  readonly message: string | null;
  stop(): void;
}

/** "the virtual board", "the emulated Cortex-M4F (QEMU mps2-an386)", "the board on /dev/ttyACM0". */
export function boardName(id: string): string {
  if (id === 'virtual') return 'the virtual board';
  const e = emulatedBoard(id);
  if (e) return `the ${e.label.replace(/^Emulated /, 'emulated ')}`;
  return `the board on ${id}`;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** What to do next, per kind of board. */
function nextStep(ob: OpenBoard): string {
  return ob.kind === 'serial'
    ? 'Check the cable or plug it back in, then restart the board.'
    : 'Restart the board to start it again.';
}

/** The process's end in words: "its process was killed (SIGKILL)", "QEMU exited with code 1". */
function exitWords(ob: OpenBoard, code: number | null, signal: NodeJS.Signals | null): string {
  const who = ob.kind === 'qemu' ? 'QEMU' : 'its process';
  if (signal) return `${who} was killed (${signal})`;
  return `${who} exited${code === null ? '' : ` with code ${code}`}`;
}

/** The link's close reason in words (serialport's messages name errno codes like EIO). */
function linkWords(ob: OpenBoard, reason: string): string {
  if (ob.kind !== 'serial') return 'its link closed';
  if (/disconnected|EIO|Input\/output error|ENXIO|No such device/i.test(reason))
    return 'its port was disconnected (unplugged, reset or the other end closed)';
  if (isRemoteBoardUrl(ob.port)) return 'the network connection to it closed';
  return 'its port closed';
}

export function watchBoard(id: string, ob: OpenBoard, opts: WatchOptions = {}): BoardWatch {
  let stopped = false;
  let message: string | null = null;
  let settle!: (m: string) => void;
  const down = new Promise<string>((ok) => (settle = ok));
  const cleanups: (() => void)[] = [];
  const fire = (why: string) => {
    if (stopped || message !== null) return;
    message = `${capital(boardName(id))} stopped: ${why}. ${nextStep(ob)}`;
    for (const c of cleanups) c();
    settle(message);
  };

  const child = ob.process;
  if (child) {
    if (child.exitCode !== null || child.signalCode !== null)
      queueMicrotask(() => fire(exitWords(ob, child.exitCode, child.signalCode)));
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fire(exitWords(ob, code, signal));
    child.once('exit', onExit);
    cleanups.push(() => child.off('exit', onExit));
  }
  ob.session.link.transport.onClose((reason) => {
    if (stopped || message !== null) return;
    if (!child) return fire(linkWords(ob, reason));
    // the process's own exit usually follows within milliseconds and says more
    const t = setTimeout(() => fire(linkWords(ob, reason)), EXIT_GRACE_MS);
    cleanups.push(() => clearTimeout(t));
  });
  if (ob.kind === 'serial' && !isRemoteBoardUrl(ob.port)) {
    const timer = setInterval(() => {
      if (!existsSync(ob.port)) fire(`its port ${ob.port} no longer exists`);
    }, PATH_POLL_MS);
    timer.unref();
    cleanups.push(() => clearInterval(timer));
  }
  if (ob.kind === 'serial' && (opts.heartbeatMs ?? HEARTBEAT_MS) > 0)
    cleanups.push(heartbeat(ob, opts, fire));
  return {
    down,
    get message() {
      return message;
    },
    stop() {
      stopped = true;
      for (const c of cleanups) c();
    },
  };
}

/**
 * ECHO the board every `beatMs` while no call uses it. A reply, or any byte at all (a damaged
 * reply on a noisy line is a board alive), clears the silence; silence from every heartbeat for
 * `silentMs` reports the board hung. Returns the cleanup.
 */
function heartbeat(ob: OpenBoard, opts: WatchOptions, fire: (why: string) => void): () => void {
  const { heartbeatMs: beatMs = HEARTBEAT_MS, silentMs = SILENT_MS, inUse = () => false } = opts;
  const link = ob.session.link;
  let silentSince: number | null = null;
  let asking = false;
  const tick = async () => {
    if (asking || !link.isOpen) return;
    if (inUse()) return void (silentSince = null);
    asking = true;
    const before = link.bytesHeard;
    const t0 = Date.now();
    try {
      await link.request(requests.echo(new Uint8Array(0)), { timeoutMs: 1000, retries: 1 });
      silentSince = null;
    } catch (e) {
      if (link.bytesHeard !== before || inUse()) silentSince = null;
      else if (e instanceof ProtocolError && e.code === 'TIMEOUT') {
        silentSince ??= t0;
        const s = Date.now() - silentSince;
        if (s >= silentMs) fire(`it stopped answering (no reply for ${Math.round(s / 1000)} s while idle)`);
      }
      // DISCONNECTED: the link's close says why (onClose above)
    } finally {
      asking = false;
    }
  };
  const timer = setInterval(() => void tick(), beatMs);
  timer.unref();
  return () => clearInterval(timer);
}
