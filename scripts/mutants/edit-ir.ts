/** Helpers of the structural edits: a private copy of a model, and picks of its ops and tensors. */
import type { DType, Model, Operator, Quantization, Subgraph, Tensor } from '../../src-main/core/model/ir.ts';
import type { Rng } from './rng.ts';

/** An edit's description, and the validation rule it breaks when the mutant is invalid by
 * construction (whatever else the edit touched, the core must refuse it naming an op or tensor). */
export type Edited = { what: string; breaks: string };
/** A description (the result may be valid or not), an Edited (invalid by construction), or null when
 * the model has nothing the edit applies to. */
export type Edit = (m: Model, r: Rng) => string | Edited | null;

export const broken = (what: string, breaks: string): Edited => ({ what, breaks });

/** A copy deep enough that edits never touch the source model (buffer bytes are copied on write). */
export function cloneModel(m: Model): Model {
  return {
    ...m,
    operatorCodes: m.operatorCodes.map((c) => ({ ...c })),
    subgraphs: m.subgraphs.map(cloneSubgraph),
    buffers: [...m.buffers],
    metadata: m.metadata.map((e) => ({ ...e })),
    signatureDefs: m.signatureDefs.map((s) => ({ ...s, inputs: [...s.inputs], outputs: [...s.outputs] })),
  };
}

export function cloneSubgraph(sg: Subgraph): Subgraph {
  return {
    ...sg,
    inputs: [...sg.inputs],
    outputs: [...sg.outputs],
    tensors: sg.tensors.map((t) => ({
      ...t,
      shape: [...t.shape],
      quantization: t.quantization && cloneQuant(t.quantization),
    })),
    operators: sg.operators.map(cloneOp),
  };
}

function cloneQuant(q: Quantization): Quantization {
  return { ...q, scale: [...q.scale], zeroPoint: [...q.zeroPoint] };
}

export function cloneOp(op: Operator): Operator {
  return {
    ...op,
    inputs: [...op.inputs],
    outputs: [...op.outputs],
    intermediates: [...op.intermediates],
    options: structuredClone(op.options),
  };
}

export const main = (m: Model): Subgraph | undefined => m.subgraphs[0];
export const isConst = (m: Model, t: Tensor): boolean => (m.buffers[t.buffer]?.length ?? 0) > 0;
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Ops with at least one input that is an activation (not a constant, not absent). */
export function activationReads(m: Model, sg: Subgraph): { op: number; slot: number; tensor: number }[] {
  const out: { op: number; slot: number; tensor: number }[] = [];
  sg.operators.forEach((op, i) =>
    op.inputs.forEach((t, k) => {
      if (t >= 0 && sg.tensors[t] && !isConst(m, sg.tensors[t])) out.push({ op: i, slot: k, tensor: t });
    }),
  );
  return out;
}

/** Indices of the ops that write tensor `t`. */
export function writers(sg: Subgraph, t: number): number[] {
  return range(sg.operators.length).filter((i) => sg.operators[i].outputs.includes(t));
}

export function pickOp(sg: Subgraph | undefined, r: Rng, minInputs = 0): number | null {
  if (!sg) return null;
  const ops = range(sg.operators.length).filter((i) => sg.operators[i].inputs.length >= minInputs);
  return ops.length ? r.pick(ops) : null;
}

export function pickTensor(
  sg: Subgraph | undefined,
  r: Rng,
  keep: (t: Tensor) => boolean = () => true,
): Tensor | null {
  if (!sg) return null;
  const ts = sg.tensors.filter(keep);
  return ts.length ? r.pick(ts) : null;
}

/** A new activation tensor like `like`, appended to the subgraph; returns its index. */
export function addTensor(sg: Subgraph, like: Tensor, name: string): number {
  const index = sg.tensors.length;
  sg.tensors.push({ ...like, index, name, buffer: 0, data: null, shape: [...like.shape] });
  return index;
}

/** Bytes per element (1 for the sub-byte and unknown types). */
export function dtypeBytes(d: DType): number {
  return d === 'int64' || d === 'float64'
    ? 8
    : d === 'int16' || d === 'float16'
      ? 2
      : d.endsWith('32')
        ? 4
        : 1;
}
