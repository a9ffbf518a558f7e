/** The simulate part of the API contract (api.ts re-exports it). */
import type { LayerReport, OutputReport } from '../core/simulate/dump.ts';
import type { JobArgs, SimulateInput } from './api-common.ts';

export interface SimulateRunArgs extends JobArgs {
  /** An id from `model.open`. */
  modelId: string;
  input: SimulateInput;
  /** Cost-model CPU profile, e.g. `cortex-m4` or `cortex-m4@80` (MHz); adds cycle estimates. */
  cpu?: string;
  /**
   * How a uint8 .npy feeds an int8 input: 'affine' (default) treats values as pixels mapped through
   * the input's scale/zero point; 'bytes' takes them as the int8 bytes themselves (CLI `--u8-bytes`).
   */
  uint8Mode?: 'affine' | 'bytes';
}

export interface SimulateResult {
  model: string;
  /** Every op's output statistics (histogram, saturation, ...), in execution order. */
  layers: (LayerReport & { est_cycles?: number })[];
  /** The model outputs with values and top-k. */
  outputs: OutputReport[];
  /** Wall time of the inference in the worker (taps on), ms. */
  elapsed_ms: number;
  estimate?: { cpu: string; cycles: number; ms: number };
  /** Handle for `simulate.layer` (the run's per-layer outputs stay on the main side; the last few runs are kept). */
  runId?: string;
  /** Per UNIDIRECTIONAL_SEQUENCE_LSTM layer: its gates at every time step (absent without LSTMs). */
  gates?: SimulateLstmGates[];
  /**
   * Input files holding several frames run as a stream: one invocation per frame, the state kept
   * between them (as firmware runs). `layers`, `outputs` and the taps are then the LAST
   * invocation's; `outputs` here are every invocation's, in order.
   */
  stream?: { invocations: number; outputs: OutputReport[][] };
}

/**
 * One LSTM layer's gate activations and cell state over the run, as the core computed them (batch
 * row 0), real values, each [steps x units] time-major; `saturation`: the fraction of each gate's
 * activations at its rails (sigmoid < 0.01 or > 0.99, tanh beyond +/-0.99).
 */
export interface SimulateLstmGates {
  /** Op index (`SimulateResult.layers[i].index`). */
  index: number;
  units: number;
  steps: number;
  forget: number[];
  input: number[];
  cell: number[];
  output: number[];
  cellState: number[];
  saturation: { forget: number; input: number; cell: number; output: number };
}

export interface SimulateLayerArgs {
  /** `SimulateResult.runId` of a recent run. */
  runId: string;
  /** Op index (`SimulateResult.layers[i].index`). */
  layer: number;
}

/** One layer's output tensor of a run: raw little-endian bytes of `dtype` (int8 bytes, float32, ...). */
export interface SimulateLayerTensor {
  index: number;
  tensor: number;
  dtype: string;
  shape: number[];
  data: Uint8Array;
  /** Per-tensor quantization of the output (absent for float or per-channel tensors). */
  quant?: { scale: number; zeroPoint: number };
}
