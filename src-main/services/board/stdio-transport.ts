/**
 * ByteTransport over a child process's stdin/stdout: the virtual board where no pseudo-terminal
 * exists (Windows) or none is wanted. Same drained-piece writes as the serial transport.
 */
import type { ChildProcess } from 'node:child_process';
import { ProtocolError } from '../../core/protocol/errors.ts';
import { writeInPieces, type ByteTransport } from './transport.ts';

export function stdioTransport(child: ChildProcess, name: string): ByteTransport {
  const stdin = child.stdin!;
  const stdout = child.stdout!;
  let closedReason: string | null = null;
  const closeCbs: ((r: string) => void)[] = [];
  const fireClose = (reason: string) => {
    if (closedReason !== null) return;
    closedReason = reason;
    for (const cb of closeCbs) cb(reason);
  };
  child.once('exit', (code, signal) => fireClose(`${name} exited (${signal ?? `code ${code}`})`));
  stdin.on('error', (e) => fireClose(`${name} stdin failed: ${e.message}`));
  const writePiece = (piece: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      const ok = stdin.write(
        piece,
        (err) => err && reject(new ProtocolError('DISCONNECTED', `write to ${name} failed: ${err.message}`)),
      );
      if (ok) resolve();
      else stdin.once('drain', resolve);
    });
  return {
    description: `${name} (stdio)`,
    async write(data) {
      if (closedReason !== null) throw new ProtocolError('DISCONNECTED', closedReason);
      await writeInPieces(data, writePiece);
    },
    onData(cb) {
      stdout.on('data', (b: Buffer) => cb(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    },
    onClose(cb) {
      if (closedReason !== null) cb(closedReason);
      else closeCbs.push(cb);
    },
    async close() {
      stdin.end();
    },
  };
}
