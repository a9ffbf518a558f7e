/**
 * Everything the host contributes to a comparison, from the model bytes and the input spec:
 * the simulator run (every layer's bytes), the inputs as sent to the board, the cost-model
 * estimate for the board's CPU and each layer's work for calibration. Plain data, so it can be
 * computed in a worker thread and posted back.
 */
import { readTflite } from '../model/tflite-reader.ts';
import type { CpuProfile, LayerWork } from '../simulate/cost-model.ts';
import { buildInputFrames } from '../simulate/inputs/frames.ts';
import type { InputFile } from '../simulate/inputs/load.ts';
import { invokeStream, prepare } from '../simulate/interpreter.ts';
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
  /** Inputs holding several frames run as a stream; this resets the state before every frame. */
  resetState?: boolean;
}

export interface HostSide {
  run: HostRun;
  /** The graph inputs' bytes, to send to the board. */
  inputBytes: Uint8Array[];
  profile: CpuProfile;
  estimate: { cycles: number[]; instructions?: number[]; profile: string; clockMHz: number };
  work: LayerWork[];
  /** A stream (the inputs hold several frames): every invocation's run and inputs, in order;
   * `run` and `inputBytes` are the first's. Absent for one invocation. */
  frames?: { run: HostRun; inputBytes: Uint8Array[] }[];
}

export function hostSide(s: HostSideSpec): HostSide {
  const model = readTflite(s.modelBytes);
  const pm = prepare(model, 0, { bytes: s.modelBytes });
  const spec = 'seed' in s.input ? { seed: s.input.seed } : { files: s.input.files, uint8Mode: s.uint8Mode };
  const frames = buildInputFrames(spec, pm.inputs, model.parameters);
  const runs = invokeStream(pm, frames, { taps: true, resetState: s.resetState });
  const perFrame = frames.map((inputs, k) => ({
    run: hostRun(pm, inputs, runs[k]),
    inputBytes: inputs.map((t) => toBytes(t).slice()),
  }));
  const profile = profileFor(s.cpu ?? s.boardCpu, s.cpu ? 0 : s.boardCpuHz);
  return {
    run: perFrame[0].run,
    inputBytes: perFrame[0].inputBytes,
    profile,
    estimate: hostEstimate(pm, profile),
    work: layerWork(pm.subgraph),
    ...(frames.length > 1 ? { frames: perFrame } : {}),
  };
}
