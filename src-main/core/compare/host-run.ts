/**
 * The host side of a comparison from a simulator run: every op output and the graph inputs and
 * outputs as raw bytes with their quantization, plus the cost-model estimate per op.
 */
import { cpuProfile, estimateModel, type CpuProfile } from '../simulate/cost-model.ts';
import type { InvokeResult, PreparedModel } from '../simulate/interpreter.ts';
import { layerWork } from '../simulate/layer-work.ts';
import { toBytes, type TensorData } from '../simulate/tensor-data.ts';
import { profileLabel } from './timing.ts';
import type { HostTensor, Quant } from './types.ts';

function quantOf(pm: PreparedModel, tensor: number): Quant | null {
  const q = pm.subgraph.tensors[tensor].quantization;
  return q && q.scale.length === 1 ? { scale: q.scale[0], zeroPoint: q.zeroPoint[0] ?? 0 } : null;
}

export interface HostRun {
  inputs: HostTensor[];
  layers: HostTensor[];
  outputs: HostTensor[];
}

export function hostRun(pm: PreparedModel, inputs: readonly TensorData[], result: InvokeResult): HostRun {
  const copy = (d: TensorData) => toBytes(d).slice();
  return {
    inputs: pm.inputs.map((t, i) => ({
      index: -1,
      op: 'INPUT',
      tensor: t.index,
      name: t.name,
      dtype: t.dtype,
      shape: t.shape.slice(),
      bytes: copy(inputs[i]),
      quant: quantOf(pm, t.index),
    })),
    layers: result.layers.map((l) => ({
      index: l.opIndex,
      op: l.op,
      tensor: l.tensor,
      name: l.name,
      dtype: l.dtype,
      shape: l.shape,
      bytes: copy(l.data),
      quant: quantOf(pm, l.tensor),
    })),
    outputs: result.outputs.map((o) => ({
      index: o.opIndex,
      op: o.op,
      tensor: o.tensor,
      name: o.name,
      dtype: o.dtype,
      shape: o.shape,
      bytes: copy(o.data),
      quant: quantOf(pm, o.tensor),
    })),
  };
}

/** Cost-model cycles and instructions per op for `profile` (default cortex-m4 at its usual clock). */
export function hostEstimate(
  pm: PreparedModel,
  profile: CpuProfile = cpuProfile('cortex-m4'),
): { cycles: number[]; instructions: number[]; profile: string; clockMHz: number } {
  const layers = estimateModel(profile, layerWork(pm.subgraph)).layers;
  return {
    cycles: layers.map((l) => l.cycles),
    instructions: layers.map((l) => l.instructions),
    profile: profileLabel(profile),
    clockMHz: profile.clockMHz,
  };
}
