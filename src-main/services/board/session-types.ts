/**
 * What a board session and the steps of a profile frame share (session.ts drives profile-run.ts,
 * input-write.ts and output-refetch.ts, which work through the session's protocol operations):
 * the results and options of a profile, the per-frame byte overheads, and FrameSession, the
 * operations a frame uses, which BoardSession implements. Types and constants only: every board
 * module can import it without importing the session.
 */
import type { RawDtype } from '../../core/normalize/normalize.ts';
import type { OutputHole } from '../../core/protocol/messages.ts';
import type { OpSink } from '../../core/protocol/op-assembly.ts';
import type { ArenaStats, BoardHello, InvokeDone, ModelInfo } from '../../core/protocol/replies.ts';
import type { BoardLink } from './board-link.ts';
import type { UploadOptions, UploadResult } from './upload.ts';

/** Bytes a request frame carries besides its data (header, CRC, COBS, delimiters, the reply). */
export const REQUEST_OVERHEAD = 40;
/** Bytes an OP_OUTPUT frame carries besides its data (op header, frame header, CRC, COBS). */
export const STREAM_OVERHEAD = 30;

export type RunOptions = { signal?: AbortSignal; timeoutMs?: number; runMs?: number };

/** An op output the board streamed: every output of an op on ALL_OUTPUTS boards (same `index`,
 * one entry per output), the first only on older ones. */
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
  /** Wall time of each phase, ms (where a slow or noisy line spends its time). */
  phases: ProfilePhases;
  /** Input tensors as the board holds them before the run, for each raw input (null otherwise):
   * the board's own normalization, to compare with the host's ("input" layer). */
  inputTensors: (Uint8Array | null)[];
}

export interface ProfilePhases {
  upload: number;
  commit: number;
  inputs: number;
  run: number;
  refetch: number;
  readback: number;
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
  /** Streams (profileStream): every frame starts from the reset state, not only the first. */
  resetState?: boolean;
}

/** The ops whose outputs an INVOKE streams back: firstOp..lastOp, or only `holes` (extended form). */
export interface InvokeRange {
  firstOp: number;
  lastOp: number;
  piece?: number;
  reuseInputs?: boolean;
  holes?: OutputHole[];
  copies?: number;
}

/** The operations of a board session one profile frame runs through (BoardSession's). */
export interface FrameSession {
  readonly link: BoardLink;
  /** the board streams every output of a multi-output op */
  readonly allOutputs: boolean;
  loadUnlocked(
    model: Uint8Array,
    opts: UploadOptions,
    phases?: ProfilePhases,
  ): Promise<{ model: ModelInfo; upload: UploadResult }>;
  setInput(index: number, data: Uint8Array, signal?: AbortSignal): Promise<void>;
  setRawInput(index: number, raw: RawInput, signal?: AbortSignal): Promise<void>;
  readInput(index: number, bytes: number, signal?: AbortSignal): Promise<Uint8Array>;
  invokeStreaming(
    range: InvokeRange,
    sink: OpSink,
    opts?: RunOptions & { complete?: () => boolean },
  ): Promise<{ done: InvokeDone | null; damaged: number }>;
  readTicks(count: number, signal?: AbortSignal): Promise<number[]>;
  arenaStats(): Promise<ArenaStats>;
}
