/**
 * Inputs and results of a host-vs-device comparison. Plain data only: these objects go through
 * the API (structured clone / JSON) and into the exporters unchanged.
 */

/** Affine quantization of a tensor (per-tensor); absent for float tensors. */
export interface Quant {
  scale: number;
  zeroPoint: number;
}

/** One tensor as the host simulator produced it (op output, or a graph input with index -1). */
export interface HostTensor {
  /** Op index in execution order; -1 for a graph input. */
  index: number;
  op: string;
  tensor: number;
  name: string;
  dtype: string;
  shape: number[];
  /** Raw little-endian bytes. */
  bytes: Uint8Array;
  quant?: Quant | null;
}

/** One op output read back from the board. */
export interface DeviceTensor {
  index: number;
  tensor: number;
  ticks: number;
  bytes: Uint8Array;
}

export interface BoardInfo {
  name: string;
  cpu: string;
  firmware: string;
  /** 0 when the board does not know its clock (virtual board). */
  cpuHz: number;
  tickHz: number;
  tickSource: string;
  arenaBytes: number;
  /** Arena bytes the loaded model uses. */
  arenaUsed?: number;
  /** Port path or 'virtual' / 'qemu'. */
  port?: string;
}

export type LayerStatus = 'match' | 'mismatch' | 'missing' | 'not-compared';

/** What kind of difference a layer shows (explain.ts has the rule); only 'rounding' is benign. */
export type DiffClass = 'rounding' | 'offset' | 'saturation' | 'wrong-channel' | 'garbage' | 'divergent';

/** One histogram bin of Δ = device − host in LSB: inclusive bounds, null for an open end. */
export interface DeltaBin {
  lo: number | null;
  hi: number | null;
  count: number;
}

export interface DiffExplanation {
  class: DiffClass;
  /** Δ in LSB over every element (the 0 bin included). */
  histogram: DeltaBin[];
  /** Mean Δ over every element (LSB). */
  meanLsb: number;
  /** sqrt(mean Δ²) over every element: the host-vs-device rmse / scale. */
  rmseLsb: number;
  /** offset: the mean Δ of the differing elements. */
  offsetLsb?: number;
  /** saturation: which side sits at the rail. */
  pinned?: 'device' | 'host';
  /** wrong-channel: the channels (last axis) holding differences (first 64). */
  channels?: number[];
}

/** The comparison's verdict with a user tolerance (tolerance.ts). */
export interface CompareVerdict {
  kind: 'match' | 'within-tolerance' | 'rounding' | 'systematic';
  text: string;
}

export interface LayerComparison {
  /** Op index; -1 for a model input row ("input"). */
  index: number;
  op: string;
  name: string;
  tensor: number;
  dtype: string;
  shape: number[];
  elements: number;
  status: LayerStatus;
  mismatches: number;
  /** Largest |host - device| in the tensor's integer steps (LSB); real units for float tensors. */
  maxAbsDiffLsb: number;
  /** Flat element index of the largest difference, -1 when identical. */
  maxDiffAt: number;
  /** Host cost-model estimate (cycles), when a CPU profile was given. */
  estCycles?: number;
  measuredTicks?: number;
  /** ticks × cpuHz / tickHz; absent when the board's clock is unknown. */
  measuredCycles?: number;
  measuredUs?: number;
  /** Share of the total measured time (0..1). */
  share?: number;
  /** A differing integer layer: Δ histogram and class (explain.ts). */
  diff?: DiffExplanation;
  /** Differs, but by at most the tolerance: counts as matching-with-rounding. */
  withinTolerance?: boolean;
}

export interface OutputComparison {
  tensor: number;
  name: string;
  /** Over dequantized (real) values. */
  rmse: number;
  cosine: number;
  top1Host: number;
  top1Device: number;
  top1Agree: boolean;
}

export interface TimingSummary {
  totalTicks: number;
  totalUs: number;
  totalCycles?: number;
  estCycles?: number;
  /** CPU profile the estimates come from, e.g. cortex-m3@25. */
  profile?: string;
  /** Clock of that profile (MHz). */
  estClockMHz?: number;
  /** Estimated time at that clock: estimated cycles / estClockMHz (on QEMU, where estCycles holds
   * the estimated instructions, the cycles are CPI × those). */
  estUs?: number;
  /** What the measured numbers count: CPU cycles, QEMU instructions or host µs. */
  measuredUnit?: 'cycles' | 'instructions' | 'host µs';
  /** Where they come from: "QEMU icount", "DWT_CYCCNT at 180 MHz", "host clock CLOCK_MONOTONIC". */
  clockSource?: string;
  /** Unit of the estimate ("M4 cycles", "M3 instructions"). */
  estUnit?: string;
  /** Estimate and measurement are on one scale; otherwise `note` says why not. */
  comparable?: boolean;
  note?: string;
}

/** The cost model fitted to this board's measurements (per op type) and how well it fits. */
export interface CalibrationSummary {
  profile: string;
  /** Fitted on measured cycles (QEMU: instructions); never on host µs. */
  basis: 'cycles';
  before: { totalRelError: number; meanRelError: number };
  after: { totalRelError: number; meanRelError: number };
  perOp: { op: string; layers: number; meanRelError: number }[];
  /** Calibrated estimate per op index. */
  estCycles: number[];
  coefficients: Record<string, { base: number; perMac: number; perOut: number; perIn: number }>;
}

export interface CompareResult {
  model: { name: string; sha256: string; ops: number };
  board: BoardInfo;
  /** How the input was made: "seed 1" or the file names. */
  input: string;
  layers: LayerComparison[];
  outputs: OutputComparison[];
  /** Op index of the first layer beyond the tolerance whose difference is systematic (else the
   * first beyond the tolerance), or null when every layer matches within it. */
  firstDivergent: number | null;
  /** No layer differs by more than the tolerance. */
  allMatch: boolean;
  /** LSB a layer may differ by and still count as matching (default 0). */
  tolerance?: number;
  verdict?: CompareVerdict;
  timing: TimingSummary;
  calibration?: CalibrationSummary;
  /** In a stream: which invocation (0-based) this comparison is of. */
  invocation?: number;
  /** A stream (several invocations, state kept between them): every invocation's comparison. */
  stream?: StreamSummary;
}

/** Where host and board first part in a stream: the invocation, then the layer in it. */
export interface StreamDivergence {
  invocation: number;
  /** Op index (-1: a model input row). */
  layer: number;
  op: string;
}

export interface StreamSummary {
  invocations: number;
  /** Every frame ran from the reset state (--reset-state) instead of the state the previous left. */
  resetState: boolean;
  /** One comparison per invocation, in order (each with `invocation`, none with `stream`). */
  runs: CompareResult[];
  firstDivergence: StreamDivergence | null;
}
