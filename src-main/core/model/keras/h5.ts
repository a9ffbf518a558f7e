/**
 * Read a Keras 2 HDF5 model (`model.save('m.h5')`) from bytes: the `model_config` JSON attribute
 * and the weights under `model_weights/<layer>/<weight name>`. h5wasm works on an in-memory
 * (Emscripten MEMFS) file, so nothing touches the disk.
 */
import type H5 from 'h5wasm';
import type { KerasLayerConfig, KerasModel, KerasWeight } from './types.ts';
import { NESTED_MODEL_CLASSES } from './graph.ts';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes carry the HDF5 superblock signature (at 0, or after a 512·2^k user block). */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
    if (at > 1 << 20) break;
  }
  return false;
}

/** h5wasm (an Emscripten HDF5 build, ~0.25 s to load), imported on the first .h5 read. */
let h5wasm: typeof H5;

let fileCounter = 0;
let quietErrors = false;

/**
 * HDF5 prints its error stack (`HDF5-DIAG: Error detected …`, ~20 lines of C locations) to stderr
 * by default. h5wasm's throwing handler replaces that printing (H5Eset_auto) with a JS exception
 * carrying the same text, which `hdf5Reason` reduces to its innermost cause for our one-line
 * message. Installed once per h5wasm module.
 */
function silenceHdf5(module: { activate_throwing_error_handler(): number }): void {
  if (quietErrors) return;
  module.activate_throwing_error_handler();
  quietErrors = true;
}

/** The innermost cause of an HDF5 error stack ("truncated file: eof = 30000, …"), or the message. */
export function hdf5Reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  if (!text.includes('HDF5-DIAG')) return text;
  const causes = [...text.matchAll(/#\d+: .* in [\w.]+\(\): (.*)$/gm)].map((m) => m[1].trim());
  return causes.at(-1) ?? 'the HDF5 library reported an error';
}

/** h5wasm, loaded on first use, with HDF5's stderr error printing replaced by exceptions. */
export async function loadH5wasm(): Promise<typeof H5> {
  h5wasm ??= (await import('h5wasm')).default;
  silenceHdf5(await h5wasm.ready);
  return h5wasm;
}

export async function readKerasH5(bytes: Uint8Array): Promise<KerasModel> {
  if (bytes.length === 0) throw new Error('Not a Keras .h5 model: the file is empty');
  if (!isHdf5(bytes))
    throw new Error('Not a Keras .h5 model: no HDF5 signature (\\x89HDF\\r\\n\\x1a\\n) in the file');
  h5wasm ??= (await import('h5wasm')).default;
  const module = await h5wasm.ready;
  silenceHdf5(module);
  const path = `/quantscope-keras-${++fileCounter}.h5`;
  module.FS.writeFile(path, bytes);
  let file: InstanceType<typeof h5wasm.File> | null = null;
  try {
    try {
      file = new h5wasm.File(path, 'r');
    } catch (e) {
      throw new Error(
        `Not a Keras .h5 model: truncated or corrupt file, the HDF5 library cannot open it (${hdf5Reason(e)})`,
      );
    }
    if (file.file_id < 0n) {
      file = null;
      throw new Error('Not a Keras .h5 model: HDF5 library cannot open it (truncated or corrupt file)');
    }
    try {
      return readOpenFile(file);
    } catch (e) {
      const msg = hdf5Reason(e);
      throw msg.startsWith('Keras .h5') || msg.startsWith('HDF5 file has no')
        ? e
        : new Error(`Keras .h5: corrupt or truncated file (${msg})`);
    }
  } finally {
    try {
      file?.close();
    } catch {
      // closing a damaged file can fail too; the error that matters was thrown above
    }
    module.FS.unlink(path);
  }
}

function readOpenFile(file: InstanceType<typeof h5wasm.File>): KerasModel {
  const attrs = file.attrs as Record<string, { value: unknown }>;
  if (!('model_config' in attrs)) {
    throw new Error(
      'HDF5 file has no model_config attribute: it holds weights only (save_weights) or is not a Keras model',
    );
  }
  const config = parseConfig(textOf(attrs.model_config.value, 'model_config'));
  const root = file.get('model_weights');
  const weightsRoot = root instanceof h5wasm.Group ? root : null;
  const weights = weightsRoot ? readWeights(weightsRoot, config) : new Map<string, KerasWeight[]>();
  return {
    name: String(config.config.name ?? ''),
    className: config.class_name,
    kerasVersion: attrs.keras_version ? textOf(attrs.keras_version.value, 'keras_version') : '',
    backend: attrs.backend ? textOf(attrs.backend.value, 'backend') : '',
    config,
    weights,
  };
}

function textOf(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  throw new Error(`Keras .h5: attribute ${what} is not a string`);
}

function parseConfig(json: string): KerasLayerConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new Error(`Keras .h5: model_config is not valid JSON (${(e as Error).message})`);
  }
  const c = parsed as KerasLayerConfig;
  if (!c || typeof c.class_name !== 'string' || typeof c.config !== 'object' || c.config === null) {
    throw new Error('Keras .h5: model_config has no class_name/config');
  }
  if (!Array.isArray(c.config.layers)) {
    throw new Error(`Keras .h5: model_config of class ${c.class_name} has no layers list`);
  }
  return c;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value))
    return value.map((v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v)));
  return []; // h5wasm returns an empty typed array for an empty string list
}

/** Leaf layer names inside a nested model config, mapped to their path relative to it. */
function leafPaths(layer: KerasLayerConfig, prefix: string, out: Map<string, string>): void {
  const name = String(layer.config.name ?? layer.name ?? '');
  const path = prefix ? `${prefix}/${name}` : name;
  if (NESTED_MODEL_CLASSES.has(layer.class_name) && Array.isArray(layer.config.layers)) {
    for (const sub of layer.config.layers as KerasLayerConfig[]) leafPaths(sub, path, out);
  } else {
    out.set(name, path);
  }
}

function readWeights(
  root: InstanceType<typeof h5wasm.Group>,
  config: KerasLayerConfig,
): Map<string, KerasWeight[]> {
  const byName = new Map<string, KerasLayerConfig>();
  for (const l of config.config.layers as KerasLayerConfig[]) byName.set(String(l.config.name ?? l.name), l);
  const result = new Map<string, KerasWeight[]>();
  const rootAttrs = root.attrs as Record<string, { value: unknown }>;
  const layerNames = rootAttrs.layer_names ? stringList(rootAttrs.layer_names.value) : root.keys();
  for (const layerName of layerNames) {
    const group = root.get(layerName);
    if (!(group instanceof h5wasm.Group)) continue;
    const gAttrs = group.attrs as Record<string, { value: unknown }>;
    const names = gAttrs.weight_names ? stringList(gAttrs.weight_names.value) : [];
    const layer = byName.get(layerName);
    const leaves = new Map<string, string>();
    if (layer && NESTED_MODEL_CLASSES.has(layer.class_name)) {
      for (const sub of (layer.config.layers as KerasLayerConfig[]) ?? []) leafPaths(sub, layerName, leaves);
    }
    for (const wname of names) {
      const owner = leaves.size > 0 ? ownerOf(wname, leaves, layerName) : layerName;
      const list = result.get(owner) ?? [];
      list.push(readWeight(group, wname, layerName));
      result.set(owner, list);
    }
  }
  return result;
}

/** Which nested leaf layer a weight like "dense_1/kernel:0" belongs to. */
function ownerOf(weightName: string, leaves: Map<string, string>, fallback: string): string {
  const parts = weightName.split('/');
  for (let i = parts.length - 2; i >= 0; i--) {
    const p = leaves.get(parts[i]);
    if (p) return p;
  }
  return fallback;
}

function readWeight(group: InstanceType<typeof h5wasm.Group>, wname: string, layerName: string): KerasWeight {
  const ds = group.get(wname);
  if (!(ds instanceof h5wasm.Dataset)) {
    throw new Error(`Keras .h5: weight ${wname} of layer ${layerName} is listed but missing`);
  }
  const shape = ds.shape ?? [];
  const value = ds.value;
  let data: Float32Array;
  if (value instanceof Float32Array) data = new Float32Array(value);
  else if (value instanceof Float64Array) data = Float32Array.from(value);
  else if (typeof value === 'number') data = Float32Array.of(value);
  else
    throw new Error(
      `Keras .h5: weight ${wname} of layer ${layerName} has unsupported dtype ${String(ds.dtype)}`,
    );
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(
      `Keras .h5: weight ${wname} of layer ${layerName} has ${data.length} values for shape [${shape}]`,
    );
  }
  return { name: wname, shape, data };
}
