/**
 * API contract, part 4: the session's results (issue 19 "results stay"). Every simulation, board
 * profile and quantization report the main side produces is kept for the app session under the
 * model it belongs to (by content: the sha256 of the model bytes, so a model opened again — a new
 * `model.open` id — finds its results), listed by `results.list`, fetched whole by `results.get`
 * and compared two at a time by `results.compare`.
 * The channels that carry them are declared in `api.ts` (the one contract); import from there.
 */
import type { LayerStatus } from '../core/compare/types.ts';
import type { QuantizeReportResult, QuantizeRunResult } from './api-quantize.ts';
import type { BoardProfileResult } from './api-boards.ts';
import type { SimulateLayerTensor, SimulateResult } from './api-simulate.ts';

export type ResultKind = 'simulation' | 'profile' | 'quantization';

/** One kept result, as the History lists it (no tensors, no model bytes). */
export interface ResultSummary {
  /** Handle for `results.get` / `results.compare`, e.g. `res-3`. */
  id: string;
  kind: ResultKind;
  /** ISO 8601 time the result was made. */
  createdAt: string;
  /** The model the result is of (its file name) and its sha256 (hex). */
  modelName: string;
  modelSha256: string;
  /**
   * Other models the result also belongs to: a quantization made from a float model belongs to the
   * int8 model it produced too (sha256 of those bytes), so opening that model finds its report.
   */
  alsoFor: string[];
  /** One line for lists: "virtual board · seed 1", "host · cortex-m4@80 · seed 1", "quantized · minmax". */
  label: string;
  /** Where it ran: the board's name, "host" for simulations, "quantizer" for reports. */
  where: string;
  /** What input it ran on ("seed 1", file names, "32 samples"). */
  input: string;
  /** The result's headline: a profile's verdict, a simulation's top class, a report's output rmse. */
  headline: string;
  /** Per-layer rows the result has (ops of a run, rows of a report). */
  layers: number;
}

/** A kept result in full: the summary and what the call returned. */
export type StoredResult =
  | (ResultSummary & { kind: 'simulation'; simulation: SimulateResult })
  | (ResultSummary & { kind: 'profile'; profile: BoardProfileResult })
  | (ResultSummary & { kind: 'quantization'; quantization: QuantizeRunResult | QuantizeReportResult });

export interface ResultsListArgs {
  /** An id from `model.open`: its results are marked `forModel` (and listed first). */
  modelId: string;
}

export interface ResultsList {
  /** sha256 of the asked model. */
  modelSha256: string;
  /** Every result of the session, newest first; `forModel`: it belongs to the asked model. */
  entries: (ResultSummary & { forModel: boolean })[];
}

export interface ResultsCompareArgs {
  /** Two `ResultSummary.id`s: A (the reference side) and B. */
  a: string;
  b: string;
}

/** One side of a layer row: what that result knows of the layer. */
export interface ResultSideLayer {
  /** Measured time (profiles), µs on the board's clock; absent when the board has no timing. */
  measuredUs?: number;
  /** Measured cycles (QEMU: instructions), when the board knows its clock. */
  measuredCycles?: number;
  /** Cost-model estimate, cycles. */
  estCycles?: number;
  /** A profile's verdict on this layer against the host, and its max |Δ| (LSB). */
  status?: LayerStatus;
  hostDiffLsb?: number;
  /** A quantization report's rmse/scale and max |error| at this layer. */
  rmseOverScale?: number;
  maxAbsError?: number;
  /** Output scale of the layer in this result (quantization reports, or quantized outputs). */
  scale?: number;
}

/** A and B's outputs at one layer against each other (the compare core's element diff). */
export interface SideBySideDiff {
  elements: number;
  mismatches: number;
  /** Largest |A − B|: integer steps (LSB) when both sides quantize alike, else real units. */
  maxAbsDiff: number;
  unit: 'LSB' | 'real';
}

export interface SideBySideLayer {
  /** Op index (int8 op index for reports). */
  index: number;
  op: string;
  /** Output tensor name. */
  name: string;
  a: ResultSideLayer | null;
  b: ResultSideLayer | null;
  /** Outputs compared (runs with tensors on both sides, same op, same element count), else null. */
  outputs: SideBySideDiff | null;
  /** Why `outputs` is null, when one side has the tensor and the other cannot be paired with it. */
  outputsNote?: string;
  /** B's time / A's time, only when both sides are measured on one scale. */
  timeRatio?: number;
}

export interface SideBySideTiming {
  /** What each side's per-layer time is ("host µs on virtual", "M4 cycles estimate"…), or null. */
  unitA: string | null;
  unitB: string | null;
  /** Both times are on one scale (same unit and clock source): ratios are shown. */
  comparable: boolean;
  /** When not comparable: why ("not comparable: host µs vs instructions"). */
  note?: string;
  totalA?: number;
  totalB?: number;
}

export interface ResultsComparison {
  a: ResultSummary;
  b: ResultSummary;
  layers: SideBySideLayer[];
  /** Layers whose outputs were compared and are identical / differ. */
  identicalLayers: number;
  differingLayers: number;
  /** First layer (op index) whose outputs differ, or null. */
  firstDivergent: number | null;
  timing: SideBySideTiming;
  /** A and B are different models (e.g. before and after re-quantization): layers paired by index. */
  crossModel: boolean;
}

/** Internal: a kept simulation's per-layer outputs (first output of each op), for comparison. */
export type KeptTaps = SimulateLayerTensor[];
