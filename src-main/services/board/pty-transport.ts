/**
 * ByteTransport over a pseudo-terminal the app itself started a board behind (the virtual board's
 * pty, QEMU's UART pty). Node's own tty stream (libuv uv_tty: one poll handle watching reads and
 * writes together), not serialport: serialport 13's poller keeps only the last event asked for
 * (transport.ts), and a pty reports "drained" as soon as bytes are in its buffer, so under load a
 * write could park while the board was blocked writing its reply, and neither side moved again
 * (seen as a board that "did not answer LOAD_CHUNK" mid-suite). A pty has no baud rate: raw mode is
 * all the line needs. Ports the user names (USB, typed paths) still go through serialport.
 */
import { constants, openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { ProtocolError } from '../../core/protocol/errors.ts';
import { CloseNotice, streamTransport, type ByteTransport } from './transport.ts';

export function openPtyTransport(path: string): ByteTransport {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch (e) {
    throw new ProtocolError('DISCONNECTED', `cannot open ${path}: ${(e as Error).message}`);
  }
  const stream = new ReadStream(fd);
  stream.setRawMode(true);
  const closed = new CloseNotice();
  // the board's end closing (its process gone) reads as EIO or end of file
  stream.on('error', (e: NodeJS.ErrnoException) =>
    closed.fire(e.code === 'EIO' ? `${path} was disconnected` : `${path} failed: ${e.message}`),
  );
  stream.on('end', () => closed.fire(`${path} was disconnected`));
  stream.on('close', () => closed.fire(`${path} closed`));

  const writePiece = (piece: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      stream.write(piece, (err) =>
        err
          ? reject(new ProtocolError('DISCONNECTED', `write to ${path} failed: ${err.message}`))
          : resolve(),
      );
    });

  return streamTransport({
    description: path,
    closed,
    writePiece,
    onBuffer: (cb) => stream.on('data', cb),
    close: () =>
      new Promise<void>((resolve) => {
        if (stream.destroyed) return resolve();
        stream.once('close', () => resolve());
        stream.destroy();
      }),
  });
}
