/**
 * ByteTransport over a child process's stdin/stdout: the virtual board where no pseudo-terminal
 * exists (Windows) or none is wanted. Same drained-piece writes as the serial transport.
 */
import type { ChildProcess } from 'node:child_process';
import { ProtocolError } from '../../core/protocol/errors.ts';
import { CloseNotice, streamTransport, type ByteTransport } from './transport.ts';

export function stdioTransport(child: ChildProcess, name: string): ByteTransport {
  const stdin = child.stdin!;
  const stdout = child.stdout!;
  const closed = new CloseNotice();
  child.once('exit', (code, signal) => closed.fire(`${name} exited (${signal ?? `code ${code}`})`));
  stdin.on('error', (e) => closed.fire(`${name} stdin failed: ${e.message}`));
  const writePiece = (piece: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      const ok = stdin.write(
        piece,
        (err) => err && reject(new ProtocolError('DISCONNECTED', `write to ${name} failed: ${err.message}`)),
      );
      if (ok) resolve();
      else stdin.once('drain', resolve);
    });
  return streamTransport({
    description: `${name} (stdio)`,
    closed,
    writePiece,
    onBuffer: (cb) => stdout.on('data', cb),
    close: async () => void stdin.end(),
  });
}
