/**
 * Resumable model upload (PROTOCOL.md §4): LOAD_BEGIN tells where the board stands, then bursts of
 * chunks with only the last one acknowledged. Chunks shrink after a failed burst (noisy line) and
 * grow back after clean ones. Progress is reported in bytes the board has confirmed.
 */
import * as zlib from 'node:zlib';
import { crc32 } from '../../core/protocol/crc32.ts';
import { ProtocolError } from '../../core/protocol/errors.ts';
import { CHUNK_HEADER, Cmd, requests, type Request } from '../../core/protocol/messages.ts';
import { decodeLoadStatus, type LoadStatus } from '../../core/protocol/replies.ts';
import { expectReply, type BoardLink } from './board-link.ts';

export interface UploadProgress {
  sent: number;
  total: number;
  /** true when this upload continued bytes the board already held */
  resumed: boolean;
}

export interface UploadOptions {
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
  /** Fixed bytes per burst before an acknowledgement. Default: adaptive, about a quarter second
   * of transfer at the rate measured so far (32 KiB first — or what the previous clean upload on
   * this link measured — then 16 KiB .. 1 MiB), so slow UARTs
   * still report progress often and fast links pay few round trips. Shrinks on a noisy line. */
  window?: number;
  /** Largest chunk payload (default: what the board's max_body allows, ≤ 4096). */
  chunk?: number;
  /** Consecutive failed bursts before giving up. */
  maxFailures?: number;
}

const MIN_CHUNK = 128;

/** Burst size the last clean upload on a link settled on: the next upload on the same link starts
 * there instead of at 32 KiB (on a fast pty the 32 KiB probe burst costs a whole round trip). */
const learnedWindow = new WeakMap<BoardLink, number>();

export interface UploadResult {
  bytes: number;
  resumed: boolean;
  bursts: number;
  failedBursts: number;
}

export async function uploadModel(
  link: BoardLink,
  model: Uint8Array,
  opts: UploadOptions = {},
): Promise<UploadResult> {
  const maxChunk = Math.min(opts.chunk ?? 4096, link.hello.maxBody - CHUNK_HEADER);
  let window = opts.window ?? learnedWindow.get(link) ?? 32 * 1024;
  const maxFailures = opts.maxFailures ?? 8;
  if (model.length > link.hello.maxModelBytes) {
    throw new ProtocolError(
      'TOO_LARGE',
      `model of ${model.length} B exceeds the board's ${link.hello.maxModelBytes} B model buffer`,
    );
  }
  const crc = wholeCrc(model);
  const status = (f: Awaited<ReturnType<BoardLink['transact']>>, cmd: number) =>
    decodeLoadStatus(expectReply(f, cmd));

  return link.exclusive(async () => {
    let st = status(
      await link.transact(requests.loadBegin(model.length, crc), { signal: opts.signal }),
      Cmd.LOAD_BEGIN,
    );
    const resumed = st.have > 0;
    let chunk = maxChunk;
    let failures = 0;
    let bursts = 0;
    let failedBursts = 0;
    opts.onProgress?.({ sent: st.have, total: model.length, resumed });
    while (st.have < model.length) {
      if (opts.signal?.aborted)
        throw new ProtocolError('ABORTED', `upload cancelled at ${st.have} of ${model.length} B`);
      const burst: Request[] = [];
      let at = st.have;
      // On a noisy line everything after a bad chunk is dropped, so bursts shrink with chunks.
      const burstBytes = chunk < maxChunk ? Math.min(window, chunk * 8) : window;
      while (at < model.length && at - st.have < burstBytes) {
        const n = Math.min(chunk, model.length - at);
        burst.push(requests.loadChunk(at, model.subarray(at, at + n), false));
        at += n;
      }
      const last = burst.pop()!;
      const ackReq = requests.loadChunk(
        new DataView(last.body.buffer).getUint32(0, true),
        last.body.subarray(CHUNK_HEADER),
        true,
      );
      const before = st.have;
      bursts++;
      const t0 = Date.now();
      let next: LoadStatus;
      try {
        const f = await link.transact(ackReq, {
          prefix: burst,
          retries: 0,
          signal: opts.signal,
          expectBytes: 32,
        });
        next = status(f, Cmd.LOAD_CHUNK);
      } catch (e) {
        if (!(e instanceof ProtocolError) || e.code !== 'TIMEOUT') throw rethrowReset(e);
        // The ack (or the request) was lost: ask where the board stands.
        next = status(await link.transact(requests.loadStatus(), { signal: opts.signal }), Cmd.LOAD_STATUS);
      }
      if (
        next.state !== 'receiving' ||
        next.size !== model.length ||
        next.crc !== crc ||
        next.have < before
      ) {
        throw new ProtocolError(
          'BOARD_RESET',
          `board lost the upload at ${before} of ${model.length} B (it now reports ${next.state}, ${next.have} B); it was probably reset — upload again`,
        );
      }
      if (next.have < at) {
        failedBursts++;
        failures = next.have > before ? 0 : failures + 1;
        if (failures > maxFailures) {
          throw new ProtocolError(
            'TIMEOUT',
            `upload made no progress at ${next.have} of ${model.length} B in ${failures} bursts (line too noisy?)`,
          );
        }
        chunk = Math.max(MIN_CHUNK, chunk >> 1);
        learnedWindow.delete(link); // a noisy line: the next upload probes again
      } else {
        failures = 0;
        chunk = Math.min(maxChunk, chunk * 2);
        if (opts.window === undefined) {
          const rate = ((next.have - before) * 1000) / Math.max(1, Date.now() - t0);
          window = Math.min(1 << 20, Math.max(16 * 1024, Math.round(rate / 4)));
          learnedWindow.set(link, window);
        }
      }
      st = next;
      opts.onProgress?.({ sent: st.have, total: model.length, resumed });
    }
    return { bytes: model.length, resumed, bursts, failedBursts };
  });
}

/** The whole-model CRC-32 (same polynomial and init as core/protocol/crc32.ts): zlib's native one
 * where Node has it (20.15+, Electron), ~10x faster than the portable TypeScript loop, which is
 * time the upload cannot overlap with the line (LOAD_BEGIN needs it before the first byte). */
function wholeCrc(model: Uint8Array): number {
  return typeof zlib.crc32 === 'function' ? zlib.crc32(model) >>> 0 : crc32(model);
}

function rethrowReset(e: unknown): unknown {
  if (e instanceof ProtocolError && e.code === 'BAD_STATE') {
    return new ProtocolError(
      'BOARD_RESET',
      'board has no upload in progress any more; it was probably reset — upload again',
    );
  }
  return e;
}
