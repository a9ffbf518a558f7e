/**
 * One entry point for "--board virtual|qemu|qemu-m4|…|PORT|rfc2217://HOST:PORT|socket://HOST:PORT"
 * (the emulated boards: emulated-boards.ts): starts
 * or opens the board, performs the handshake, and returns its session plus a close() that also
 * stops any process it started.
 */
import type { ChildProcess } from 'node:child_process';
import { BoardLink, type LinkOptions } from './board-link.ts';
import { emulatedBoard } from './emulated-boards.ts';
import { buildFirmware, type BuildProgress } from './firmware.ts';
import { QemuBoard } from './qemu-board.ts';
import { BoardSession } from './session.ts';
import { openPortTransport } from './port-transport.ts';
import { VirtualBoard } from './virtual-board.ts';

export type BoardKind = 'virtual' | 'qemu' | 'serial';

export interface OpenBoard {
  kind: BoardKind;
  /** Serial port path ('stdio' for a virtual board on pipes). */
  port: string;
  session: BoardSession;
  /** The process behind a virtual or emulated board: its exit is the board dying (board-watch.ts). */
  process?: ChildProcess;
  close(): Promise<void>;
}

export interface OpenBoardOptions extends LinkOptions {
  baudRate?: number;
  /** Hears the firmware build of a virtual or emulated board (only when make has work to do). */
  onBuild?: BuildProgress;
}

export async function openBoard(spec: string, opts: OpenBoardOptions = {}): Promise<OpenBoard> {
  if (spec === 'virtual') {
    const vb = await VirtualBoard.start({ executable: await buildFirmware('host', opts.onBuild) });
    try {
      const session = await vb.connect(opts);
      return {
        kind: 'virtual',
        port: vb.portPath,
        session,
        process: vb.child,
        close: async () => (await session.link.close(), await vb.stop()),
      };
    } catch (e) {
      await vb.stop();
      throw e;
    }
  }
  const emulated = emulatedBoard(spec);
  if (emulated) {
    const kernel = await buildFirmware(emulated.target, opts.onBuild);
    const q = await QemuBoard.launch({ board: emulated, kernel });
    try {
      const session = await q.connect(opts);
      return {
        kind: 'qemu',
        port: q.portPath,
        session,
        process: q.child,
        close: async () => (await session.link.close(), await q.stop()),
      };
    } catch (e) {
      await q.stop();
      throw e;
    }
  }
  // a local port path, or a remote board URL (rfc2217://host:port, socket://host:port)
  const link = await BoardLink.open(await openPortTransport(spec, opts.baudRate), opts);
  const session = new BoardSession(link);
  return { kind: 'serial', port: spec, session, close: () => link.close() };
}
