/**
 * API contract, part 2: argument and result types of the board, compare and report-export calls.
 * The channels that carry them are declared in `api.ts` (the one contract); import from there.
 */
import type { CompareResult } from '../core/compare/types.ts';
import type { JobArgs, SimulateInput } from './api-common.ts';

/** What a board said in its handshake (HELLO). */
export interface BoardIdentity {
  board: string;
  cpu: string;
  /** 0 when unknown (virtual board). */
  cpuHz: number;
  tickHz: number;
  arenaBytes: number;
  firmware: string;
  protocol: number;
}

export interface DiscoveredBoard {
  /** 'virtual', an emulated board ('qemu', 'qemu-m4', …) or the port path: what
   * `boards.profile({board})` takes. */
  id: string;
  kind: 'virtual' | 'qemu' | 'serial';
  /** remote: a serial port on another machine, `id` its URL (rfc2217://host:port, socket://host:port). */
  source: 'builtin' | 'usb' | 'typed' | 'remote';
  path?: string;
  /** Where a remote board is: its URL's scheme, host and TCP port. */
  remote?: { scheme: 'rfc2217' | 'socket'; host: string; port: number };
  /** The matched USB probe/bridge (vendorId/productId lower-case hex). */
  usb?: {
    vendor: string;
    kind: 'debugger' | 'bridge' | 'mcu';
    product?: string;
    vendorId: string;
    productId?: string;
  };
  /** An emulated board: the QEMU machine, its core, one line for lists. */
  emulated?: { machine: string; cpu: string; label: string };
  /** ready: answered HELLO; available: started on demand (virtual, qemu); busy: a session has it open. */
  status: 'ready' | 'available' | 'busy' | 'not-a-board';
  identity?: BoardIdentity;
  /** Why a candidate is not a board. */
  error?: string;
  /** The board died while the app held it (process exited, port gone): what happened, in plain
   * words. Cleared once it is opened again (a profile or `boards.restart`). */
  stopped?: string;
}

/** Install QuantScope firmware on a kit that does not answer HELLO: its image copied onto the kit's
 * USB drive (a folder with the probe's DETAILS.TXT / MBED.HTM / INFO_UF2.TXT; nothing else is written). */
export interface BoardInstallArgs {
  /** The kit's port (a `DiscoveredBoard.id`), asked for the handshake again afterwards. */
  board: string;
  /** The kit's USB drive folder (e.g. /media/me/NODE_F446RE). */
  drive: string;
  /** The user confirmed writing to that drive. */
  confirmed: boolean;
}

export interface BoardInstallResult {
  /** The file written on the drive, its size, and the probe (from its marker file). */
  file: string;
  bytes: number;
  kit: string;
  /** true when the port answered the handshake after the copy (identity set). */
  answered: boolean;
  identity?: BoardIdentity;
  /** When it did not answer: what to do next. */
  message?: string;
}

/** Stop a board the app holds (if it does) and start it again: a new virtual board or QEMU
 * process, or the port opened afresh; a job, since starting may build the firmware first. */
export interface BoardRestartArgs {
  jobId: string;
  /** A `DiscoveredBoard.id`. */
  board: string;
}

export interface BoardRestartResult {
  board: string;
  identity: BoardIdentity;
}

export interface BoardsListArgs {
  /** Port paths typed by the user (ptys are not in OS listings) or remote board URLs
   * (rfc2217://host:port, socket://host:port); probed with HELLO. May be empty. */
  paths: string[];
}

/**
 * Raw sensor samples for one model input: `bytes` is a .npy file (dtype from its header), or
 * little-endian samples of `dtype` when given. Normalized with the model's samplewise_norm
 * parameters on the host, and sent raw to the board, which normalizes them itself.
 */
export interface RawSampleInput {
  name: string;
  bytes: Uint8Array;
  dtype?: 'int8' | 'uint8' | 'int16' | 'uint16' | 'float32';
}

/** A simulator input, or one raw sample per model input (`{ raw }`, board profiles only). */
export type BoardProfileInput = SimulateInput | { raw: RawSampleInput[] };

export interface BoardProfileArgs extends JobArgs {
  /** A `DiscoveredBoard.id`: 'virtual', 'qemu', a port path or a remote board URL. */
  board: string;
  /** An id from `model.open` (.tflite). */
  modelId: string;
  input: BoardProfileInput;
  /** Cost-model profile for the estimates; default: the board's CPU. */
  cpu?: string;
  uint8Mode?: 'affine' | 'bytes';
  /** Input files holding several frames run as a stream (the state kept between invocations);
   * true: reset the state before every frame instead, on host and board. */
  resetState?: boolean;
}

/** Raw per-layer data for histograms / heatmaps (little-endian bytes of `dtype`). */
export interface LayerTensors {
  /** Op index; -1 for a model input. */
  index: number;
  tensor: number;
  host: Uint8Array;
  device: Uint8Array;
  /** Per-tensor quantization of the output (absent for float tensors). */
  quant?: { scale: number; zeroPoint: number };
}

export interface BoardProfileResult {
  /** Pass to `report.export`. Kept for the last 20 profiles of this app session. */
  reportId: string;
  compare: CompareResult;
  tensors: LayerTensors[];
  upload: { bytes: number; resumed: boolean };
  /** Ops whose output had to be read again (line noise). */
  refetchedOps: number[];
}

/** 'model-explorer': a .zip of Model Explorer node-data files, one per figure (max |Δ| LSB, time, bytes, ...). */
export type ReportFormat = 'html' | 'csv' | 'json' | 'pdf' | 'model-explorer';

export interface ReportExportArgs {
  reportId: string;
  format: ReportFormat;
  /** Absolute path to write (atomically). Without it the bytes come back (browser download). */
  path?: string;
}

export interface ReportExportResult {
  format: ReportFormat;
  /** Suggested file name, e.g. `person_detect-virtual.html`. */
  fileName: string;
  bytes: number;
  /** Where it was written, when a path was given. */
  path?: string;
  /** The report itself, when no path was given. */
  data?: Uint8Array;
}
