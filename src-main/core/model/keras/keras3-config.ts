/**
 * Keras 3 `config.json` → the Keras 2 `model_config` shape the rest of the Keras path reads
 * (graph.ts, shapes.ts, to-tflite.ts), so a `.keras` and an `.h5` model take one path.
 *
 * What differs in Keras 3 (keras/src/models/functional.py, saving/serialization_lib.py):
 * - every object is `{module, class_name, config, registered_name}`; a dtype is a DTypePolicy object;
 * - `inbound_nodes` entries are `{args, kwargs}` whose tensors are `__keras_tensor__` objects with
 *   `keras_history: [layer, node, tensor]` (nested in lists for merge layers);
 * - `input_layers` / `output_layers` of a one-input model may be a single `[name, node, tensor]`;
 * - node indices: a nested Functional still starts at node 1 (its construction node, as in Keras 2),
 *   but a Keras 3 Sequential is not a Functional and its first call is node 0, where graph.ts (after
 *   Keras 2, whose built Sequential was a Functional) expects 1, so its indices are shifted here.
 */
import { ModelFormatError } from '../errors.ts';
import { isBuiltModel, NESTED_MODEL_CLASSES } from './graph.ts';
import type { KerasLayerConfig } from './types.ts';

type Json = Record<string, unknown>;
type Ref = [string, number, number];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A Keras 3 serialized tensor reference → [layer, node, tensor], or null. */
function historyOf(v: unknown): Ref | null {
  if (!isObject(v) || v.class_name !== '__keras_tensor__' || !isObject(v.config)) return null;
  const h = v.config.keras_history;
  if (!Array.isArray(h) || typeof h[0] !== 'string') return null;
  return [h[0], Number(h[1] ?? 0), Number(h[2] ?? 0)];
}

/** Every tensor reference in call arguments, in argument order (lists and dicts walked). */
function collectRefs(v: unknown, out: Ref[]): void {
  const ref = historyOf(v);
  if (ref) out.push(ref);
  else if (Array.isArray(v)) v.forEach((x) => collectRefs(x, out));
  else if (isObject(v) && !('class_name' in v)) Object.values(v).forEach((x) => collectRefs(x, out));
}

/** A Keras 3 dtype policy object → its name ("float32"); strings stay as they are. */
function dtypeName(v: unknown): unknown {
  if (isObject(v) && isObject(v.config) && typeof v.config.name === 'string') return v.config.name;
  return v;
}

/** `[name, node, tensor]` or a list of them → a list of them. */
function refList(v: unknown, who: string): Ref[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ModelFormatError(`Keras .keras: config.json ${who} is not a list`);
  if (typeof v[0] === 'string') return [v as Ref];
  return v.map((r) => {
    if (!Array.isArray(r) || typeof r[0] !== 'string')
      throw new ModelFormatError(`Keras .keras: config.json ${who} entry is not [layer, node, tensor]`);
    return [r[0], Number(r[1] ?? 0), Number(r[2] ?? 0)] as Ref;
  });
}

/** Normalize the top-level `config.json` object of a `.keras` file. */
export function normalizeKeras3Config(json: unknown): KerasLayerConfig {
  if (!isObject(json) || typeof json.class_name !== 'string' || !isObject(json.config))
    throw new ModelFormatError('Keras .keras: config.json has no class_name/config');
  if (!NESTED_MODEL_CLASSES.has(json.class_name))
    throw new ModelFormatError(
      `Keras .keras: config.json describes a ${json.class_name}, not a Sequential or Functional model (subclassed models keep their code outside the file)`,
    );
  return normalizeModel(json);
}

function normalizeModel(model: Json): KerasLayerConfig {
  const cfg = model.config as Json;
  const name = String(cfg.name ?? model.name ?? '');
  if (!Array.isArray(cfg.layers))
    throw new ModelFormatError(`Keras .keras: model ${name || String(model.class_name)} has no layers list`);
  const raw = cfg.layers as Json[];
  const layers = raw.map((l, i) => normalizeLayer(l, `${name || 'model'} layer ${i}`));
  const functional = model.class_name !== 'Sequential';
  if (functional) {
    const byName = new Map(layers.map((l) => [String(l.config.name), l]));
    /** Keras 3 node index → the Keras 2 index graph.ts expects (a built Sequential starts at 1). */
    const shift = ([layer, node, tensor]: Ref): Ref => {
      const target = byName.get(layer);
      const sequential = target?.class_name === 'Sequential' && isBuiltModel(target);
      return [layer, node + (sequential ? 1 : 0), tensor];
    };
    layers.forEach((l, i) => {
      const calls = raw[i].inbound_nodes;
      if (calls === undefined) return;
      if (!Array.isArray(calls))
        throw new ModelFormatError(
          `Keras .keras: layer ${String(l.config.name)} has an unreadable inbound_nodes`,
        );
      l.inbound_nodes = calls.map((call) => {
        const refs: Ref[] = [];
        if (isObject(call)) {
          collectRefs(call.args, refs);
          collectRefs(call.kwargs, refs);
        } else if (Array.isArray(call)) {
          // Already the Keras 2 form ([[layer, node, tensor, kwargs], ...]).
          for (const r of call) if (Array.isArray(r)) refs.push([String(r[0]), Number(r[1]), Number(r[2])]);
        }
        if (refs.length === 0 && calls.length > 0)
          throw new ModelFormatError(
            `Keras .keras: layer ${String(l.config.name)} is called with no input tensor`,
          );
        return refs.map((r) => [...shift(r), {}]);
      });
    });
    const out: Json = { ...cfg, name, layers };
    out.input_layers = refList(cfg.input_layers, `model ${name} input_layers`);
    out.output_layers = refList(cfg.output_layers, `model ${name} output_layers`).map(shift);
    return { class_name: String(model.class_name), config: out, name };
  }
  // A Sequential saved before it was built has no InputLayer; its build_config has the shape.
  const first = layers[0];
  const build = isObject(model.build_config) ? model.build_config.input_shape : undefined;
  if (first && first.class_name !== 'InputLayer' && Array.isArray(build) && !first.config.batch_shape)
    first.config = { ...first.config, batch_shape: build };
  return { class_name: 'Sequential', config: { ...cfg, name, layers }, name };
}

function normalizeLayer(l: Json, who: string): KerasLayerConfig {
  if (!isObject(l) || typeof l.class_name !== 'string' || !isObject(l.config))
    throw new ModelFormatError(`Keras .keras: ${who} has no class_name/config`);
  const config: Json = { ...l.config };
  if (typeof config.name !== 'string' && typeof l.name === 'string') config.name = l.name;
  if ('dtype' in config) config.dtype = dtypeName(config.dtype);
  if (NESTED_MODEL_CLASSES.has(l.class_name) && Array.isArray(config.layers)) {
    const nested = normalizeModel({ ...l, config });
    return { class_name: l.class_name, config: nested.config, name: String(config.name) };
  }
  return { class_name: l.class_name, config, name: String(config.name ?? '') };
}
