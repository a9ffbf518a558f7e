/**
 * QemuBoard: an emulated board (emulated-boards.ts: the Cortex-M3 on mps2-an385 by default, M4, M7,
 * M33, M55, the NUCLEO port on netduinoplus2) running its cross-built firmware in qemu-system-arm.
 * QEMU starts halted (-S) with the link's UART on a pty (the machine's other serial ports on null);
 * we open the pty first (pty-transport.ts), then send `cont` on the monitor, so not a byte of the
 * board's output is lost. `-icount shift=0` makes execution deterministic: one instruction per
 * virtual nanosecond, so SysTick ticks = instructions / (1e9 / the machine's clock).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ProtocolError } from '../../core/protocol/errors.ts';
import { BoardLink, type LinkOptions } from './board-link.ts';
import { DEFAULT_EMULATED_BOARD, type EmulatedBoard } from './emulated-boards.ts';
import { buildFirmware } from './firmware.ts';
import { isNotFound, missingToolMessage } from './toolchain.ts';
import { BoardSession } from './session.ts';
import { openPtyTransport } from './pty-transport.ts';

export interface QemuBoardOptions {
  /** Which emulated board (default: the Cortex-M3 on mps2-an385). */
  board?: EmulatedBoard;
  /** ELF to run; built with `make -C firmware <the board's target>` when omitted. */
  kernel?: string;
  qemu?: string;
  /**
   * Start with no image and QEMU's gdb stub on 127.0.0.1:gdbPort instead: a debugger loads the
   * firmware the way it would flash a kit (debug-load.ts), then the board runs.
   */
  gdbPort?: number;
}

export class QemuBoard {
  private constructor(
    readonly child: ChildProcess,
    readonly portPath: string,
  ) {}

  /** Launches QEMU halted and returns once its UART pty is known (the CPU is not yet running). */
  static async launch(opts: QemuBoardOptions = {}): Promise<QemuBoard> {
    const board = opts.board ?? DEFAULT_EMULATED_BOARD;
    const image =
      opts.gdbPort !== undefined
        ? ['-gdb', `tcp:127.0.0.1:${opts.gdbPort}`]
        : ['-kernel', opts.kernel ?? (await buildFirmware(board.target))];
    const qemu = opts.qemu ?? 'qemu-system-arm';
    const serials = Array.from({ length: board.serial + 1 }, (_, i) =>
      i === board.serial ? ['-serial', 'pty'] : ['-serial', 'null'],
    ).flat();
    const args = [
      '-M',
      board.machine,
      '-nographic',
      ...serials,
      '-monitor',
      'stdio',
      '-S',
      '-icount',
      'shift=0',
      ...image,
    ];
    const child = spawn(qemu, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const path = await new Promise<string>((ok, fail) => {
      let seen = '';
      const timer = setTimeout(
        () =>
          fail(
            new ProtocolError(
              'NOT_A_BOARD',
              `QEMU did not report its serial pty within 10 s: ${seen.trim()}`,
            ),
          ),
        10_000,
      );
      const onText = (b: Buffer) => {
        seen += b.toString();
        const m = new RegExp(`char device redirected to (\\S+) \\(label serial${board.serial}\\)`).exec(seen);
        if (m) {
          clearTimeout(timer);
          ok(m[1]);
        }
      };
      child.stdout!.on('data', onText);
      child.stderr!.on('data', onText);
      child.once('error', (e) =>
        fail(
          new ProtocolError(
            'NOT_A_BOARD',
            isNotFound(e) && qemu === 'qemu-system-arm'
              ? `cannot start the emulated board: ${missingToolMessage(qemu)}`
              : `cannot start ${qemu} (is qemu-system-arm installed?): ${e.message}`,
          ),
        ),
      );
      child.once('exit', (code) =>
        fail(
          new ProtocolError(
            'NOT_A_BOARD',
            `QEMU exited (code ${code}) before reporting its pty: ${seen.trim()}`,
          ),
        ),
      );
    });
    return new QemuBoard(child, path);
  }

  /** Resumes the halted CPU (monitor `cont`). */
  resume(): void {
    this.child.stdin!.write('cont\n');
  }

  /** Opens the pty, resumes the CPU, performs the handshake. QEMU's UART moves ~10-15 KB/s. */
  async connect(opts: LinkOptions = {}): Promise<BoardSession> {
    const transport = openPtyTransport(this.portPath);
    this.resume();
    const link = await BoardLink.open(transport, { minBytesPerSec: 2000, timeoutMs: 3000, ...opts });
    return new BoardSession(link);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((ok) => this.child.once('exit', ok));
    this.child.stdin!.write('quit\n');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}
