/**
 * Flatten a Keras model config (Sequential, Functional, and models nested inside either) into one
 * list of leaf-layer calls in execution order, connected by tensor ids. The summary and the shape
 * inference walk this list; nothing here looks at weights.
 */
import type { KerasLayerConfig } from './types.ts';

export const NESTED_MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

export type Shape = (number | null)[];

export interface KerasNode {
  /** Layer path, e.g. "conv2d" or "sequential/dense"; the weights map uses the same key. */
  path: string;
  /** 0 for the first call of a layer, 1.. for shared layers called again. */
  call: number;
  className: string;
  config: Record<string, unknown>;
  inputs: string[];
  outputs: string[];
}

export interface KerasGraph {
  nodes: KerasNode[];
  /** Model inputs: tensor id, InputLayer name, declared shape (batch dim null). */
  inputs: { id: string; name: string; shape: Shape }[];
  outputs: string[];
}

type Ref = [string, number, number];

function layerName(l: KerasLayerConfig): string {
  return String(l.config.name ?? l.name ?? '');
}

function declaredShape(cfg: Record<string, unknown>): Shape | null {
  const s = cfg.batch_input_shape ?? cfg.batch_shape;
  if (Array.isArray(s)) return s.map((d) => (typeof d === 'number' ? d : null));
  if (Array.isArray(cfg.input_shape)) return [null, ...(cfg.input_shape as (number | null)[])];
  return null;
}

/** A nested model built at construction time owns an extra first node that configs skip over. */
export function isBuiltModel(l: KerasLayerConfig): boolean {
  if (l.class_name !== 'Sequential') return NESTED_MODEL_CLASSES.has(l.class_name);
  const first = (l.config.layers as KerasLayerConfig[] | undefined)?.[0];
  return !!first && (first.class_name === 'InputLayer' || declaredShape(first.config) !== null);
}

export function flattenKeras(model: KerasLayerConfig): KerasGraph {
  const graph: KerasGraph = { nodes: [], inputs: [], outputs: [] };
  graph.outputs = expand(model, '', null, graph);
  return graph;
}

/** Expand a (possibly nested) model; `given` are the tensors feeding it when nested. */
function expand(model: KerasLayerConfig, prefix: string, given: string[] | null, g: KerasGraph): string[] {
  const layers = model.config.layers;
  if (!Array.isArray(layers)) throw new Error(`Keras model ${prefix || model.class_name} has no layers list`);
  return model.class_name === 'Sequential'
    ? expandSequential(layers as KerasLayerConfig[], prefix, given, g)
    : expandFunctional(model, prefix, given, g);
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}/${name}` : name;
}

function expandSequential(
  layers: KerasLayerConfig[],
  prefix: string,
  given: string[] | null,
  g: KerasGraph,
): string[] {
  let current: string[] | null = given;
  for (const l of layers) {
    const name = layerName(l);
    const path = join(prefix, name);
    if (current === null) {
      // The model's input: an explicit InputLayer or a first layer declaring batch_input_shape.
      const shape = declaredShape(l.config);
      if (!shape)
        throw new Error(`Keras Sequential ${prefix || 'model'}: first layer ${name} declares no input shape`);
      const id = `${l.class_name === 'InputLayer' ? path : join(prefix, `${name}_input`)}:in`;
      g.inputs.push({ id, name: l.class_name === 'InputLayer' ? name : `${name}_input`, shape });
      current = [id];
    }
    if (l.class_name === 'InputLayer') continue;
    current = NESTED_MODEL_CLASSES.has(l.class_name)
      ? expand(l, path, current, g)
      : addLeaf(l, path, 0, current, g);
  }
  if (current === null) throw new Error(`Keras Sequential ${prefix || 'model'} has no layers`);
  return current;
}

function addLeaf(l: KerasLayerConfig, path: string, call: number, inputs: string[], g: KerasGraph): string[] {
  const out = `${path}#${call}:0`;
  g.nodes.push({ path, call, className: l.class_name, config: l.config, inputs, outputs: [out] });
  return [out];
}

/** `[[name, node, tensor, kwargs], ...]` (Keras 2) → refs; anything else is an error naming the layer. */
function parseCall(call: unknown, who: string): Ref[] {
  if (!Array.isArray(call)) throw new Error(`Keras layer ${who}: unsupported inbound_nodes format`);
  const refs: Ref[] = call.map((r) => {
    if (!Array.isArray(r) || typeof r[0] !== 'string')
      throw new Error(`Keras layer ${who}: unsupported inbound_nodes format`);
    return [r[0], Number(r[1] ?? 0), Number(r[2] ?? 0)];
  });
  // Keras 2 passes MultiHeadAttention's value, key and mask as call kwargs: inputs after the
  // positional one, in that order (a mask without a key repeats the value as key, the default)
  const kwargs = (call[0] as unknown[] | undefined)?.[3] as Record<string, unknown> | undefined;
  const ref = (k: string): Ref | null => {
    const v = kwargs?.[k];
    return Array.isArray(v) && typeof v[0] === 'string' ? [v[0], Number(v[1] ?? 0), Number(v[2] ?? 0)] : null;
  };
  const [value, key, mask] = [ref('value'), ref('key'), ref('attention_mask')];
  if (value) refs.push(value);
  if (key || (value && mask)) refs.push(key ?? value!);
  if (mask) refs.push(mask);
  return refs;
}

function expandFunctional(
  model: KerasLayerConfig,
  prefix: string,
  given: string[] | null,
  g: KerasGraph,
): string[] {
  const layers = model.config.layers as KerasLayerConfig[];
  const byName = new Map(layers.map((l) => [layerName(l), l]));
  /** Output tensor ids of each (layer, call). */
  const produced = new Map<string, string[]>();
  const key = (name: string, call: number) => `${name}#${call}`;
  const inputRefs = ((model.config.input_layers as unknown[]) ?? []).map(
    (r) => parseCall([r], 'input_layers')[0],
  );
  inputRefs.forEach(([name], i) => {
    const l = byName.get(name);
    if (!l) throw new Error(`Keras model ${prefix || 'model'}: input layer ${name} not found`);
    if (given) {
      if (i >= given.length)
        throw new Error(`Keras nested model ${prefix}: called with ${given.length} inputs, needs more`);
      produced.set(key(name, 0), [given[i]]);
    } else {
      const shape = declaredShape(l.config);
      if (!shape) throw new Error(`Keras InputLayer ${name} declares no shape`);
      const id = `${join(prefix, name)}:in`;
      g.inputs.push({ id, name, shape });
      produced.set(key(name, 0), [id]);
    }
  });
  const resolve = ([name, node, t]: Ref, who: string): string | undefined => {
    const l = byName.get(name);
    if (!l) throw new Error(`Keras layer ${who} is fed by unknown layer ${name}`);
    const call = Math.max(0, node - (isBuiltModel(l) ? 1 : 0));
    return produced.get(key(name, call))?.[t];
  };
  // Layers are listed in a topological order; loop anyway until nothing more can be placed.
  const pending: { l: KerasLayerConfig; call: number; refs: Ref[] }[] = [];
  for (const l of layers) {
    if (l.class_name === 'InputLayer') continue;
    const calls = l.inbound_nodes ?? [];
    if (!Array.isArray(calls))
      throw new Error(`Keras layer ${layerName(l)}: unsupported inbound_nodes format`);
    calls.forEach((c, call) => pending.push({ l, call, refs: parseCall(c, layerName(l)) }));
  }
  while (pending.length > 0) {
    const i = pending.findIndex((p) => p.refs.every((r) => resolve(r, layerName(p.l)) !== undefined));
    if (i < 0) {
      const names = pending.map((p) => layerName(p.l)).join(', ');
      throw new Error(
        `Keras model ${prefix || 'model'}: cannot order layers (cycle or missing input): ${names}`,
      );
    }
    const { l, call, refs } = pending.splice(i, 1)[0];
    const inputs = refs.map((r) => resolve(r, layerName(l)) as string);
    const path = join(prefix, layerName(l)) + (call > 0 ? `_call${call}` : '');
    const outs = NESTED_MODEL_CLASSES.has(l.class_name)
      ? expand(l, path, inputs, g)
      : addLeaf(l, join(prefix, layerName(l)), call, inputs, g);
    produced.set(key(layerName(l), call), outs);
  }
  return ((model.config.output_layers as unknown[]) ?? []).map((r) => {
    const ref = parseCall([r], 'output_layers')[0];
    const id = resolve(ref, 'output');
    if (id === undefined)
      throw new Error(`Keras model ${prefix || 'model'}: output ${ref[0]} is never computed`);
    return id;
  });
}
