/**
 * Rewrite a Keras 2 config so tfjs-layers can deserialize it. Keras ≥ 2.4 writes names tfjs does
 * not register (regularizer classes `L2`/`L1`, dtype policy objects); they only matter for
 * training, so they are mapped to their tfjs equivalent or dropped. Layer classes tfjs cannot build
 * (`Lambda`, custom classes) are an error naming the layer.
 */
import type { KerasLayerConfig } from './types.ts';
import { NESTED_MODEL_CLASSES } from './graph.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Regularizers: tfjs knows only L1L2; Keras' L1/L2 are its special cases. */
function regularizer(v: Json, known: (c: string) => boolean): Json {
  if (!isObj(v) || typeof v.class_name !== 'string') return v;
  const cfg = isObj(v.config) ? v.config : {};
  if (v.class_name === 'L2') return { class_name: 'L1L2', config: { l1: 0, l2: cfg.l2 ?? 0.01 } };
  if (v.class_name === 'L1') return { class_name: 'L1L2', config: { l1: cfg.l1 ?? 0.01, l2: 0 } };
  return known(v.class_name) ? v : null; // unknown regularizers do not affect inference
}

/** Keras mixed-precision policies (`{class_name: "Policy"}`) → a plain float32 dtype string. */
function dtype(v: Json): Json {
  if (!isObj(v)) return v;
  const name = isObj(v.config) ? String(v.config.name ?? '') : '';
  return name === 'float32' || name.startsWith('mixed_') ? 'float32' : name || 'float32';
}

function fixLayerConfig(cfg: Obj, known: (c: string) => boolean): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(cfg)) {
    if (k.endsWith('_regularizer')) out[k] = regularizer(v, known);
    else if (k.endsWith('_initializer')) {
      // Weights are overwritten after building; an initializer tfjs lacks only needs to parse.
      out[k] =
        isObj(v) && typeof v.class_name === 'string' && !known(v.class_name)
          ? { class_name: 'Zeros', config: {} }
          : v;
    } else if (k.endsWith('_constraint')) {
      out[k] = isObj(v) && typeof v.class_name === 'string' && !known(v.class_name) ? null : v;
    } else if (k === 'dtype') out[k] = dtype(v);
    else out[k] = v;
  }
  return out;
}

export interface CompatOptions {
  /** True when tfjs-layers has a class registered under this name. */
  known: (className: string) => boolean;
}

/** A tfjs-loadable copy of the model config; throws naming the first layer tfjs cannot build. */
export function toTfjsConfig(model: KerasLayerConfig, opts: CompatOptions, path = ''): KerasLayerConfig {
  const layers = (model.config.layers as unknown as Obj[]).map((raw) => {
    const l = raw as unknown as KerasLayerConfig;
    const name = String(l.config?.name ?? l.name ?? '?');
    const where = path ? `${path}/${name}` : name;
    if (NESTED_MODEL_CLASSES.has(l.class_name)) {
      const nested = toTfjsConfig(l, opts, where);
      return { ...raw, config: nested.config as unknown as Json };
    }
    if (!opts.known(l.class_name)) {
      const why =
        l.class_name === 'Lambda'
          ? 'Lambda layers hold Python code, which only Keras can run'
          : 'tfjs-layers has no such layer class (custom layer?)';
      throw new Error(`Cannot load Keras layer "${where}" (${l.class_name}) for inference: ${why}`);
    }
    const cfg = l.config as unknown as Obj;
    if (typeof cfg.groups === 'number' && cfg.groups !== 1) {
      throw new Error(
        `Cannot load Keras layer "${where}" (${l.class_name}): grouped convolution (groups=${cfg.groups}) is not supported by tfjs-layers`,
      );
    }
    return { ...raw, config: fixLayerConfig(cfg, opts.known) };
  });
  return { ...model, config: { ...model.config, layers } };
}
