/**
 * Byte transports a BoardLink runs over: a serial port (real board, QEMU pty, virtual board pty).
 * Writes are split into pieces no larger than the OS buffer takes at once, and each piece is
 * drained before the next (see PROTOCOL.md §2 and board-link.ts for the deadlock this avoids).
 */
import { ProtocolError } from '../../core/protocol/errors.ts';

/** What a write takes: one buffer, or parts produced lazily (e.g. frames encoded on demand). */
export type WriteData = Uint8Array | Iterable<Uint8Array>;

export interface ByteTransport {
  /** Resolves once every byte has been handed to the OS and drained. */
  write(data: WriteData): Promise<void>;
  onData(cb: (bytes: Uint8Array) => void): void;
  /** Called once when the link goes away (unplugged, closed, process exited). */
  onClose(cb: (reason: string) => void): void;
  close(): Promise<void>;
  readonly description: string;
}

/**
 * Largest single write. @serialport/bindings-cpp 13 re-arms its libuv poll handle with only the
 * event just asked for (Poller::poll), so a write parked on EAGAIN (waiting for "writable") loses
 * that interest as soon as the reader re-arms "readable", and a reader parked on "readable" loses
 * it when a write parks. If the board then has nothing more to say, the write never completes (or
 * its reply is never read): a deadlock. We never let a write park: every piece is small enough for
 * an empty OS buffer (a Linux pty queues 64 KiB behind the 4 KiB line-discipline buffer) and is
 * drained before the next goes out. Measured here: with 16 KiB pieces the upload + link-rate loop
 * of test/board hung in about 1 of 4 runs of 60 rounds; with 4 KiB pieces, never in 300 rounds.
 * 4 KiB + 256 B holds one whole LOAD_CHUNK frame (4,096 B of data, COBS-encoded: ~4,160 B), so
 * each frame leaves as one piece, without a copy.
 */
export const WRITE_PIECE = 4096 + 256;

/**
 * Writes `data` in pieces of at most WRITE_PIECE bytes, each drained before the next goes out, so
 * at most one piece is ever in the OS buffer. Small parts (frames) are grouped into a piece and
 * never split; larger parts are cut. Parts are consumed lazily: while one piece drains, the next
 * is encoded, instead of all frames being encoded before the first byte leaves.
 */
export async function writeInPieces(
  data: WriteData,
  writePiece: (piece: Uint8Array) => Promise<void>,
): Promise<void> {
  const parts = data instanceof Uint8Array ? [data] : data;
  let group: Uint8Array[] = [];
  let groupBytes = 0;
  let inFlight: Promise<void> = Promise.resolve();
  // Hands `piece` to the line once the previous piece has drained.
  const send = async (piece: Uint8Array) => {
    await inFlight;
    inFlight = writePiece(piece);
    // A rejected piece must not go unobserved while the next one is being prepared.
    inFlight.catch(() => undefined);
  };
  const flush = async () => {
    if (groupBytes === 0) return;
    // Parts are fresh per write (or the caller's, alive until we resolve): no copy for one part.
    const piece = group.length === 1 ? group[0] : Buffer.concat(group, groupBytes);
    group = [];
    groupBytes = 0;
    await send(piece);
  };
  for (const part of parts) {
    if (groupBytes + part.length > WRITE_PIECE) await flush();
    if (part.length <= WRITE_PIECE) {
      group.push(part);
      groupBytes += part.length;
      continue;
    }
    for (let at = 0; at < part.length; at += WRITE_PIECE) {
      const slice = part.subarray(at, at + WRITE_PIECE);
      if (slice.length === WRITE_PIECE) await send(slice);
      else ((group = [slice]), (groupBytes = slice.length));
    }
  }
  await flush();
  await inFlight;
}

/** A transport's end: the first reason wins, every listener hears it (one added later, at once). */
export class CloseNotice {
  private why: string | null = null;
  private readonly cbs: ((reason: string) => void)[] = [];

  get reason(): string | null {
    return this.why;
  }

  fire(reason: string): void {
    if (this.why !== null) return;
    this.why = reason;
    for (const cb of this.cbs) cb(reason);
  }

  onClose(cb: (reason: string) => void): void {
    if (this.why !== null) cb(this.why);
    else this.cbs.push(cb);
  }

  /** Throws DISCONNECTED with the reason once the transport has closed. */
  check(): void {
    if (this.why !== null) throw new ProtocolError('DISCONNECTED', this.why);
  }
}

/** A ByteTransport over a byte stream: writes refused once closed and sent in drained pieces
 * (writeInPieces), data handed on as views of the stream's Buffers. */
export function streamTransport(o: {
  description: string;
  closed: CloseNotice;
  writePiece: (piece: Uint8Array) => Promise<void>;
  onBuffer: (cb: (b: Buffer) => void) => void;
  close: () => Promise<void>;
}): ByteTransport {
  return {
    description: o.description,
    async write(data) {
      o.closed.check();
      await writeInPieces(data, o.writePiece);
    },
    onData: (cb) => o.onBuffer((b) => cb(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))),
    onClose: (cb) => o.closed.onClose(cb),
    close: o.close,
  };
}

export async function openSerialTransport(path: string, baudRate = 115200): Promise<ByteTransport> {
  const { SerialPort } = await import('serialport'); // loaded by the board commands only
  const port = new SerialPort({ path, baudRate, autoOpen: false, highWaterMark: 1 << 16 });
  await new Promise<void>((resolve, reject) =>
    port.open((err) =>
      err
        ? reject(new ProtocolError('DISCONNECTED', `cannot open serial port ${path}: ${err.message}`))
        : resolve(),
    ),
  );
  const closed = new CloseNotice();
  port.on('close', (err?: { disconnected?: boolean; message?: string }) =>
    closed.fire(err?.disconnected ? `serial port ${path} was disconnected` : `serial port ${path} closed`),
  );
  port.on('error', (err: Error) => closed.fire(`serial port ${path} failed: ${err.message}`));

  const writePiece = (piece: Uint8Array) =>
    new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength), (err) => {
        if (err) return reject(new ProtocolError('DISCONNECTED', `write to ${path} failed: ${err.message}`));
        port.drain((err2) =>
          err2
            ? reject(new ProtocolError('DISCONNECTED', `write to ${path} failed: ${err2.message}`))
            : resolve(),
        );
      });
    });

  return streamTransport({
    description: path,
    closed,
    writePiece,
    onBuffer: (cb) => port.on('data', cb),
    close: () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  });
}
