/**
 * A board that died while the app held it (its process exited, its port vanished): what the
 * Boards view shows about it, and "Restart board" (`boards.restart`, a job whose progress names
 * the firmware build when there is one).
 */
import type { BoardRestartResult, DiscoveredBoard } from '../../../src-main/shared/api.ts';
import { api, ApiCallError } from '../../lib/api-client.ts';

export interface StoppedBoard {
  board: string;
  message: string;
}

/** The stopped board a failed call names (`detail.stopped`), or null for any other failure. */
export function stoppedFromError(e: unknown): StoppedBoard | null {
  if (!(e instanceof ApiCallError)) return null;
  const d = e.detail as { stopped?: unknown; board?: unknown } | undefined;
  return d?.stopped === true && typeof d.board === 'string' ? { board: d.board, message: e.message } : null;
}

/** The chosen board as the list reports it, when it died while held. */
export function stoppedFromList(board: DiscoveredBoard | null): StoppedBoard | null {
  return board?.stopped ? { board: board.id, message: board.stopped } : null;
}

export class BoardRestart {
  /** The board being restarted, or null. */
  restarting = $state<string | null>(null);
  /** The restart job's latest progress message ("Building firmware for …"). */
  progress = $state('');

  async restart(board: string): Promise<BoardRestartResult> {
    const jobId = crypto.randomUUID();
    this.restarting = board;
    this.progress = '';
    const off = api.on('job.progress', (p) => {
      if (p.id === jobId) this.progress = p.message;
    });
    try {
      return await api.boards.restart({ jobId, board });
    } finally {
      off();
      this.restarting = null;
      this.progress = '';
    }
  }
}
