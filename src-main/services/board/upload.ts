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
import { bestFrameData } from './line-quality.ts';

export interface UploadProgress {
  sent: number;
  total: number;
  /** true when this upload continued bytes the board already held */
  resumed: boolean;
}

export interface UploadOptions {
  onProgress?: (p: UploadProgress) => void;
  /** Skip the host's check that the board's build has every op of the model (op groups) and let
   * the board's own core give its verdict at commit (the verdict-comparison tools use this). */
  boardVerdictOnly?: boolean;
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
  /** On a noisy line (about 1e-3 or more of the bytes damaged), give up with a clear message once
   * the progress so far projects a longer upload than this (default 45 s). A clean slow link is
   * never cut short: only noise ends an upload early. */
  noisyLimitMs?: number;
}

/** Byte error rate from which an upload projected to take too long is stopped (noisyLimitMs). */
const NOISY = 1e-3;

const MIN_CHUNK = 32;

/** Burst size the last clean upload on a link settled on: the next upload on the same link starts
 * there instead of at 32 KiB (on a fast pty the 32 KiB probe burst costs a whole round trip). */
const learnedWindow = new WeakMap<BoardLink, number>();

/** Ranges past a gap the board can keep (QS_LOAD_RANGES): 64 on current boards. A board that runs
 * out says so with last_error BAD_OFFSET while listing all it keeps (16 on boards before 64). */
const rangeCapacity = new WeakMap<BoardLink, number>();
const BAD_OFFSET = 8;

export interface UploadResult {
  bytes: number;
  resumed: boolean;
  bursts: number;
  failedBursts: number;
  /** Smallest chunk payload any burst used (B): where a noisy line drove the chunk size. */
  minChunk: number;
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
    // On a line already known to be noisy, start with chunks that mostly arrive intact.
    let chunk = bestFrameData(link.quality.byteErrorRate, CHUNK_OVERHEAD, MIN_CHUNK, maxChunk);
    const upLoss = new ChunkLoss();
    /** Ranges the board holds past `have` (boards that keep chunks past a gap report them). */
    let held: [number, number][] = [];
    let failures = 0;
    let bursts = 0;
    let failedBursts = 0;
    let minChunk = chunk;
    const heldBytes = () => held.reduce((n, [a, b]) => n + b - a, 0);
    const started = Date.now();
    const startBytes = st.have;
    const noisyLimit = opts.noisyLimitMs ?? 45_000;
    opts.onProgress?.({ sent: st.have, total: model.length, resumed });
    while (st.have < model.length) {
      if (opts.signal?.aborted)
        throw new ProtocolError('ABORTED', `upload cancelled at ${st.have} of ${model.length} B`);
      const burst = planBurst(
        model,
        st.have,
        held,
        chunk,
        burstLimit(link, window, chunk, maxChunk, st, upLoss.rate()),
      );
      // The ACK is an empty chunk (a no-op every board answers with where it stands; with RANGES,
      // boards that keep chunks past a gap list them): short, so it rarely gets lost itself.
      const ackReq = requests.loadChunk(0, new Uint8Array(0), 'ranges');
      const before = st.have + heldBytes();
      const beforeHave = st.have;
      bursts++;
      if (burst.chunks.length) minChunk = Math.min(minChunk, chunk);
      const t0 = Date.now();
      let next: LoadStatus;
      // On a noisy line the ACK goes twice: the board drops an ACK it cannot read without a word
      // we could tell from a damaged data chunk's (both are unattributed BAD_CRCs), so one lost
      // 20-byte ACK would cost a timeout; the second copy's reply, if the first got through,
      // arrives late and is dropped.
      const chunks = link.quality.byteErrorRate > 0 ? [...burst.chunks, ackReq] : burst.chunks;
      try {
        const f = await link.transact(ackReq, {
          prefix: chunks,
          retries: 0,
          signal: opts.signal,
          expectBytes: 540,
          // a chunk damaged on the way is answered with an unattributed BAD_CRC: expected here,
          // the ACK reply says what is missing
          expectDamage: true,
        });
        next = status(f, Cmd.LOAD_CHUNK);
      } catch (e) {
        if (!(e instanceof ProtocolError) || e.code !== 'TIMEOUT') throw rethrowReset(e);
        // The ack (or its reply) was lost: ask where the board stands.
        const ask = link.transact(requests.loadChunk(0, new Uint8Array(0), 'ranges'), {
          signal: opts.signal,
          // its reply lists ranges: on a noisy line often damaged, and cheap to ask again (a
          // reply to any copy will do). Unattributed BAD_CRCs are not a reason to re-ask: a long
          // burst on a very noisy line sends dozens of them late, for its damaged chunks.
          retries: 8,
          expectDamage: true,
          expectBytes: 540,
        });
        next = status(
          await ask.catch((e2: unknown) => Promise.reject(noisy(link, e2, st.have, model.length))),
          Cmd.LOAD_CHUNK,
        );
      }
      if (
        next.state !== 'receiving' ||
        next.size !== model.length ||
        next.crc !== crc ||
        next.have < beforeHave
      ) {
        throw new ProtocolError(
          'BOARD_RESET',
          `board lost the upload at ${beforeHave} of ${model.length} B (it now reports ${next.state}, ${next.have} B); it was probably reset — upload again`,
        );
      }
      held = next.ranges ?? [];
      if (next.lastError === BAD_OFFSET && next.ranges)
        rangeCapacity.set(link, Math.max(4, Math.min(rangeCapacity.get(link) ?? 64, next.ranges.length)));
      st = next;
      const progress = st.have + heldBytes() - before;
      upLoss.burst(burst.chunks.length, burst.bytes, Math.max(0, progress));
      if (progress < burst.bytes) {
        failedBursts++;
        failures = progress > 0 ? 0 : failures + 1;
        if (failures > maxFailures) {
          throw new ProtocolError(
            'TIMEOUT',
            `upload made no progress at ${st.have} of ${model.length} B in ${failures} bursts in a row (line too noisy: ${link.quality.describe()})`,
          );
        }
        // Selective repeat re-sends only what the board lacks, so a burst that lost a few chunks
        // is no reason to shrink them: on a long burst some loss is certain, and halving after
        // every short burst drove chunks down to 32 B (nearly half of each frame overhead, twice
        // the bytes). Chunks follow the loss this upload measures (most data per byte sent);
        // only a burst that brought nothing at all halves them at once.
        const p = upLoss.rate() || link.quality.byteErrorRate;
        const best = bestFrameData(p, CHUNK_OVERHEAD, MIN_CHUNK, maxChunk);
        chunk = progress > 0 ? best : Math.max(MIN_CHUNK, Math.min(chunk >> 1, best));
        learnedWindow.delete(link); // a noisy line: the next upload probes again
      } else {
        failures = 0;
        chunk = Math.min(
          maxChunk,
          chunk * 2,
          2 * link.quality.frameData(maxChunk, CHUNK_OVERHEAD, MIN_CHUNK),
        );
        if (opts.window === undefined && chunk === maxChunk) {
          const rate = (burst.bytes * 1000) / Math.max(1, Date.now() - t0);
          window = Math.min(1 << 20, Math.max(16 * 1024, Math.round(rate / 4)));
          learnedWindow.set(link, window);
        }
      }
      opts.onProgress?.({ sent: st.have, total: model.length, resumed });
      const elapsed = Date.now() - started;
      const p = link.quality.byteErrorRate;
      // not before 8 s: one lost ACK early on (before the line's rate is measured, a long wait)
      // must not read as a line too slow to finish
      if (elapsed > 8000 && p >= NOISY && st.have < model.length) {
        const done = st.have + heldBytes() - startBytes;
        const projected = (elapsed * (model.length - startBytes)) / Math.max(done, 1);
        if (projected > noisyLimit)
          throw new ProtocolError(
            'TIMEOUT',
            `line too noisy: ${Math.round(100 * link.quality.damagedShare)}% of the frames arrive damaged (byte error rate ~${p.toExponential(0)} or more); the upload got ${done} of ${model.length - startBytes} B through in ${(elapsed / 1000).toFixed(0)} s and would need about ${Math.round(projected / 1000)} s (limit ${Math.round(noisyLimit / 1000)} s). Check the cable, the baud rate and ground; the board keeps what it has, so a retry resumes`,
          );
      }
    }
    return { bytes: model.length, resumed, bursts, failedBursts, minChunk };
  });
}

/** Bytes a LOAD_CHUNK frame carries besides its data (chunk header, frame header, CRC, COBS). */
const CHUNK_OVERHEAD = 30;

/**
 * Data bytes for the next burst. On a clean line, the window. On a noisy one, as many chunks as
 * lose about 3/5 of the gaps the board can note (QS_LOAD_RANGES: 64, 16 on older boards), at least
 * 64 KiB if the window is smaller: each burst costs a round trip; a board that drops everything
 * after a gap gains nothing from long bursts.
 */
function burstLimit(
  link: BoardLink,
  window: number,
  chunk: number,
  maxChunk: number,
  st: LoadStatus,
  upRate: number,
): number {
  if (chunk >= maxChunk && link.quality.byteErrorRate === 0 && upRate === 0) return window;
  if (!st.ranges) return Math.min(window, chunk * 8);
  const lost = 1 - (1 - (upRate || link.quality.byteErrorRate)) ** (chunk + CHUNK_OVERHEAD);
  // expected losses: what the board can note, and what a reply listing them (8 B per range) can
  // carry while 7 in 10 still arrive intact (a damaged one costs another ask)
  const listable = Math.max(4, (link.quality.frameBytes(0.7) - 40) / 8);
  const gaps = 0.6 * Math.min(rangeCapacity.get(link) ?? 64, listable);
  return Math.min(Math.max(window, 64 * 1024), chunk * Math.max(8, Math.floor(gaps / Math.max(lost, 0.01))));
}

/**
 * Byte error rate of the line towards the board as this upload sees it: each burst's share of
 * chunks lost (bytes the board did not take, in chunks) gives the rate at which a frame of that
 * many bytes is lost, (1-p)^(chunk + overhead) = intact share; bursts are pooled by chunks sent.
 */
class ChunkLoss {
  private chunks = 0;
  private weighted = 0;

  burst(chunks: number, bytes: number, progress: number): void {
    if (chunks === 0 || bytes === 0) return;
    const each = bytes / chunks;
    const lost = Math.min(0.99, Math.max(0, (bytes - progress) / bytes));
    const p = lost === 0 ? 0 : 1 - (1 - lost) ** (1 / (each + CHUNK_OVERHEAD));
    this.chunks += chunks;
    this.weighted += p * chunks;
  }

  /** Estimated byte error rate (0 until a burst has lost something). */
  rate(): number {
    return this.chunks ? this.weighted / this.chunks : 0;
  }
}

/** The chunks of one burst: from `have` on, skipping what the board already holds. */
function planBurst(
  model: Uint8Array,
  have: number,
  held: [number, number][],
  chunk: number,
  limit: number,
): { chunks: Request[]; bytes: number } {
  const chunks: Request[] = [];
  let at = have;
  let bytes = 0;
  let h = 0;
  while (at < model.length && bytes < limit) {
    while (h < held.length && held[h][1] <= at) h++;
    if (h < held.length && held[h][0] <= at) {
      at = held[h][1];
      continue;
    }
    const n = Math.min(chunk, (h < held.length ? held[h][0] : model.length) - at);
    chunks.push(requests.loadChunk(at, model.subarray(at, at + n), false));
    at += n;
    bytes += n;
  }
  return { chunks, bytes };
}

/** The whole-model CRC-32 (same polynomial and init as core/protocol/crc32.ts): zlib's native one
 * where Node has it (20.15+, Electron), ~10x faster than the portable TypeScript loop, which is
 * time the upload cannot overlap with the line (LOAD_BEGIN needs it before the first byte). */
function wholeCrc(model: Uint8Array): number {
  return typeof zlib.crc32 === 'function' ? zlib.crc32(model) >>> 0 : crc32(model);
}

/** A TIMEOUT on a line that has shown damage says so first: the line, not the board, is the problem. */
function noisy(link: BoardLink, e: unknown, have: number, size: number): unknown {
  if (!(e instanceof ProtocolError) || e.code !== 'TIMEOUT' || link.quality.byteErrorRate === 0) return e;
  return new ProtocolError(
    'TIMEOUT',
    `line too noisy: ${Math.round(100 * link.quality.damagedShare)}% of the frames arrive damaged; the upload stopped at ${have} of ${size} B (the board keeps it: a retry resumes). ${e.message}`,
  );
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
