/**
 * BoardSession: the protocol-level operations issue 5 builds on — load a model, set inputs, run
 * with every op's output streamed back, read ticks and arena use — and profile(), which does all
 * of it and recovers lost stream pieces by re-running just the affected op.
 */
import { ProtocolError } from '../../core/protocol/errors.ts';
import { RAW_DTYPE_CODE, RAW_DTYPE_SIZE, type RawDtype } from '../../core/normalize/normalize.ts';
import {
  Cmd,
  OP_OUTPUT_HEADER,
  requests,
  SET_INPUT_HEADER,
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
  decodeSetInput,
  decodeTicks,
  type ArenaStats,
  type BoardHello,
  type InvokeDone,
  type LinkStats,
  type ModelInfo,
} from '../../core/protocol/replies.ts';
import { expectReply, type BoardLink } from './board-link.ts';
import { uploadModel, type UploadOptions, type UploadResult } from './upload.ts';

export interface OpResult {
  index: number;
  tensor: number;
  ticks: number;
  data: Uint8Array;
}

export interface ProfileResult {
  board: BoardHello;
  model: ModelInfo;
  ops: OpResult[];
  tickHz: number;
  totalTicks: number;
  arenaUsed: number;
  upload: UploadResult;
  /** ops whose streamed output had to be fetched again (line noise) */
  refetchedOps: number[];
  /** Input tensors as the board holds them before the run, for each raw input (null otherwise):
   * the board's own normalization, to compare with the host's ("input" layer). */
  inputTensors: (Uint8Array | null)[];
}

/** Raw sensor samples the board normalizes with the model's parameters (SET_INPUT_RAW). */
export interface RawInput {
  dtype: RawDtype;
  /** little-endian samples, as many as the input tensor has elements */
  data: Uint8Array;
}

export interface ProfileOptions extends UploadOptions {
  /** Re-run rounds in a row that may bring none of the missing op-output bytes before giving up. */
  maxRefetch?: number;
  /** Idle timeout while the board runs the model (no frame for this long = failure). */
  invokeTimeoutMs?: number;
}

/** Bytes a request frame carries besides its data (header, CRC, COBS, delimiters, the reply). */
const REQUEST_OVERHEAD = 40;
/** Bytes an OP_OUTPUT frame carries besides its data (op header, frame header, CRC, COBS). */
const STREAM_OVERHEAD = 30;

interface OpAssembly {
  tensor: number;
  ticks: number;
  data: Uint8Array;
  /** 1 per byte that arrived intact; pieces from re-runs fill the gaps (outputs are deterministic) */
  have: Uint8Array;
  got: number;
}

export class BoardSession {
  /** Multi-request operations (load, profile) run one at a time: two profiles must not mix
   * their models and inputs on one board. Single requests still interleave freely. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(readonly link: BoardLink) {}

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
    return this.serial(() => this.loadNow(model, opts));
  }

  private async loadNow(
    model: Uint8Array,
    opts: UploadOptions,
  ): Promise<{ model: ModelInfo; upload: UploadResult }> {
    const upload = await uploadModel(this.link, model, opts);
    const f = await this.link.request(requests.loadCommit(), { signal: opts.signal, timeoutMs: 10_000 });
    return { model: decodeModelInfo(expectReply(f, Cmd.LOAD_COMMIT)), upload };
  }

  /** Writes one graph input in pieces sized for the line; a piece that keeps failing is split. */
  async setInput(index: number, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    let piece = this.link.quality.frameData(this.link.hello.maxBody - SET_INPUT_HEADER, REQUEST_OVERHEAD);
    let at = 0;
    do {
      const part = data.subarray(at, at + piece);
      let f;
      try {
        f = await this.link.request(requests.setInput(index, at, part), { signal });
      } catch (e) {
        if (e instanceof ProtocolError && e.code === 'TIMEOUT' && piece > 64) {
          piece = Math.max(64, piece >> 2);
          continue;
        }
        throw e;
      }
      const ack = decodeSetInput(expectReply(f, Cmd.SET_INPUT));
      if (ack.end !== at + part.length)
        throw new ProtocolError('BAD_REPLY', `SET_INPUT ack says ${ack.end}, expected ${at + part.length}`);
      at += part.length;
    } while (at < data.length);
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
    let piece = this.link.quality.frameData(this.link.hello.maxBody - SET_INPUT_RAW_HEADER, REQUEST_OVERHEAD);
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
   * Runs the model, streaming the outputs of ops firstOp..lastOp into `sink`. Returns the
   * board's INVOKE_DONE and the number of damaged stream frames seen.
   */
  async invokeStreaming(
    range: { firstOp: number; lastOp: number; piece?: number },
    sink: Map<number, OpAssembly>,
    opts: { signal?: AbortSignal; timeoutMs?: number; runMs?: number } = {},
  ): Promise<{ done: InvokeDone; damaged: number }> {
    let damaged = 0;
    const t0 = performance.now();
    const link = this.link;
    // After a damaged frame: the line's own reply time plus twice what the rest of the run may
    // still compute (the whole run's time when known, else twice the time the run has taken so far).
    const quietAfterDamageMs = () =>
      link.quality.timeoutMs(64, 5000, 1000) + 2 * (opts.runMs ?? 2 * (performance.now() - t0)) + 250;
    const f = await this.link.request(requests.invoke({ stream: true, ...range }), {
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? 15_000, // idle: no frame for this long (covers the slowest op)
      // Never re-sent here: the board may have run (and overwritten its input memory, which the
      // arena reuses) even when no stream frame of ours got through, e.g. after an unattributed
      // BAD_CRC from line noise. A blind re-send would stream a run on clobbered inputs, with valid
      // CRCs. Callers re-send through invokeWithInputs(), which writes the inputs again first.
      retries: 0,
      onDamage: () => damaged++,
      quietAfterDamageMs,
      onStream: (frame) => {
        let p;
        try {
          p = decodeOpOutput(frame.body);
        } catch {
          damaged++;
          return;
        }
        let a = sink.get(p.op);
        if (!a || a.data.length !== p.total) {
          a = {
            tensor: p.tensor,
            ticks: p.ticks,
            data: new Uint8Array(p.total),
            have: new Uint8Array(p.total),
            got: 0,
          };
          sink.set(p.op, a);
        }
        a.data.set(p.data, p.offset);
        for (let k = p.offset; k < p.offset + p.data.length; k++) {
          if (!a.have[k]) {
            a.have[k] = 1;
            a.got++;
          }
        }
        a.ticks = p.ticks;
      },
    });
    return { done: decodeInvokeDone(expectReply(f, Cmd.INVOKE)), damaged };
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

  /**
   * Re-runs the model until every op's output in `sink` is complete. Each round re-runs once per
   * range of ops still missing bytes (neighbouring ranges merged when the complete ops between
   * them stream fewer bytes than `mergeBytes`: a run costs writing the inputs again, piece by
   * piece with a round trip each, and the model's compute), streaming in
   * frames sized for the line; pieces from all runs merge (outputs are deterministic, and each
   * piece has its own CRC). Gives up only after `maxIdle` rounds in a row that filled nothing.
   */
  private async refetchMissing(
    ops: number,
    sink: Map<number, OpAssembly>,
    maxIdle: number,
    mergeBytes: number,
    rerun: (range: { firstOp: number; lastOp: number }) => Promise<void>,
  ): Promise<number[]> {
    const missing = (i: number) => {
      const a = sink.get(i);
      return a === undefined ? Infinity : a.data.length - a.got;
    };
    const size = (i: number) => sink.get(i)?.data.length ?? 0;
    const refetched: number[] = [];
    for (let idle = 0; ; ) {
      const ranges: { firstOp: number; lastOp: number }[] = [];
      let gap = 0;
      for (let i = 0; i < ops; i++) {
        if (missing(i) === 0) {
          gap += size(i);
          continue;
        }
        const last = ranges.at(-1);
        if (last && gap <= mergeBytes) last.lastOp = i;
        else ranges.push({ firstOp: i, lastOp: i });
        gap = 0;
      }
      if (ranges.length === 0) return refetched;
      let before = 0;
      for (let i = 0; i < ops; i++) before += Math.min(missing(i), 1 << 30);
      if (idle >= maxIdle) {
        const op = ranges[0].firstOp;
        throw new ProtocolError(
          'TIMEOUT',
          `output of op ${op} could not be read intact: ${idle} re-runs in a row brought none of the missing bytes (${this.link.quality.describe()})`,
        );
      }
      for (const r of ranges) {
        for (let i = r.firstOp; i <= r.lastOp; i++) if (missing(i) > 0) refetched.push(i);
        await rerun(r);
      }
      let after = 0;
      for (let i = 0; i < ops; i++) after += Math.min(missing(i), 1 << 30);
      idle = after < before ? 0 : idle + 1;
    }
  }

  /** Upload, set inputs, run once with every op's output streamed back, read ticks and arena. */
  profile(
    modelBytes: Uint8Array,
    inputs: (Uint8Array | RawInput)[],
    opts: ProfileOptions = {},
  ): Promise<ProfileResult> {
    return this.serial(() => this.profileNow(modelBytes, inputs, opts));
  }

  private async profileNow(
    modelBytes: Uint8Array,
    inputs: (Uint8Array | RawInput)[],
    opts: ProfileOptions,
  ): Promise<ProfileResult> {
    const { model, upload } = await this.loadNow(modelBytes, opts);
    if (inputs.length !== model.inputs.length) {
      throw new ProtocolError('BAD_ARG', `model has ${model.inputs.length} input(s), ${inputs.length} given`);
    }
    inputs.forEach((d, i) => {
      if (d instanceof Uint8Array) {
        if (d.length !== model.inputs[i].bytes)
          throw new ProtocolError(
            'BAD_ARG',
            `input ${i} needs ${model.inputs[i].bytes} B, got ${d.length} B`,
          );
      } else {
        const elems = model.inputs[i].bytes / (model.inputs[i].dtype === 0 ? 4 : 1);
        if (d.data.length !== elems * (RAW_DTYPE_SIZE[d.dtype] ?? 0))
          throw new ProtocolError(
            'BAD_ARG',
            `raw input ${i} needs ${elems} ${d.dtype} samples, got ${d.data.length} B`,
          );
      }
    });
    const setAll = async () => {
      for (let i = 0; i < inputs.length; i++) {
        const d = inputs[i];
        if (d instanceof Uint8Array) await this.setInput(i, d, opts.signal);
        else await this.setRawInput(i, d, opts.signal);
      }
    };
    const sink = new Map<number, OpAssembly>();
    await setAll();
    const inputTensors: (Uint8Array | null)[] = [];
    for (let i = 0; i < inputs.length; i++)
      inputTensors.push(
        inputs[i] instanceof Uint8Array ? null : await this.readInput(i, model.inputs[i].bytes, opts.signal),
      );
    const run: { signal?: AbortSignal; timeoutMs?: number; runMs?: number } = {
      signal: opts.signal,
      timeoutMs: opts.invokeTimeoutMs,
    };
    /** INVOKE, re-sent (with the inputs written again before each re-send) while it times out. */
    const invokeWithInputs = async (range: { firstOp: number; lastOp: number; piece?: number }) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.invokeStreaming(range, sink, run);
        } catch (e) {
          if (!(e instanceof ProtocolError && e.code === 'TIMEOUT') || attempt >= 3) throw e;
          await setAll();
        }
      }
    };
    const piece = () =>
      this.link.quality.frameData(this.link.hello.maxBody - OP_OUTPUT_HEADER, STREAM_OVERHEAD, 16);
    const { done } = await invokeWithInputs({ firstOp: 0, lastOp: model.ops - 1, piece: piece() });
    run.runMs = (done.totalTicks / this.link.hello.tickHz) * 1000;
    const inputBytes = model.inputs.reduce((n, t) => n + t.bytes, 0);
    const merge = 4096 + 4 * inputBytes;
    const refetched = await this.refetchMissing(
      model.ops,
      sink,
      opts.maxRefetch ?? 4,
      merge,
      async (range) => {
        await setAll(); // the arena reuses input memory: inputs go in again before every run
        await invokeWithInputs({ ...range, piece: piece() });
      },
    );
    // Ticks of the full run (a re-run overwrote the board's table, so take the streamed values
    // of the first run where available; they come from the same counter).
    const ticks = refetched.length ? null : await this.readTicks(model.ops, opts.signal);
    const ops = Array.from({ length: model.ops }, (_, i) => {
      const a = sink.get(i)!;
      return { index: i, tensor: a.tensor, ticks: ticks ? ticks[i] : a.ticks, data: a.data };
    });
    const arena = await this.arenaStats();
    return {
      board: this.link.hello,
      model,
      ops,
      tickHz: this.link.hello.tickHz,
      totalTicks: ticks ? ticks.reduce((s, t) => s + t, 0) : done.totalTicks,
      arenaUsed: arena.arenaUsed,
      upload,
      refetchedOps: refetched,
      inputTensors,
    };
  }
}
