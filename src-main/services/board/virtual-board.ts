/**
 * VirtualBoard: the firmware built for the host (firmware/port/host), started as a child process
 * that creates its own pseudo-terminal. The app opens that pty as a serial line (raw termios, the
 * same framing and link as a real board) through Node's tty stream (pty-transport.ts: serialport's
 * poller could deadlock a pty under load); tests open the same path through serialport to exercise
 * the bindings (noisy-line, link-faults, the poller guard). Where there are no
 * ptys (Windows), `transport: 'stdio'` talks to the process through its stdin/stdout instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ProtocolError } from '../../core/protocol/errors.ts';
import { BoardLink, type LinkOptions } from './board-link.ts';
import { buildFirmware } from './firmware.ts';
import { BoardSession } from './session.ts';
import { stdioTransport } from './stdio-transport.ts';
import { openPtyTransport } from './pty-transport.ts';

export interface VirtualBoardOptions extends LinkOptions {
  /** Path of qs-board; built with make when omitted. */
  executable?: string;
  /** Extra arguments, e.g. ['--arena', '65536']. */
  args?: string[];
  /** 'pty' (default): serial port semantics; 'stdio': pipes, works everywhere. */
  transport?: 'pty' | 'stdio';
}

export class VirtualBoard {
  private constructor(
    readonly child: ChildProcess,
    readonly portPath: string,
  ) {}

  /** Starts the process and waits for the pty path it prints ("PTY /dev/pts/N"). */
  static async start(opts: VirtualBoardOptions = {}): Promise<VirtualBoard> {
    const exe = opts.executable ?? (await buildFirmware('host'));
    if (opts.transport === 'stdio') {
      const child = spawn(exe, opts.args ?? [], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stderr!.resume();
      await new Promise<void>((ok, fail) => {
        child.once('spawn', ok);
        child.once('error', (e) =>
          fail(new ProtocolError('NOT_A_BOARD', `cannot start ${exe}: ${e.message}`)),
        );
      });
      return new VirtualBoard(child, 'stdio');
    }
    const child = spawn(exe, ['--pty', ...(opts.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const path = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(
        () => fail(new ProtocolError('NOT_A_BOARD', `${exe} did not report its pty within 5 s`)),
        5000,
      );
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', (l) => {
        clearTimeout(timer);
        const m = /^PTY (\S+)$/.exec(l);
        if (m) ok(m[1]);
        else fail(new ProtocolError('NOT_A_BOARD', `${exe} printed "${l}" instead of its pty path`));
      });
      child.once('exit', (code) =>
        fail(new ProtocolError('NOT_A_BOARD', `${exe} exited (code ${code}) before reporting its pty`)),
      );
      child.once('error', (e) => fail(new ProtocolError('NOT_A_BOARD', `cannot start ${exe}: ${e.message}`)));
    });
    child.stderr!.resume();
    return new VirtualBoard(child, path);
  }

  /** Opens the pty (Node's tty stream: pty-transport.ts) and performs the handshake. */
  async connect(opts: LinkOptions = {}): Promise<BoardSession> {
    const transport =
      this.portPath === 'stdio'
        ? stdioTransport(this.child, 'virtual board')
        : openPtyTransport(this.portPath);
    const link = await BoardLink.open(transport, opts);
    return new BoardSession(link);
  }

  /** SIGTERM, then SIGKILL after `graceMs` (a hung or stopped process never acts on SIGTERM). */
  async stop(graceMs = 2000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((ok) => this.child.once('exit', ok));
    this.child.kill('SIGTERM');
    const kill = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(kill);
  }
}
