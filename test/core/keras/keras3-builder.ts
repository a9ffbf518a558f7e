/**
 * Build small Keras 3 `.keras` zips in memory for tests: config.json and metadata.json as given,
 * model.weights.h5 written with h5wasm in the Keras 3 layout (`<group path>/vars/<i>`, the layer
 * name as the `name` attribute of `vars` when given), zipped with fflate.
 */
import { zipSync } from 'fflate';
import h5wasm from 'h5wasm';

type H5Group = InstanceType<typeof h5wasm.Group>;

export interface Keras3Vars {
  /** Group path of the object, e.g. "layers/dense" or "layers/functional/layers/conv2d". */
  path: string;
  /** Layer name stored as the `name` attribute of `vars` (as Keras ≥ 3.8 does); omitted if absent. */
  name?: string;
  vars: { shape: number[]; data: Float32Array }[];
}

let counter = 0;

/** Deterministic test values: small, all different, sign-mixed. */
export function values(n: number, seed = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (((i + 1) * 7919 * seed) % 23) / 23 - 0.5);
}

export async function buildWeightsH5(groups: Keras3Vars[]): Promise<Uint8Array> {
  const module = await h5wasm.ready;
  const path = `/test-keras3-${++counter}.h5`;
  const f = new h5wasm.File(path, 'w');
  const ensure = (parts: string[]): H5Group => {
    let g: H5Group = f;
    for (const p of parts) g = (g.keys().includes(p) ? g.get(p) : g.create_group(p)) as H5Group;
    return g;
  };
  for (const { path: p, name, vars } of groups) {
    const g = ensure([...p.split('/').filter(Boolean), 'vars']);
    if (name !== undefined) g.create_attribute('name', name);
    vars.forEach((v, i) => g.create_dataset({ name: String(i), data: v.data, shape: v.shape }));
  }
  f.close();
  const bytes = module.FS.readFile(path);
  module.FS.unlink(path);
  return bytes;
}

export async function buildKeras3(opts: {
  config: unknown;
  groups: Keras3Vars[];
  metadata?: unknown;
  /** Leave these entries out of the zip (e.g. "config.json"). */
  omit?: string[];
}): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const entries: Record<string, Uint8Array> = {
    'metadata.json': enc.encode(
      JSON.stringify('metadata' in opts ? opts.metadata : { keras_version: '3.8.0' }),
    ),
    'config.json': enc.encode(JSON.stringify(opts.config)),
    'model.weights.h5': await buildWeightsH5(opts.groups),
  };
  for (const name of opts.omit ?? []) delete entries[name];
  return zipSync(entries);
}

/** A Keras 3 serialized tensor reference, as `inbound_nodes` args hold them. */
export function tensor(layer: string, node = 0, index = 0): unknown {
  return {
    class_name: '__keras_tensor__',
    config: { shape: null, dtype: 'float32', keras_history: [layer, node, index] },
  };
}

/** A Keras 3 layer entry with the module/registered_name/dtype-policy noise real files carry. */
export function layer(className: string, config: Record<string, unknown>, calls?: unknown[][]): unknown {
  return {
    module: 'keras.layers',
    class_name: className,
    config: {
      trainable: true,
      dtype: {
        module: 'keras',
        class_name: 'DTypePolicy',
        config: { name: 'float32' },
        registered_name: null,
      },
      ...config,
    },
    registered_name: null,
    ...(calls ? { name: config.name, inbound_nodes: calls.map((args) => ({ args, kwargs: {} })) } : {}),
  };
}
