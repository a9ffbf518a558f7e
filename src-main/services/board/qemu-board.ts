/**
 * QemuBoard: the firmware cross-built for the Arm MPS2+ AN385 (Cortex-M3) running in
 * qemu-system-arm. QEMU starts halted (-S) with UART0 on a pty; we open the pty through
 * serialport first, then send `cont` on the monitor, so not a byte of the board's output is lost.
 * `-icount shift=0` makes execution deterministic: SysTick ticks (25 MHz) = instructions / 40.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ProtocolError } from '../../core/protocol/errors.ts';
import { BoardLink, type LinkOptions } from './board-link.ts';
import { buildFirmware } from './firmware.ts';
import { isNotFound, missingToolMessage } from './toolchain.ts';
import { BoardSession } from './session.ts';
import { openSerialTransport } from './transport.ts';

export interface QemuBoardOptions {
  /** ELF to run; built with `make -C firmware mps2` when omitted. */
  kernel?: string;
  qemu?: string;
}

export class QemuBoard {
  private constructor(
    readonly child: ChildProcess,
    readonly portPath: string,
  ) {}

  /** Launches QEMU halted and returns once its UART pty is known (the CPU is not yet running). */
  static async launch(opts: QemuBoardOptions = {}): Promise<QemuBoard> {
    const kernel = opts.kernel ?? (await buildFirmware('mps2'));
    const qemu = opts.qemu ?? 'qemu-system-arm';
    const args = [
      '-M',
      'mps2-an385',
      '-nographic',
      '-serial',
      'pty',
      '-monitor',
      'stdio',
      '-S',
      '-icount',
      'shift=0',
      '-kernel',
      kernel,
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
        const m = /char device redirected to (\S+) \(label serial0\)/.exec(seen);
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
    const transport = await openSerialTransport(this.portPath);
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
