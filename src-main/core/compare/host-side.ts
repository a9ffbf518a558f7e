/**
 * Everything the host contributes to a comparison, from the model bytes and the input spec:
 * the simulator run (every layer's bytes), the inputs as sent to the board, the cost-model
 * estimate for the board's CPU and each layer's work for calibration. Plain data, so it can be
 * computed in a worker thread and posted back.
 */
import { readTflite } from '../model/tflite-reader.ts';
import type { CpuProfile, LayerWork } from '../simulate/cost-model.ts';
import { buildInputs, type InputFile } from '../simulate/inputs/load.ts';
import { invoke, prepare } from '../simulate/interpreter.ts';
import { layerWork } from '../simulate/layer-work.ts';
import { toBytes } from '../simulate/tensor-data.ts';
import { hostEstimate, hostRun, type HostRun } from './host-run.ts';
import { profileFor } from './timing.ts';

export interface HostSideSpec {
  modelBytes: Uint8Array;
  input: { seed: number } | { files: InputFile[] };
  uint8Mode?: 'affine' | 'bytes';
  /** Cost-model profile (e.g. cortex-m4@80), else the board's CPU at its clock. */
  cpu?: string;
  boardCpu: string;
  boardCpuHz: number;
}

export interface HostSide {
  run: HostRun;
  /** The graph inputs' bytes, to send to the board. */
  inputBytes: Uint8Array[];
  profile: CpuProfile;
  estimate: { cycles: number[]; profile: string; clockMHz: number };
  work: LayerWork[];
}

export function hostSide(s: HostSideSpec): HostSide {
  const model = readTflite(s.modelBytes);
  const pm = prepare(model, 0, { bytes: s.modelBytes });
  const spec = 'seed' in s.input ? { seed: s.input.seed } : { files: s.input.files, uint8Mode: s.uint8Mode };
  const inputs = buildInputs(spec, pm.inputs, model.parameters);
  const run = hostRun(pm, inputs, invoke(pm, inputs, { taps: true }));
  const profile = profileFor(s.cpu ?? s.boardCpu, s.cpu ? 0 : s.boardCpuHz);
  return {
    run,
    inputBytes: inputs.map((t) => toBytes(t).slice()),
    profile,
    estimate: hostEstimate(pm, profile),
    work: layerWork(pm.subgraph),
  };
}
