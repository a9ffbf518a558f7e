/**
 * BoardSession: the protocol-level operations issue 5 builds on — load a model, set inputs, run
 * with every op's output streamed back, read ticks and arena use — and profile()/profileStream(),
 * which do all of it frame by frame (profile-run.ts) and recover lost stream pieces by re-running.
 */
import { ProtocolError } from '../../core/protocol/errors.ts';
import { readTflite } from '../../core/model/tflite-reader.ts';
import { boardOpGaps, opGapMessage } from '../../core/simulate/op-families.ts';
import { RAW_DTYPE_CODE, RAW_DTYPE_SIZE } from '../../core/normalize/normalize.ts';
import {
  Cmd,
  FEATURE_ALL_OUTPUTS,
  FEATURE_STREAM_STATE,
  requests,
  type StreamFrame,
  SET_INPUT_RAW_HEADER,
} from '../../core/protocol/messages.ts';
import {
  decodeArenaStats,
  decodeInvokeDone,
  decodeLinkStats,
  decodeModelInfo,
  decodeOpOutput,
  decodeOutput,
  decodeSetInputRaw,
  decodeTicks,
  type ArenaStats,
  type BoardHello,
  type InvokeDone,
  type LinkStats,
  type ModelInfo,
} from '../../core/protocol/replies.ts';
import { addPiece, type OpSink } from '../../core/protocol/op-assembly.ts';
import { expectReply, type BoardLink } from './board-link.ts';
import { writeInput } from './input-write.ts';
import { profileFrame } from './profile-run.ts';
import {
  REQUEST_OVERHEAD,
  type FrameSession,
  type InvokeRange,
  type ProfileOptions,
  type ProfilePhases,
  type ProfileResult,
  type RawInput,
  type RunOptions,
} from './session-types.ts';
import { uploadModel, type UploadOptions, type UploadResult } from './upload.ts';

export type { OpResult, ProfileOptions, ProfilePhases, ProfileResult, RawInput } from './session-types.ts';

/** Raw input pieces (SET_INPUT_RAW, sent one at a time) cost a round trip each, damaged or not:
 * on a noisy line the fewest round trips come from pieces about half of which arrive intact
 * (L(1-p)^L peaks at L = 1/p), not from the byte-efficient ones the upload's bursts use. */
const INPUT_INTACT = 0.5;

export class BoardSession implements FrameSession {
  /** Multi-request operations (load, profile) run one at a time: two profiles must not mix
   * their models and inputs on one board. Single requests still interleave freely. */
  private busy: Promise<unknown> = Promise.resolve();
  /** The stream frame every INVOKE of the current run carries (PROTOCOL.md §8), on boards with it. */
  private frame: StreamFrame | null = null;
  /** Frame numbers are never reused while we hold the board: a random start, counting up. */
  private nextFrame = Math.floor(Math.random() * 0x1_0000_0000);

  constructor(readonly link: BoardLink) {}

  /** Whether the board keeps state across stream frames and re-runs a repeated frame alike (§8). */
  get streams(): boolean {
    return ((this.link.hello.features ?? 0) & FEATURE_STREAM_STATE) !== 0;
  }

  /** Whether the board streams every output of an op when asked (§3 ALL_OUTPUTS). */
  get allOutputs(): boolean {
    return ((this.link.hello.features ?? 0) & FEATURE_ALL_OUTPUTS) !== 0;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run;
  }

  get info(): BoardHello {
    return this.link.hello;
  }

  /** Uploads (resuming if the board holds part of it) and validates the model on the board. */
  load(model: Uint8Array, opts: UploadOptions = {}): Promise<{ model: ModelInfo; upload: UploadResult }> {
    return this.serial(() => this.loadUnlocked(model, opts));
  }

  /** load() for a caller already inside serial() (profileFrame). */
  async loadUnlocked(
    model: Uint8Array,
    opts: UploadOptions,
    phases?: ProfilePhases,
  ): Promise<{ model: ModelInfo; upload: UploadResult }> {
    if (!opts.boardVerdictOnly) this.checkOpGroups(model);
    const t0 = performance.now();
    const upload = await uploadModel(this.link, model, opts);
    if (phases) phases.upload = performance.now() - t0;
    const f = await this.link.request(requests.loadCommit(), { signal: opts.signal, timeoutMs: 10_000 });
    if (phases) phases.commit = performance.now() - t0 - phases.upload;
    return { model: decodeModelInfo(expectReply(f, Cmd.LOAD_COMMIT)), upload };
  }

  /** Before any upload: the ops (or dtype families of ops) the board's build lacks, named. */
  private checkOpGroups(model: Uint8Array): void {
    let parsed;
    try {
      parsed = readTflite(model);
    } catch {
      return; // not readable here: the board's core gives its verdict at commit
    }
    const gaps = boardOpGaps(parsed, this.link.hello);
    if (gaps.length) throw new ProtocolError('LACKS_OPS', opGapMessage(this.link.hello, gaps));
  }

  /** Writes one graph input in bursts of pieces sized for the line (input-write.ts). */
  setInput(index: number, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    return writeInput(this.link, index, data, signal);
  }

  /** Sends raw samples of one input in pieces; the board normalizes them into the input tensor. */
  async setRawInput(index: number, raw: RawInput, signal?: AbortSignal): Promise<void> {
    const size = RAW_DTYPE_SIZE[raw.dtype];
    if (!size || raw.data.length === 0 || raw.data.length % size)
      throw new ProtocolError(
        'BAD_ARG',
        `raw input ${index}: ${raw.data.length} B is not a whole number of ${raw.dtype} samples`,
      );
    const count = raw.data.length / size;
    let piece = this.link.quality.frameData(
      this.link.hello.maxBody - SET_INPUT_RAW_HEADER,
      REQUEST_OVERHEAD,
      32,
      INPUT_INTACT,
    );
    for (let at = 0; at < raw.data.length; ) {
      const part = raw.data.subarray(at, at + piece);
      let f;
      try {
        f = await this.link.request(requests.setInputRaw(index, RAW_DTYPE_CODE[raw.dtype], count, at, part), {
          signal,
        });
      } catch (e) {
        // noisy line: a piece that keeps getting lost is split (chunks are idempotent by offset)
        if (e instanceof ProtocolError && e.code === 'TIMEOUT' && piece > 64) {
          piece = Math.max(64, piece >> 2);
          continue;
        }
        throw e;
      }
      const ack = decodeSetInputRaw(expectReply(f, Cmd.SET_INPUT_RAW));
      at += part.length;
      if (ack.end !== at)
        throw new ProtocolError('BAD_REPLY', `SET_INPUT_RAW ack says ${ack.end}, expected ${at}`);
      if (ack.normalized !== (at === raw.data.length))
        throw new ProtocolError(
          'BAD_REPLY',
          `SET_INPUT_RAW: board normalized=${ack.normalized} at byte ${at} of ${raw.data.length}`,
        );
    }
  }

  /** Reads input tensor `index` as the board holds it now (before INVOKE reuses its memory). */
  async readInput(index: number, bytes: number, signal?: AbortSignal): Promise<Uint8Array> {
    const out = new Uint8Array(bytes);
    const per = this.link.hello.maxBody - 5;
    for (let at = 0; at < bytes; ) {
      const want = Math.min(per, bytes - at, 0xffff);
      const f = await this.link.request(requests.readInput(index, at, want), { signal });
      const p = decodeOutput(expectReply(f, Cmd.READ_INPUT));
      if (p.offset !== at || p.data.length === 0 || p.data.length > bytes - at)
        throw new ProtocolError(
          'BAD_REPLY',
          `READ_INPUT returned ${p.data.length} B at ${p.offset}, expected up to ${want} B at ${at}`,
        );
      out.set(p.data, at);
      at += p.data.length;
    }
    return out;
  }

  /** Reads graph output `index` after an INVOKE (valid until the next one). */
  async readOutput(index: number, bytes: number, signal?: AbortSignal): Promise<Uint8Array> {
    const out = new Uint8Array(bytes);
    const per = Math.min(this.link.hello.maxBody - 5, 0xffff);
    for (let at = 0; at < bytes; ) {
      const f = await this.link.request(requests.readOutput(index, at, per), { signal });
      const p = decodeOutput(expectReply(f, Cmd.READ_OUTPUT));
      if (p.offset !== at || p.data.length === 0 || p.data.length > bytes - at)
        throw new ProtocolError(
          'BAD_REPLY',
          `READ_OUTPUT returned ${p.data.length} B at ${p.offset}, expected data at ${at}`,
        );
      out.set(p.data, at);
      at += p.data.length;
    }
    return out;
  }

  /**
   * Runs the model, streaming the outputs of ops firstOp..lastOp (or only `holes`, extended form)
   * into `sink`. Returns the board's INVOKE_DONE and the number of damaged stream frames seen.
   * When `complete` says every byte asked for is in, a lost INVOKE_DONE costs only a short wait:
   * `done` is then null.
   */
  async invokeStreaming(
    range: InvokeRange,
    sink: OpSink,
    opts: RunOptions & { complete?: () => boolean } = {},
  ): Promise<{ done: InvokeDone | null; damaged: number }> {
    let damaged = 0;
    const t0 = performance.now();
    const link = this.link;
    // After a damaged frame (or once everything asked for is in): the line's own reply time plus
    // what the rest of the run may still take (a whole run's time when known, else twice the time
    // this one has taken so far).
    const quietMs = () =>
      link.quality.timeoutMs(64, 5000, 1000) + (opts.runMs ?? 2 * (performance.now() - t0)) + 50;
    try {
      const frame = this.frame ?? undefined;
      // every output of an op where the board can (§3 ALL_OUTPUTS), else the first only
      const invoke = requests.invoke({ stream: true, ...range, frame, allOutputs: this.allOutputs });
      const f = await this.link.request(invoke, {
        signal: opts.signal,
        // idle: no frame for this long. Covers the slowest op; once a run's time is known, a re-run
        // (which may compute every op before the first hole) gets three times that
        timeoutMs:
          opts.timeoutMs ?? (opts.runMs === undefined ? 15_000 : Math.min(15_000, 1000 + 3 * opts.runMs)),
        // Never re-sent here: the board may have run (and overwritten its input memory, which the
        // arena reuses) even when no stream frame of ours got through, e.g. after an unattributed
        // BAD_CRC from line noise. A blind re-send would stream a run on clobbered inputs, with
        // valid CRCs. Callers re-send with the saved inputs restored, or write them again first.
        retries: 0,
        // ... except a run on the saved inputs: the board restores them first, so a request it
        // could not read is simply sent again (pieces of any attempt count). A re-send costs one
        // round trip, a round given up costs a whole re-run: 24 (a request listing many holes
        // arrives intact 1 time in 3 on a noisy line; 9 tries all failed in 1 round of 6)
        damageRetries: range.reuseInputs ? 24 : 0,
        onDamage: () => damaged++,
        quietAfterDamageMs: quietMs,
        onStream: (frame) => {
          try {
            addPiece(sink, decodeOpOutput(frame.body));
          } catch {
            damaged++;
            return;
          }
          return opts.complete?.() ? quietMs() : undefined;
        },
      });
      return { done: decodeInvokeDone(expectReply(f, Cmd.INVOKE)), damaged };
    } catch (e) {
      if (e instanceof ProtocolError && e.code === 'TIMEOUT' && opts.complete?.())
        return { done: null, damaged };
      throw e;
    }
  }

  async readTicks(count: number, signal?: AbortSignal): Promise<number[]> {
    const per = Math.floor((this.link.hello.maxBody - 4) / 4);
    const ticks: number[] = [];
    for (let first = 0; first < count; first += per) {
      const f = await this.link.request(requests.readTicks(first, Math.min(per, count - first)), { signal });
      ticks.push(...decodeTicks(expectReply(f, Cmd.READ_TICKS)).ticks);
    }
    return ticks;
  }

  async arenaStats(): Promise<ArenaStats> {
    return decodeArenaStats(expectReply(await this.link.request(requests.arenaStats()), Cmd.ARENA_STATS));
  }

  async linkStats(): Promise<LinkStats> {
    return decodeLinkStats(expectReply(await this.link.request(requests.linkStats()), Cmd.LINK_STATS));
  }

  async echo(data: Uint8Array): Promise<Uint8Array> {
    return expectReply(await this.link.request(requests.echo(data), { expectBytes: data.length }), Cmd.ECHO);
  }

  async reset(): Promise<void> {
    expectReply(await this.link.request(requests.reset()), Cmd.RESET);
  }

  /** Upload, set inputs, run once with every op's output streamed back, read ticks and arena. */
  async profile(
    modelBytes: Uint8Array,
    inputs: (Uint8Array | RawInput)[],
    opts: ProfileOptions = {},
  ): Promise<ProfileResult> {
    return (await this.profileStream(modelBytes, [inputs], opts))[0];
  }

  /**
   * Upload once, then run one frame per entry of `frames` WITHOUT resetting the state in between
   * (as firmware does; `resetState`: every frame from the reset state), each with every op's
   * output streamed back: one result per frame. On boards with stream frames (§8) every INVOKE
   * carries its frame number, so re-runs for lost pieces never move the state on twice; older
   * boards run single frames only.
   */
  profileStream(
    modelBytes: Uint8Array,
    frames: (Uint8Array | RawInput)[][],
    opts: ProfileOptions = {},
  ): Promise<ProfileResult[]> {
    return this.serial(async () => {
      if (frames.length === 0) throw new ProtocolError('BAD_ARG', 'a stream needs at least one frame');
      if (frames.length > 1 && !this.streams)
        throw new ProtocolError(
          'UNSUPPORTED',
          `board ${this.link.hello.board} (firmware ${this.link.hello.firmware}) cannot run a stream of ${frames.length} invocations: it does not keep the model's state across retried INVOKEs (PROTOCOL.md §8); update its firmware or run one frame`,
        );
      const results: ProfileResult[] = [];
      let loaded: { model: ModelInfo; upload: UploadResult } | undefined;
      const started = performance.now();
      try {
        for (let k = 0; k < frames.length; k++) {
          this.frame = this.streams
            ? { frame: this.nextFrame++ >>> 0, resetState: k === 0 || Boolean(opts.resetState) }
            : null;
          results.push(await profileFrame(this, modelBytes, frames[k], opts, started, loaded));
          loaded ??= { model: results[0].model, upload: results[0].upload };
        }
      } finally {
        this.frame = null;
      }
      return results;
    });
  }
}
