/** Typed decoding of board replies (firmware/PROTOCOL.md §3, §5). Bodies are untrusted. */
import { BodyReader } from './bytes.ts';
import { boardErrorName, ProtocolError } from './errors.ts';

export interface BoardHello {
  protocol: number;
  maxBody: number;
  cpuHz: number;
  tickHz: number;
  arenaBytes: number;
  maxModelBytes: number;
  maxOps: number;
  board: string;
  firmware: string;
  cpu: string;
  tickSource: string;
  /** TFLite builtin operator codes the firmware core implements. */
  ops: number[];
  /** Dtype families (int8 1, int16 2, float32 4) whose kernels the build compiles in; absent from
   * boards before op groups. */
  families?: number;
  /** Per entry of `ops`: the families it has kernels for in this build (low nibble) and those its
   * registry entry declares but the build leaves out (high nibble); absent like `families`. */
  opDtypes?: number[];
  /** Feature bits after the op groups (FEATURE_STREAM_STATE: stream frames, PROTOCOL.md §8);
   * absent from boards before them. */
  features?: number;
}

export type LoadState = 'idle' | 'receiving' | 'loaded';
export interface LoadStatus {
  have: number;
  size: number;
  crc: number;
  state: LoadState;
  /** Last chunk error since LOAD_BEGIN (0 = none), as a wire code. */
  lastError: number;
  /** [start, end) ranges the board holds beyond `have` (chunks past a gap), sorted; only in the
   * reply to an ACK chunk with the RANGES flag, from boards that keep such chunks (§4). */
  ranges?: [number, number][];
}

export interface TensorIo {
  tensor: number;
  /** TFLite TensorType value (9 = int8). */
  dtype: number;
  bytes: number;
}
export interface ModelInfo {
  ops: number;
  tensors: number;
  arenaUsed: number;
  tensorBytes: number;
  inputs: TensorIo[];
  outputs: TensorIo[];
}

export interface OpOutputPiece {
  op: number;
  tensor: number;
  ticks: number;
  total: number;
  offset: number;
  data: Uint8Array;
}
export interface InvokeDone {
  status: number;
  ops: number;
  totalTicks: number;
}
export interface TicksReply {
  firstOp: number;
  ticks: number[];
}
export interface OutputPiece {
  output: number;
  offset: number;
  data: Uint8Array;
}
export interface ArenaStats {
  arenaBytes: number;
  arenaUsed: number;
  tensorBytes: number;
  modelBytes: number;
  maxModelBytes: number;
}
export interface LinkStats {
  rxBytes: number;
  rxFrames: number;
  dropped: number;
  badCrc: number;
  tooLarge: number;
}

export function decodeHello(body: Uint8Array): BoardHello {
  const r = new BodyReader(body, 'HELLO reply');
  const h = {
    protocol: r.u8(),
    maxBody: r.u16(),
    cpuHz: r.u32(),
    tickHz: r.u32(),
    arenaBytes: r.u32(),
    maxModelBytes: r.u32(),
    maxOps: r.u16(),
    board: r.str(),
    firmware: r.str(),
    cpu: r.str(),
    tickSource: r.str(),
    ops: [] as number[],
  };
  const n = r.u16();
  for (let i = 0; i < n; i++) h.ops.push(r.i32());
  // op groups (PROTOCOL.md §3): the build's families, then one mask per op code; older boards
  // end after the op codes
  const groups = r.rest();
  if (groups.length === 0) return h;
  // then features:u8 (boards before it end after the op groups); later bytes are for later hosts
  if (groups.length < 1 + n)
    throw new ProtocolError('BAD_REPLY', `HELLO reply: ${groups.length} B of op groups for ${n} ops`);
  const features = groups.length > 1 + n ? { features: groups[1 + n] } : {};
  return { ...h, families: groups[0], opDtypes: [...groups.subarray(1, 1 + n)], ...features };
}

const LOAD_STATES: LoadState[] = ['idle', 'receiving', 'loaded'];
export function decodeLoadStatus(body: Uint8Array): LoadStatus {
  const r = new BodyReader(body, 'LOAD_STATUS reply');
  const have = r.u32();
  const size = r.u32();
  const crc = r.u32();
  const s = r.u8();
  const lastError = r.u16();
  let ranges: [number, number][] | undefined;
  if (body.length > 15) {
    ranges = [];
    let prev = have;
    for (let n = r.u8(), i = 0; i < n; i++) {
      const start = r.u32();
      const end = r.u32();
      if (start <= prev || end <= start || end > size)
        throw new ProtocolError(
          'BAD_REPLY',
          `LOAD_STATUS reply: range ${start}..${end} out of order or past ${size} B`,
        );
      ranges.push([start, end]);
      prev = end;
    }
  }
  r.end();
  const state = LOAD_STATES[s];
  if (!state) throw new ProtocolError('BAD_REPLY', `LOAD_STATUS reply: unknown state ${s}`);
  return ranges ? { have, size, crc, state, lastError, ranges } : { have, size, crc, state, lastError };
}

export function decodeModelInfo(body: Uint8Array): ModelInfo {
  const r = new BodyReader(body, 'MODEL_INFO reply');
  const m = { ops: r.u16(), tensors: r.u16(), arenaUsed: r.u32(), tensorBytes: r.u32() };
  const nIn = r.u8();
  const nOut = r.u8();
  const io = (): TensorIo => ({ tensor: r.u16(), dtype: r.u8(), bytes: r.u32() });
  const inputs = Array.from({ length: nIn }, io);
  const outputs = Array.from({ length: nOut }, io);
  r.end();
  return { ...m, inputs, outputs };
}

export function decodeSetInput(body: Uint8Array): { input: number; end: number } {
  const r = new BodyReader(body, 'SET_INPUT reply');
  const v = { input: r.u8(), end: r.u32() };
  r.end();
  return v;
}

/** SET_INPUT_RAW reply: `normalized` once the whole sample arrived and went into the input tensor. */
export function decodeSetInputRaw(body: Uint8Array): { input: number; end: number; normalized: boolean } {
  const r = new BodyReader(body, 'SET_INPUT_RAW reply');
  const v = { input: r.u8(), end: r.u32(), normalized: r.u8() === 1 };
  r.end();
  return v;
}

export function decodeOpOutput(body: Uint8Array): OpOutputPiece {
  const r = new BodyReader(body, 'OP_OUTPUT');
  const p = { op: r.u16(), tensor: r.u16(), ticks: r.u32(), total: r.u32(), offset: r.u32(), data: r.rest() };
  if (p.offset + p.data.length > p.total) {
    throw new ProtocolError(
      'BAD_REPLY',
      `OP_OUTPUT op ${p.op}: bytes ${p.offset}+${p.data.length} past its size ${p.total}`,
    );
  }
  return p;
}

export function decodeInvokeDone(body: Uint8Array): InvokeDone {
  const r = new BodyReader(body, 'INVOKE reply');
  const v = { status: r.u8(), ops: r.u16(), totalTicks: r.u32() };
  r.end();
  return v;
}

export function decodeTicks(body: Uint8Array): TicksReply {
  const r = new BodyReader(body, 'READ_TICKS reply');
  const firstOp = r.u16();
  const count = r.u16();
  const ticks = Array.from({ length: count }, () => r.u32());
  r.end();
  return { firstOp, ticks };
}

export function decodeOutput(body: Uint8Array): OutputPiece {
  const r = new BodyReader(body, 'READ_OUTPUT reply');
  return { output: r.u8(), offset: r.u32(), data: r.rest() };
}

export function decodeArenaStats(body: Uint8Array): ArenaStats {
  const r = new BodyReader(body, 'ARENA_STATS reply');
  const v = {
    arenaBytes: r.u32(),
    arenaUsed: r.u32(),
    tensorBytes: r.u32(),
    modelBytes: r.u32(),
    maxModelBytes: r.u32(),
  };
  r.end();
  return v;
}

export function decodeLinkStats(body: Uint8Array): LinkStats {
  const r = new BodyReader(body, 'LINK_STATS reply');
  const v = { rxBytes: r.u32(), rxFrames: r.u32(), dropped: r.u32(), badCrc: r.u32(), tooLarge: r.u32() };
  r.end();
  return v;
}

/** Turns an ERROR frame body into the ProtocolError it reports. */
export function decodeBoardError(body: Uint8Array): ProtocolError {
  try {
    const r = new BodyReader(body, 'ERROR');
    const wire = r.u16();
    const detail = { cmd: r.u8(), op: r.i16(), tensor: r.i16(), coreStatus: r.u8() };
    const msg = r.str();
    const code = boardErrorName(wire);
    const where = [
      detail.op >= 0 ? `op ${detail.op}` : '',
      detail.tensor >= 0 ? `tensor ${detail.tensor}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return new ProtocolError(code, `board error ${code}${where ? ` (${where})` : ''}: ${msg}`, detail);
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
}
