/** Command ids and request bodies of protocol v1 (firmware/PROTOCOL.md §3). */
import { BodyWriter } from './bytes.ts';
import { crc32 } from './crc32.ts';

export const Cmd = {
  HELLO: 0x01,
  LOAD_BEGIN: 0x02,
  LOAD_CHUNK: 0x03,
  LOAD_STATUS: 0x04,
  LOAD_COMMIT: 0x05,
  SET_INPUT: 0x06,
  INVOKE: 0x07,
  READ_TICKS: 0x08,
  READ_OUTPUT: 0x09,
  ARENA_STATS: 0x0a,
  RESET: 0x0b,
  SET_INPUT_RAW: 0x0c,
  ECHO: 0x0d,
  LINK_STATS: 0x0e,
  READ_INPUT: 0x0f,
} as const;
export type CmdName = keyof typeof Cmd;

export const MsgType = { OP_OUTPUT: 0x90, ERROR: 0xff } as const;
export const replyType = (cmd: number): number => (cmd | 0x80) & 0xff;

export const CHUNK_ACK = 0x01;
/** LOAD_CHUNK flag: the ACK reply also lists the ranges the board holds beyond `have` (§4). */
export const CHUNK_RANGES = 0x02;
export const INVOKE_STREAM = 0x01;
/** INVOKE flag, extended form only: restore the inputs the board saved at its last plain run. */
export const INVOKE_REUSE_INPUTS = 0x02;
/** INVOKE flags bits 2-3, extended form only: extra copies of every OP_OUTPUT piece (0..3). */
export const INVOKE_COPIES_SHIFT = 2;
/** INVOKE flag, extended form only (§8): the body ends with the stream frame number (u32). */
export const INVOKE_FRAME = 0x10;
/** INVOKE flag with INVOKE_FRAME (§8): a new frame starts from the reset state. */
export const INVOKE_RESET_STATE = 0x20;
/** HELLO `features` bit (§3): the board runs stream frames (§8). */
export const FEATURE_STREAM_STATE = 0x01;
/** INVOKE flag, any form (§3; boards with FEATURE_ALL_OUTPUTS): stream every output of an op as
 * one byte range, their concatenation in output order. */
export const INVOKE_ALL_OUTPUTS = 0x40;
/** HELLO `features` bit (§3): the board honours INVOKE_ALL_OUTPUTS. */
export const FEATURE_ALL_OUTPUTS = 0x02;

/** A stream frame (§8): its number, and whether a new frame starts from the reset state. */
export interface StreamFrame {
  frame: number;
  resetState: boolean;
}

/** Bytes of op `op`'s output from `offset`, `len` long (an extended INVOKE streams only these). */
export interface OutputHole {
  op: number;
  offset: number;
  len: number;
}
/** Header bytes of a LOAD_CHUNK body before the data. */
export const CHUNK_HEADER = 9;
/** Header bytes of an OP_OUTPUT body before the data. */
export const OP_OUTPUT_HEADER = 16;
/** Header bytes of a SET_INPUT body before the data. */
export const SET_INPUT_HEADER = 5;
/** Header bytes of a SET_INPUT_RAW body before the data (input, dtype, count, offset). */
export const SET_INPUT_RAW_HEADER = 10;

export interface Request {
  cmd: number;
  body: Uint8Array;
}

const empty = (cmd: number): Request => ({ cmd, body: new Uint8Array(0) });

export const requests = {
  hello: () => empty(Cmd.HELLO),
  loadBegin: (size: number, crc: number): Request => ({
    cmd: Cmd.LOAD_BEGIN,
    body: new BodyWriter().u32(size).u32(crc).finish(),
  }),
  /** `ack`: the board answers with LOAD_STATUS; 'ranges': and lists the ranges it holds past a gap. */
  loadChunk: (offset: number, data: Uint8Array, ack: boolean | 'ranges'): Request => ({
    cmd: Cmd.LOAD_CHUNK,
    body: new BodyWriter()
      .u32(offset)
      .u32(crc32(data))
      .u8(ack === 'ranges' ? CHUNK_ACK | CHUNK_RANGES : ack ? CHUNK_ACK : 0)
      .finish(data),
  }),
  loadStatus: () => empty(Cmd.LOAD_STATUS),
  loadCommit: () => empty(Cmd.LOAD_COMMIT),
  setInput: (input: number, offset: number, data: Uint8Array): Request => ({
    cmd: Cmd.SET_INPUT,
    body: new BodyWriter().u8(input).u32(offset).finish(data),
  }),
  /** `piece`: data bytes per OP_OUTPUT frame (omitted = the board's maximum). With
   * `reuseInputs` or `holes` the extended form (PROTOCOL.md §3), which boards before it refuse
   * with BAD_LENGTH: the board restores the inputs it saved, and streams only the holes (sorted
   * by op, then offset; none = every op in the range). */
  invoke: (opts: {
    stream: boolean;
    firstOp?: number;
    lastOp?: number;
    piece?: number;
    reuseInputs?: boolean;
    holes?: OutputHole[];
    /** extra copies of every piece (0..3; extended form), for a line that loses many */
    copies?: number;
    /** the stream frame this run is (§8; extended form): a repeated frame runs from the same state */
    frame?: StreamFrame;
    /** every output of an op, concatenated (INVOKE_ALL_OUTPUTS; only for FEATURE_ALL_OUTPUTS boards) */
    allOutputs?: boolean;
  }): Request => {
    const extended =
      opts.reuseInputs !== undefined ||
      opts.holes !== undefined ||
      opts.copies !== undefined ||
      opts.frame !== undefined;
    const copies = Math.max(0, Math.min(3, opts.copies ?? 0)) << INVOKE_COPIES_SHIFT;
    const frameFlags = opts.frame ? INVOKE_FRAME | (opts.frame.resetState ? INVOKE_RESET_STATE : 0) : 0;
    const w = new BodyWriter()
      .u8(
        (opts.stream ? INVOKE_STREAM : 0) |
          (opts.reuseInputs ? INVOKE_REUSE_INPUTS : 0) |
          copies |
          frameFlags |
          (opts.allOutputs ? INVOKE_ALL_OUTPUTS : 0),
      )
      .u16(opts.firstOp ?? 0)
      .u16(opts.lastOp ?? 0xffff);
    if (opts.piece !== undefined || extended) w.u16(opts.piece ?? 0);
    if (extended) {
      const holes = opts.holes ?? [];
      w.u16(holes.length);
      for (const h of holes) w.u16(h.op).u32(h.offset).u32(Math.min(h.len, 0xffffffff));
      if (opts.frame) w.u32(opts.frame.frame >>> 0);
    }
    return { cmd: Cmd.INVOKE, body: w.finish() };
  },
  readTicks: (firstOp: number, count: number): Request => ({
    cmd: Cmd.READ_TICKS,
    body: new BodyWriter().u16(firstOp).u16(count).finish(),
  }),
  readOutput: (output: number, offset: number, len: number): Request => ({
    cmd: Cmd.READ_OUTPUT,
    body: new BodyWriter().u8(output).u32(offset).u16(len).finish(),
  }),
  /** Raw samples of one input (`dtype`: TFLite TensorType code, `count`: samples in the whole input,
   * `offset`: byte offset of this chunk); the board normalizes once the last byte arrives. */
  setInputRaw: (input: number, dtype: number, count: number, offset: number, data: Uint8Array): Request => ({
    cmd: Cmd.SET_INPUT_RAW,
    body: new BodyWriter().u8(input).u8(dtype).u32(count).u32(offset).finish(data),
  }),
  readInput: (input: number, offset: number, len: number): Request => ({
    cmd: Cmd.READ_INPUT,
    body: new BodyWriter().u8(input).u32(offset).u16(len).finish(),
  }),
  arenaStats: () => empty(Cmd.ARENA_STATS),
  reset: () => empty(Cmd.RESET),
  echo: (data: Uint8Array): Request => ({ cmd: Cmd.ECHO, body: data.slice() }),
  linkStats: () => empty(Cmd.LINK_STATS),
};
