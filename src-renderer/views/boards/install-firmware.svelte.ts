/**
 * The "Install QuantScope firmware" dialog's state: offer (which drive) → confirm (write there?) →
 * progress → done (the board answered, or what to do next) / failed (why; nothing else written).
 */
import type { BoardInstallResult, DiscoveredBoard } from '../../../src-main/shared/api.ts';
import { api } from '../../lib/api-client.ts';

export type InstallStep = 'offer' | 'confirm' | 'progress' | 'done' | 'failed';

/** A kit that does not answer the handshake: a USB debug probe's port, or a port the user typed. */
export function installable(b: DiscoveredBoard): boolean {
  return (
    b.kind === 'serial' && b.status === 'not-a-board' && (b.usb?.kind === 'debugger' || b.source === 'typed')
  );
}

export class InstallFirmwareState {
  step = $state<InstallStep>('offer');
  drive = $state('');
  result = $state.raw<BoardInstallResult | null>(null);
  error = $state('');

  constructor(readonly board: DiscoveredBoard) {}

  /** offer → confirm, once a drive folder is given. */
  next(): void {
    if (this.drive.trim()) this.step = 'confirm';
  }

  back(): void {
    this.step = 'offer';
  }

  async install(): Promise<void> {
    this.step = 'progress';
    try {
      this.result = await api.boards.installFirmware({
        board: this.board.id,
        drive: this.drive.trim(),
        confirmed: true,
      });
      this.step = 'done';
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.step = 'failed';
    }
  }
}
