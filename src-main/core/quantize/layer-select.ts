/**
 * Selective quantization by layer name: `--keep-float NAME…` (the TFLite converter's denylist) and
 * `--int16 NAME…|all` (16x8 layers). A layer is named as the quantization report shows it: the name
 * of its output tensor (the report's tensor_name column). Converter-made names join several source
 * names with ';' (`seq/dense/MatMul;seq/dense/BiasAdd`): any one of those parts names the layer too
 * when no other layer has it. A twin's suffix (`…_int8`, `…_int16`, `…_float32`, the name a report
 * of a float-I/O or mixed model shows for a graph output) is ignored. Unknown or ambiguous names are
 * errors listing the valid names.
 */
import type { Model } from '../model/ir.ts';
import { INT16_OP_VERSIONS } from './quantize-model.ts';

export interface LayerSelection {
  /** Layers kept in float32. */
  keepFloat?: string[];
  /** Layers in int16x8, or 'all': every layer the core's int16 kernels cover (the rest stay int8). */
  int16?: string[] | 'all';
}

export interface LayerName {
  /** Float model op index. */
  index: number;
  op: string;
  name: string;
}

/** Every layer of a float model (subgraph 0) with its name. */
export function layerNames(float: Model): LayerName[] {
  const sg = float.subgraphs[0];
  return sg.operators.map((op) => ({
    index: op.index,
    op: op.op,
    name: op.outputs.length > 0 ? sg.tensors[op.outputs[0]].name : `${op.op}_${op.index}`,
  }));
}

const TWIN = /_(int8|int16|float32)$/;

function listing(layers: LayerName[]): string {
  return layers.map((l) => `${l.index} ${l.op} '${l.name}'`).join(', ');
}

/** Float op index of each name, or an error naming the flag, the name and the valid names. */
export function resolveLayers(float: Model, names: string[], flag: string): number[] {
  const layers = layerNames(float);
  return names.map((raw) => {
    const name = raw.trim();
    const candidates = [name, name.replace(TWIN, '')];
    for (const c of candidates) {
      const exact = layers.filter((l) => l.name === c);
      if (exact.length === 1) return exact[0].index;
      const part = layers.filter((l) => l.name.split(';').includes(c));
      if (part.length === 1) return part[0].index;
      if (exact.length > 1 || part.length > 1) {
        const hits = exact.length > 1 ? exact : part;
        throw new Error(
          `${flag} '${name}' names ${hits.length} layers (${hits.map((l) => l.index).join(', ')}): give the full name of one. Layers: ${listing(layers)}`,
        );
      }
    }
    throw new Error(`${flag} '${name}': no layer has that name. Layers: ${listing(layers)}`);
  });
}

/** The precision of every layer not in int8, from a selection (keep-float wins over int16 'all'). */
export function precisionPlan(float: Model, sel: LayerSelection): Map<number, 'int16' | 'float32'> {
  const plan = new Map<number, 'int16' | 'float32'>();
  const keep = resolveLayers(float, sel.keepFloat ?? [], '--keep-float');
  if (sel.int16 === 'all') {
    for (const l of layerNames(float)) if (l.op in INT16_OP_VERSIONS) plan.set(l.index, 'int16');
  } else if (sel.int16) {
    const wanted = resolveLayers(float, sel.int16, '--int16');
    const layers = layerNames(float);
    for (const i of wanted) {
      if (keep.includes(i))
        throw new Error(`Layer ${i} '${layers[i].name}' is in both --keep-float and --int16: choose one`);
      if (!(layers[i].op in INT16_OP_VERSIONS))
        throw new Error(
          `--int16 '${layers[i].name}': layer ${i} is ${layers[i].op}, which has no int16x8 kernel (int16 layers: ${Object.keys(INT16_OP_VERSIONS).join(', ')})`,
        );
      plan.set(i, 'int16');
    }
  }
  for (const i of keep) plan.set(i, 'float32');
  return plan;
}
