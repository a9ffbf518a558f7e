/**
 * Profile = upload the model to a board, run it with an input, read back every op's output and
 * ticks; the same input runs in the host simulator; then compare per layer (core/compare). Inputs
 * holding several frames run as a stream on both sides (the state kept between invocations, or
 * reset before each with `resetState`) and are compared invocation by invocation.
 */
import { createHash } from 'node:crypto';
import {
  calibrationSummary,
  compareRun,
  deviceDump,
  streamCompare,
  hostSide,
  type CompareResult,
  type DeviceTensor,
  type HostRun,
  type HostSide,
  type HostSideSpec,
} from '../../core/compare/index.ts';
import { readTflite } from '../../core/model/tflite-reader.ts';
import { describeNormalization, rawInputTensors } from '../../core/normalize/raw-input.ts';
import { NormalizeError, rawSamples, type RawDtype } from '../../core/normalize/normalize.ts';
import type { GoldenDump } from '../../core/simulate/dump.ts';
import type { InputFile } from '../../core/simulate/inputs/load.ts';
import { isNpy, parseNpy } from '../../core/simulate/inputs/npy.ts';
import { toBytes } from '../../core/simulate/tensor-data.ts';
import type { RawSampleInput } from '../../shared/api.ts';
import type { BoardSession, ProfileResult, RawInput } from './session.ts';

export interface ProfileCompareOptions {
  modelName: string;
  modelBytes: Uint8Array;
  /** `raw`: sensor samples the host normalizes with the model's parameters and the board too. */
  input: { seed: number } | { files: InputFile[] } | { raw: RawSampleInput[] };
  uint8Mode?: 'affine' | 'bytes';
  /** Cost-model profile, e.g. cortex-m4@80; default: the board's CPU (cortex-m4 when unknown). */
  cpu?: string;
  /** Port or kind shown in reports. */
  port?: string;
  onProgress?: (fraction: number, message: string) => void;
  signal?: AbortSignal;
  /** Re-runs per op whose streamed output was damaged, and the invoke idle timeout (session.ts). */
  link?: { maxRefetch?: number; invokeTimeoutMs?: number };
  /** A stream (inputs holding several frames): reset the state before every frame. */
  resetState?: boolean;
}

export interface ProfileCompareResult {
  compare: CompareResult;
  /** Board outputs in the golden format (for --dump); a stream's: the invocation `compare` shows. */
  deviceDump: GoldenDump;
  /** A stream: every invocation's board outputs in the golden format, in order. */
  deviceDumps?: GoldenDump[];
  profile: Omit<ProfileResult, 'ops'>;
  /** Host side of every layer and the board's outputs (raw bytes), for histograms / heatmaps. */
  host: HostRun;
  device: DeviceTensor[];
  /** The input tensors as the board held them (its own normalization of raw samples), else as sent. */
  deviceInputs: Uint8Array[];
  /** The model's work per layer for calibrate (plain data). */
  work: { op: string; macs: number; outputElements: number; inputElements: number }[];
}

/** Host side computed elsewhere (a worker thread); gets the board's CPU from its handshake. */
export type HostSideProvider = (spec: HostSideSpec) => Promise<HostSide>;

export async function profileAndCompare(
  session: BoardSession,
  o: ProfileCompareOptions,
  provideHost: HostSideProvider = async (spec) => hostSide(spec),
): Promise<ProfileCompareResult> {
  const progress = o.onProgress ?? (() => undefined);
  const hello = session.info;
  progress(0, 'Simulating on the host');
  const raw = 'raw' in o.input ? rawProfileInputs(o.modelBytes, o.input.raw) : undefined;
  const side = await provideHost({
    modelBytes: o.modelBytes,
    input: raw ? { files: [raw.hostBin] } : (o.input as HostSideSpec['input']),
    uint8Mode: o.uint8Mode,
    cpu: o.cpu,
    boardCpu: hello.cpu,
    boardCpuHz: hello.cpuHz,
    resetState: o.resetState,
  });
  const frames = side.frames ?? [{ run: side.run, inputBytes: side.inputBytes }];
  progress(0.1, `Uploading ${o.modelName} to ${hello.board}`);
  const devs = await session.profileStream(
    o.modelBytes,
    raw ? [raw.device] : frames.map((f) => f.inputBytes),
    {
      // 8 re-runs: on a 1e-3 noisy line 3 are sometimes not enough to read a 2 KB output intact.
      maxRefetch: 8,
      ...o.link,
      signal: o.signal,
      resetState: o.resetState,
      onProgress: (p) =>
        progress(0.1 + 0.7 * (p.sent / Math.max(1, p.total)), `Uploading ${p.sent}/${p.total} B`),
    },
  );
  progress(0.85, 'Comparing layers');
  const runs = devs.map((dev, k) => compareFrame(o, hello, side, raw?.label, frames[k], dev));
  // a stream shows the first invocation where host and board part (else the first)
  const compare =
    runs.length > 1
      ? streamCompare(
          runs.map((r) => r.compare),
          Boolean(o.resetState),
        )
      : runs[0].compare;
  const top = runs[compare.invocation ?? 0];
  const { host, device, deviceInputs } = top;
  const dev = devs[compare.invocation ?? 0];
  const work = side.work;
  // A fit is only offered when estimate and measurement are on one scale (not host µs vs M4 cycles).
  // On QEMU icount both sides count instructions, so the fit is in instructions (CPI 1).
  const fitProfile =
    compare.timing.measuredUnit === 'instructions' ? { ...side.profile, cpi: 1 } : side.profile;
  const calibration = compare.timing.comparable
    ? calibrationSummary(fitProfile, work, compare.layers)
    : undefined;
  if (calibration) compare.calibration = calibration;
  const { ops: _ops, ...rest } = dev;
  const where = compare.stream?.firstDivergence;
  progress(
    1,
    compare.allMatch
      ? compare.stream
        ? `All layers match in all ${compare.stream.invocations} invocations`
        : 'All layers match'
      : where
        ? `First divergence: invocation ${where.invocation}, layer ${where.layer}`
        : `First divergent layer: ${compare.firstDivergent}`,
  );
  return {
    compare,
    deviceDump: deviceDump(o.modelName, hello.board, host.inputs, host.layers, device),
    ...(runs.length > 1
      ? {
          deviceDumps: runs.map((r) =>
            deviceDump(o.modelName, hello.board, r.host.inputs, r.host.layers, r.device),
          ),
        }
      : {}),
    profile: rest,
    host,
    device,
    deviceInputs,
    work,
  };
}

/** One invocation's comparison: the host's run of that frame against what the board streamed. */
function compareFrame(
  o: ProfileCompareOptions,
  hello: BoardSession['info'],
  side: HostSide,
  rawLabel: string | undefined,
  frame: { run: HostRun; inputBytes: Uint8Array[] },
  dev: ProfileResult,
): { compare: CompareResult; host: HostRun; device: DeviceTensor[]; deviceInputs: Uint8Array[] } {
  const host = frame.run;
  // raw samples: the "input" row compares the host's normalization with the board's own
  const deviceInputs = dev.inputTensors.map((t, i) => t ?? frame.inputBytes[i]);
  const device = dev.ops.map((op) => ({
    index: op.index,
    tensor: op.tensor,
    ticks: op.ticks,
    bytes: op.data,
  }));
  const compare = compareRun({
    model: { name: o.modelName, sha256: createHash('sha256').update(o.modelBytes).digest('hex') },
    board: {
      name: hello.board,
      cpu: hello.cpu,
      firmware: hello.firmware,
      cpuHz: hello.cpuHz,
      tickHz: dev.tickHz,
      tickSource: hello.tickSource,
      arenaBytes: hello.arenaBytes,
      arenaUsed: dev.arenaUsed,
      ...(o.port ? { port: o.port } : {}),
    },
    input: rawLabel
      ? rawLabel
      : 'seed' in o.input
        ? `seed ${o.input.seed}`
        : (o.input as { files: InputFile[] }).files.map((f) => f.name).join(', '),
    hostInputs: host.inputs,
    deviceInputs,
    host: host.layers,
    device,
    outputs: host.outputs,
    estimate: side.estimate,
  });
  return { compare, host, device, deviceInputs };
}

/**
 * Raw samples → the host's input tensors (one raw .bin of the normalized tensors, so the host
 * side runs unchanged, in a worker or not) and the board's SET_INPUT_RAW payloads. Throws a
 * NormalizeError naming the problem (no samplewise_norm parameters, wrong count or dtype).
 */
export function rawProfileInputs(
  modelBytes: Uint8Array,
  samples: readonly RawSampleInput[],
): { hostBin: InputFile; device: RawInput[]; label: string } {
  const model = readTflite(modelBytes);
  const g = model.subgraphs[0];
  const arrays = samples.map((s) => {
    if (s.dtype) return { name: s.name, dtype: s.dtype, data: rawSamples(s.bytes, s.dtype), bytes: s.bytes };
    if (!isNpy(s.bytes))
      throw new NormalizeError(
        'ARG',
        `${s.name}: raw input must be a .npy file (or give the dtype of bare samples)`,
      );
    const a = parseNpy(s.bytes, s.name);
    const bytes = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
    return { name: s.name, dtype: a.dtype, data: a.data, bytes };
  });
  const { inputs, normalization } = rawInputTensors(
    g.inputs.map((i) => g.tensors[i]),
    model.parameters,
    arrays,
  );
  const parts = inputs.map((t) => toBytes(t));
  const bin = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((off, p) => (bin.set(p, off), off + p.length), 0);
  return {
    hostBin: { name: 'raw-normalized.bin', bytes: bin },
    // rawInputTensors accepted every dtype, so each is a RawDtype
    device: arrays.map((a) => ({ dtype: a.dtype as RawDtype, data: a.bytes.slice() })),
    label: `raw ${arrays.map((a) => `${a.name} (${a.dtype})`).join(', ')}: ${describeNormalization(normalization)}`,
  };
}
