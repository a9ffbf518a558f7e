/**
 * Noticing a board die while a session holds it, and saying so in plain words. A virtual or
 * emulated board dies with its process (exit code or signal, seen the moment it happens); a board
 * on a port dies when the link closes (unplugged, reset: serialport's close or EIO) or its port
 * path disappears (a pty whose other end went away), polled every 500 ms. Whichever comes first
 * settles `down` once with one sentence — never a raw errno — and the registry drops the session
 * (registry.ts), so its port is no longer "busy" and the next call or "Restart board" starts over.
 */
import { existsSync } from 'node:fs';
import { ProtocolError } from '../../core/protocol/errors.ts';
import { isRemoteBoardUrl } from '../../core/protocol/remote-url.ts';
import { emulatedBoard } from './emulated-boards.ts';
import type { OpenBoard } from './open-board.ts';

/** How often a local port's path is checked while a session holds it. */
const PATH_POLL_MS = 500;
/** After the link of a process board breaks, how long to wait for the process's own exit (its
 * status says more than the pty's EIO). */
const EXIT_GRACE_MS = 400;

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

export function watchBoard(id: string, ob: OpenBoard): BoardWatch {
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
