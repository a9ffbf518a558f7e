/**
 * BoardLink: protocol v1 client over a ByteTransport (PROTOCOL.md). One request at a time.
 *
 * Why strictly one at a time: @serialport/bindings-cpp 13 stops polling a port for readable data
 * while a write waits on EAGAIN. If we wrote while the board was also writing to us and its
 * buffer filled, neither side would ever progress. So every caller goes through one queue, a
 * request is written (in drained pieces, transport.ts) before its reply is awaited, and the next
 * request starts only after the previous one's reply or stream has fully arrived.
 */
import { ProtocolError } from '../../core/protocol/errors.ts';
import { encodeFrame, FrameReader, SEQ_UNKNOWN, type Frame } from '../../core/protocol/frame.ts';
import { Cmd, MsgType, replyType, type Request } from '../../core/protocol/messages.ts';
import { decodeBoardError, decodeHello, type BoardHello } from '../../core/protocol/replies.ts';
import { LineQuality } from './line-quality.ts';
import type { ByteTransport } from './transport.ts';

export interface LinkOptions {
  /** Longest base reply timeout (transfer time at minBytesPerSec is added per request). Once
   * round trips and the rate are measured, requests wait for a few round trips instead. */
  timeoutMs?: number;
  retries?: number;
  /** Handshake: how long to keep asking while HELLO replies arrive damaged (a board is there but
   * the line is noisy). A silent port still fails after `retries` timeouts. */
  handshakeMs?: number;
  /** Slowest link rate we must tolerate (QEMU's UART is ~10 KB/s). */
  minBytesPerSec?: number;
}

export interface TransactOptions {
  /** Frames written before the request that the board does not answer (upload bursts). */
  prefix?: Request[];
  /** Re-sends after damage (a corrupted reply, or the board could not read the request), apart
   * from `retries` (silence). Default: damage and silence share `retries`, damage counting 1/4. */
  damageRetries?: number;
  /** Raw bytes written before everything else (link rate measurement filler). */
  rawPrefix?: Uint8Array;
  retries?: number;
  /** Idle timeout (reset by every frame of this request), default from LinkOptions. */
  timeoutMs?: number;
  /** Reply bytes to expect, to stretch the timeout on slow links. */
  expectBytes?: number;
  /** Frames of type OP_OUTPUT carrying this request's seq go here. A number returned is the wait
   * (ms) for the next frame instead of the idle timeout (everything asked for is in: only the
   * final reply is still to come). */
  onStream?: (frame: Frame) => number | void;
  /** Ignore ERROR frames the board could not attribute (seq 0xFFFF) instead of retrying:
   * for requests sent right after deliberate junk (link rate measurement). */
  ignoreUnattributedErrors?: boolean;
  /** Unattributed ERRORs are expected (chunks of an upload burst damaged on the way): counted as
   * line damage, but no reason to give up waiting for this request's own reply. */
  expectDamage?: boolean;
  /** Replies (not ERRORs) carrying this request's seq: return true for the one that ends the
   * wait; the others acknowledge `prefix` frames the board answers too (a burst of input
   * pieces). With it, a damaged frame is handled as in a stream (quietAfterDamageMs). */
  onReply?: (frame: Frame) => boolean;
  /** Frames the reader rejected while this request was pending (stream pieces lost). */
  onDamage?: (reason: string) => void;
  /** Stream only: the idle timeout after a damaged frame, until the next intact one. The damaged
   * frame may have been the final reply, and waiting the full idle timeout (sized for the slowest
   * op) for a reply that already came and went is most of the time a noisy line loses. */
  quietAfterDamageMs?: () => number;
  signal?: AbortSignal;
}

interface Pending {
  seq: number;
  /** seqs of this request's earlier attempts: their replies are as good as this one's (every
   * request is idempotent), so a reply that was merely late still ends the wait */
  earlier: Set<number>;
  settle: (result: Frame | Error | 'retry') => void;
  /** a frame arrived: the next is due within `ms` (the idle timeout when undefined) */
  touch: (ms?: number) => void;
  /** a stream frame was damaged: wait only as long as the rest of the run may take */
  damaged: () => void;
  opts: TransactOptions;
  /** a frame carrying this request's seq has arrived (the board got the request) */
  started: boolean;
  /** an intact frame of this request (or an earlier attempt of it) has arrived */
  heard: boolean;
}

const FLUSH = Uint8Array.of(0);

const CMD_NAMES = Object.fromEntries(Object.entries(Cmd).map(([k, v]) => [v, k])) as Record<number, string>;

export class BoardLink {
  private reader = new FrameReader();
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;
  /** the last write handed to the transport (the next waits for it) */
  private writing: Promise<unknown> = Promise.resolve();
  private closed: string | null = null;
  private opts: Required<LinkOptions>;
  hello!: BoardHello;
  /** Damage rate, round trip and rate seen on this line (sizes frames and timeouts). */
  readonly quality = new LineQuality();
  /** Every byte that ever arrived from the board, intact or not (the heartbeat: board-watch.ts). */
  private heard = 0;

  private constructor(
    readonly transport: ByteTransport,
    opts: LinkOptions,
  ) {
    this.opts = { timeoutMs: 1000, retries: 3, minBytesPerSec: 5000, handshakeMs: 20_000, ...opts };
    transport.onData((b) => this.onBytes(b));
    transport.onClose((reason) => {
      this.closed = reason;
      this.pending?.settle(new ProtocolError('DISCONNECTED', `${reason}; the board link is gone`));
    });
  }

  /** Wraps a transport and performs the handshake (HELLO). */
  static async open(transport: ByteTransport, opts: LinkOptions = {}): Promise<BoardLink> {
    const link = new BoardLink(transport, opts);
    try {
      // A lone delimiter flushes any half frame the board may hold from an earlier session.
      await transport.write(Uint8Array.of(0));
      const f = await link.exclusive(() => link.handshake());
      link.hello = decodeHello(f.body);
    } catch (e) {
      await transport.close();
      const why = e instanceof Error ? e.message : String(e);
      throw new ProtocolError(
        'NOT_A_BOARD',
        `no QuantScope board answered on ${transport.description}: ${why}`,
      );
    }
    return link;
  }

  /**
   * HELLO until a reply arrives intact. Its reply is the longest small one (~400 B with the op
   * list), so on a noisy line most copies arrive damaged: those prove a board is there and are
   * asked again at once, for up to `handshakeMs`. Silence (timeouts) is retried `retries` times
   * with growing pauses (a board still booting), so a port with nothing on it fails quickly.
   */
  private async handshake(): Promise<Frame> {
    const hello = { cmd: Cmd.HELLO, body: new Uint8Array(0) };
    const until = Date.now() + this.opts.handshakeMs;
    let silent = 0;
    let damaged = 0;
    const seqs = new Set<number>();
    for (;;) {
      if (this.closed !== null) throw new ProtocolError('DISCONNECTED', `${this.closed}; cannot send HELLO`);
      const r = await this.attempt(hello, { expectBytes: 512 }, seqs);
      if (!(r instanceof Error) && r !== 'retry') return r;
      if (r instanceof ProtocolError && r.code !== 'TIMEOUT') throw r;
      if (r === 'retry') damaged++;
      else silent++;
      if (silent > this.opts.retries)
        throw new ProtocolError(
          'TIMEOUT',
          `board did not answer HELLO after ${silent} attempts${damaged ? ` (${damaged} damaged replies)` : ''}`,
        );
      if (Date.now() > until)
        throw new ProtocolError(
          'TIMEOUT',
          `line too noisy: ${damaged} of ${damaged + silent} HELLO replies arrived damaged within ${Math.round(this.opts.handshakeMs / 1000)} s (${this.quality.describe()})`,
        );
      if (r !== 'retry') {
        // back off: 50, 100, 200 ... ms, then flush whatever half frame the board holds
        await new Promise((ok) => setTimeout(ok, Math.min(1000, 50 << (silent - 1))));
        await this.transport.write(FLUSH).catch(() => undefined);
      }
    }
  }

  get isOpen(): boolean {
    return this.closed === null;
  }

  async close(): Promise<void> {
    this.closed ??= 'closed by the app';
    this.pending?.settle(new ProtocolError('DISCONNECTED', 'link closed'));
    await this.transport.close();
  }

  /**
   * Resolves when the last write has drained, or after 3 s: a write that never completes (a port
   * that stopped draining) must not block every later request, and a fresh write re-arms the
   * port's poller (transport.ts), which has got such a link moving again. A cancelled burst stops
   * within a piece or two, well inside that.
   */
  private afterLastWrite(): Promise<unknown> {
    let cap: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([this.writing, new Promise((ok) => (cap = setTimeout(ok, 3000)))]).finally(() =>
      clearTimeout(cap),
    );
  }

  /** Runs fn with the link to itself (no other request can interleave). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** One request → its reply (queued; retried on timeouts and corrupted frames). */
  request(req: Request, opts: TransactOptions = {}): Promise<Frame> {
    return this.exclusive(() => this.transact(req, opts));
  }

  /** Like request() but the caller must already hold exclusive(). */
  async transact(req: Request, opts: TransactOptions = {}): Promise<Frame> {
    const retries = opts.retries ?? this.opts.retries;
    const name = CMD_NAMES[req.cmd] ?? `0x${req.cmd.toString(16)}`;
    let lastWhy = '';
    // A damaged reply (or the board saying it could not read ours) proves the board is there and
    // costs one round trip, not a timeout; on a noisy line late error replies to an earlier burst
    // also land here. So damage gets a larger allowance than silence: 4x the retries.
    let silent = 0;
    let damaged = 0;
    const seqs = new Set<number>();
    const more = () =>
      opts.damageRetries === undefined
        ? silent + damaged / 4 <= retries
        : silent <= retries && damaged <= opts.damageRetries;
    for (let attempt = 0; more(); attempt++) {
      if (this.closed !== null)
        throw new ProtocolError('DISCONNECTED', `${this.closed}; cannot send ${name}`);
      if (opts.signal?.aborted) throw new ProtocolError('ABORTED', `${name} cancelled`);
      const result = await this.attempt(req, opts, seqs);
      if (result === 'retry' || (result instanceof ProtocolError && result.code === 'TIMEOUT')) {
        lastWhy = result === 'retry' ? 'the frame was corrupted on the line' : result.message;
        if (result === 'retry') damaged++;
        else silent++;
        continue;
      }
      if (result instanceof Error) throw result;
      return result;
    }
    throw new ProtocolError(
      'TIMEOUT',
      `board did not answer ${name} after ${silent + damaged} attempts (${silent} timed out, ${damaged} damaged; last: ${lastWhy}; ${this.quality.describe()})`,
    );
  }

  private attempt(
    req: Request,
    opts: TransactOptions,
    seqs = new Set<number>(),
  ): Promise<Frame | Error | 'retry'> {
    const seq = this.seq;
    this.seq = (this.seq + 1) % SEQ_UNKNOWN;
    const earlier = new Set(seqs);
    seqs.add(seq);
    const prefix = opts.prefix ?? [];
    // Frames are encoded lazily, while the transport has the previous piece in flight. A second
    // delimiter follows the request: if line noise eats the first, the board still sees the
    // frame end now (and answers BAD_CRC) instead of merging it with our next request. Once the
    // attempt is over (cancelled, timed out) no further frame goes out: a cancelled 32 KiB burst
    // on a 10 KB/s UART would otherwise keep writing for seconds, under the next request's.
    let stopped = false;
    function* parts(): Generator<Uint8Array> {
      if (opts.rawPrefix) yield opts.rawPrefix;
      for (const r of prefix) {
        if (stopped) return;
        yield encodeFrame(r.cmd, seq, r.body);
      }
      if (stopped) return;
      yield encodeFrame(req.cmd, seq, req.body);
      yield FLUSH;
    }
    let outBytes = (opts.rawPrefix?.length ?? 0) + req.body.length + 20;
    for (const r of prefix) outBytes += r.body.length + 20;
    this.quality.sawSent(prefix.length + 1, outBytes);
    const lineBytes = outBytes + (opts.expectBytes ?? 0);
    // A caller's own timeout covers board work (a model running, a commit validating): kept as
    // given. Otherwise the wait is what the line needs: a few measured round trips plus the
    // transfer time at the measured rate, capped by the configured worst case.
    const fixed = opts.timeoutMs !== undefined;
    const base = opts.timeoutMs ?? this.opts.timeoutMs;
    const slack = (lineBytes / this.opts.minBytesPerSec) * 1000;
    const idle = fixed ? base + slack : this.quality.timeoutMs(lineBytes, this.opts.minBytesPerSec, base);
    const t0 = performance.now();
    const name = CMD_NAMES[req.cmd] ?? `0x${req.cmd.toString(16)}`;
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let armedMs = 0;
      let written: Promise<unknown> = Promise.resolve();
      const onAbort = () => settle(new ProtocolError('ABORTED', `${CMD_NAMES[req.cmd]} cancelled`));
      const settle = (r: Frame | Error | 'retry') => {
        if (this.pending !== p) return;
        this.pending = null;
        stopped = true;
        clearTimeout(timer);
        if (r instanceof ProtocolError && r.code === 'TIMEOUT') this.quality.sawTimeout(name, armedMs);
        else if (r !== 'retry' && !(r instanceof Error) && !opts.onStream && !opts.rawPrefix)
          this.quality.sawRoundTrip(performance.now() - t0, outBytes + r.body.length + 12);
        opts.signal?.removeEventListener('abort', onAbort);
        // Never let the next attempt start writing while this one's bytes are still going out.
        // (bounded: a write stuck on a dead line must not hang the caller). The cap timer is
        // not unref'd: a write that never settles must not leave the caller awaiting with nothing
        // left to run (the process would end silently with Node's exit code 13); it is cleared
        // as soon as the write settles, so it never delays the exit either.
        let capTimer: ReturnType<typeof setTimeout> | undefined;
        const cap = new Promise((ok) => (capTimer = setTimeout(ok, 2000)));
        void Promise.race([written, cap]).finally(() => (clearTimeout(capTimer), resolve(r)));
      };
      const arm = (ms: number, quiet?: () => 'retry' | undefined) => {
        clearTimeout(timer);
        armedMs = ms;
        timer = setTimeout(
          () => settle(quiet?.() ?? new ProtocolError('TIMEOUT', `no reply within ${Math.round(ms)} ms`)),
          ms,
        );
      };
      const p: Pending = {
        seq,
        earlier,
        settle,
        touch: (ms?: number) => arm(ms === undefined ? idle : Math.min(idle, ms)),
        // Quiet after damage, and nothing intact of ours ever came: the damaged frame was most
        // likely the board's BAD_CRC for our unreadable request. That is damage, not silence.
        damaged: () =>
          opts.quietAfterDamageMs &&
          arm(Math.min(idle, opts.quietAfterDamageMs()), () => (p.heard ? undefined : 'retry')),
        opts,
        started: false,
        heard: false,
      };
      this.pending = p;
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      arm(base + 2 * slack); // covers the write too; re-armed once the bytes are out
      // The timer starts after the write completed: writing itself may be slow on a slow link.
      // Writes never overlap: one still draining (its attempt given up after the 2 s cap below)
      // goes first, so the transport never has two pieces in the OS buffer (transport.ts).
      written = this.afterLastWrite()
        .then(() => (stopped ? undefined : this.transport.write(parts())))
        .then(
          () => this.pending === p && arm(idle),
          (e: unknown) => settle(e instanceof Error ? e : new Error(String(e))),
        );
      this.writing = written;
    });
  }

  /** Bytes received since the link opened: any byte at all, damaged or not, shows the board is alive. */
  get bytesHeard(): number {
    return this.heard;
  }

  private onBytes(bytes: Uint8Array): void {
    this.heard += bytes.length;
    this.quality.sawBytes(bytes.length);
    for (const ev of this.reader.push(bytes)) {
      const p = this.pending;
      if (ev.kind === 'bad') this.quality.sawDamage();
      else this.quality.sawFrame();
      if (!p) continue; // nothing asked: stale or unsolicited, dropped
      if (ev.kind === 'bad') {
        // A reply or stream piece was corrupted. A stream notes the loss and carries on (the
        // board is evidently answering); anything else is simply sent again (idempotent).
        if (p.opts.onStream || p.opts.onReply) {
          p.started = true;
          p.opts.onDamage?.(ev.reason);
          p.damaged();
        } else p.settle('retry');
        continue;
      }
      if (ev.seq === SEQ_UNKNOWN && ev.type === MsgType.ERROR) {
        // the board could not read a frame: ours, unless our stream is already flowing
        if (p.opts.ignoreUnattributedErrors) continue;
        this.quality.sawDamage(false);
        if (!p.started && !p.opts.expectDamage) p.settle('retry');
        continue;
      }
      if (ev.seq !== p.seq && !p.earlier.has(ev.seq)) continue; // a late reply to an earlier request
      if (ev.seq === p.seq) p.started = true;
      p.heard = true;
      if (ev.type === MsgType.OP_OUTPUT && p.opts.onStream) {
        p.touch(p.opts.onStream(ev) ?? undefined);
      } else if (ev.type === MsgType.ERROR) {
        p.settle(decodeBoardError(ev.body));
      } else if (p.opts.onReply && !p.opts.onReply(ev)) {
        p.touch();
      } else {
        p.settle(ev);
      }
    }
  }
}

/** Checks that a reply has the type its request calls for. */
export function expectReply(f: Frame, cmd: number): Uint8Array {
  if (f.type !== replyType(cmd)) {
    throw new ProtocolError(
      'BAD_REPLY',
      `expected reply 0x${replyType(cmd).toString(16)} to ${CMD_NAMES[cmd]}, got type 0x${f.type.toString(16)}`,
    );
  }
  return f.body;
}
