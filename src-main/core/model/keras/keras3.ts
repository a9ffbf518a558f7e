/**
 * Read a Keras 3 `.keras` model (`model.save('m.keras')`, TensorFlow ≥ 2.16; also Keras 2.13–2.15)
 * from bytes: a zip of `metadata.json` (keras_version), `config.json` (the architecture) and
 * `model.weights.h5`. Unzipped in memory with fflate; the weights file is read with h5wasm on its
 * in-memory file system, so nothing touches the disk.
 *
 * Weights layout (keras/src/saving/saving_lib.py): a model's layers live under `layers/` (Keras
 * 2.13–2.15: `_layer_checkpoint_dependencies/`), each in a group named after its class in
 * snake_case, numbered per class in layer order (`conv2d`, `conv2d_1`, …, not the layer's own
 * name); a layer's variables are `vars/0`, `vars/1`, … in `layer.weights` order, sub-objects (an
 * LSTM's `cell`) are sub-groups, nested models repeat the pattern. Keras 3.8+ also stores the layer
 * name as the `name` attribute of each `vars` group: a layer whose class-order group is missing is
 * looked up by it. The optimizer state (`optimizer/`) is ignored.
 */
import type H5 from 'h5wasm';
import { unzipSync, type Unzipped } from 'fflate';
import { hdf5Reason, loadH5wasm } from './h5.ts';
import { ModelFormatError } from '../errors.ts';
import { NESTED_MODEL_CLASSES } from './graph.ts';
import { normalizeKeras3Config } from './keras3-config.ts';
import type { KerasLayerConfig, KerasModel, KerasWeight } from './types.ts';

type H5Lib = typeof H5;
type Group = InstanceType<H5Lib['Group']>;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const FILES = ['config.json', 'metadata.json', 'model.weights.h5'];

/** True when the bytes start like a zip archive (a `.keras` file is one). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

/** Largest unpacked entry accepted (a zip can declare far more than its own size). */
const MAX_ENTRY_BYTES = 1 << 30;

function unzip(bytes: Uint8Array): Unzipped {
  if (!isZip(bytes)) throw new ModelFormatError('Not a Keras .keras model: the file is not a zip archive');
  const wanted = (f: { name: string; originalSize: number }) => {
    if (!FILES.includes(f.name)) return false;
    if (f.originalSize > MAX_ENTRY_BYTES)
      throw new ModelFormatError(
        `Keras .keras: ${f.name} unpacks to ${f.originalSize} bytes; entries over 1 GiB are not supported`,
      );
    return true;
  };
  try {
    return unzipSync(bytes, { filter: wanted });
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(
      `Not a Keras .keras model: the zip archive is truncated or corrupt (${(e as Error).message})`,
    );
  }
}

function jsonOf(files: Unzipped, name: string): unknown {
  const text = new TextDecoder().decode(files[name]);
  try {
    return JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text around the error, which may hold control characters: one line
    const why = (e as Error).message.replace(/[\x00-\x1f\x7f]+/g, ' ');
    throw new ModelFormatError(`Keras .keras: ${name} is not valid JSON (${why})`);
  }
}

export async function readKeras3(bytes: Uint8Array): Promise<KerasModel> {
  if (bytes.length === 0) throw new ModelFormatError('Not a Keras .keras model: the file is empty');
  const files = unzip(bytes);
  if (!files['config.json'])
    throw new ModelFormatError(
      'Not a Keras .keras model: the zip has no config.json (a Keras 3 model zip holds config.json, metadata.json and model.weights.h5)',
    );
  const config = normalizeKeras3Config(jsonOf(files, 'config.json'));
  const meta = files['metadata.json'] ? jsonOf(files, 'metadata.json') : null;
  const version = meta && typeof meta === 'object' ? (meta as { keras_version?: unknown }).keras_version : '';
  const weightsFile = files['model.weights.h5'];
  if (!weightsFile) throw new ModelFormatError('Keras .keras: the zip has no model.weights.h5 (the weights)');
  const weights = await readWeightsFile(weightsFile, config);
  return {
    name: String(config.config.name ?? ''),
    className: config.class_name,
    kerasVersion: typeof version === 'string' ? version : '',
    backend: '',
    config,
    weights,
  };
}

let fileCounter = 0;

async function readWeightsFile(
  bytes: Uint8Array,
  config: KerasLayerConfig,
): Promise<Map<string, KerasWeight[]>> {
  const h5 = await loadH5wasm();
  const { FS } = await h5.ready;
  const path = `/quantscope-keras3-${++fileCounter}.weights.h5`;
  FS.writeFile(path, bytes);
  let file: InstanceType<H5Lib['File']> | null = null;
  try {
    try {
      file = new h5.File(path, 'r');
    } catch (e) {
      throw new ModelFormatError(`Keras .keras: model.weights.h5 is truncated or corrupt (${hdf5Reason(e)})`);
    }
    const weights = new Map<string, KerasWeight[]>();
    try {
      readModelWeights(h5, file, config, '', weights);
    } catch (e) {
      const msg = hdf5Reason(e);
      throw msg.startsWith('Keras .keras')
        ? e
        : new ModelFormatError(`Keras .keras: model.weights.h5 is corrupt (${msg})`);
    }
    return weights;
  } finally {
    try {
      file?.close();
    } catch {
      // closing a damaged file can fail too; the error that matters was thrown above
    }
    FS.unlink(path);
  }
}

/** Keras' `naming.to_snake_case` of a class name: "DepthwiseConv2D" → "depthwise_conv2d". */
export function snakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

const layerName = (l: KerasLayerConfig) => String(l.config.name ?? l.name ?? '');

function childGroup(h5: H5Lib, g: Group, key: string): Group | null {
  if (!g.keys().includes(key)) return null;
  const c = g.get(key);
  return c instanceof h5.Group ? c : null;
}

/** The layer name Keras stored beside a layer's variables (Keras 3.8 writes it), or null. */
function storedName(h5: H5Lib, g: Group): string | null {
  const vars = childGroup(h5, g, 'vars');
  const attr = (vars?.attrs as Record<string, { value: unknown }> | undefined)?.name?.value;
  return typeof attr === 'string' ? attr : null;
}

function readModelWeights(
  h5: H5Lib,
  group: Group,
  model: KerasLayerConfig,
  prefix: string,
  out: Map<string, KerasWeight[]>,
): void {
  const where = prefix || 'the model';
  const container =
    childGroup(h5, group, 'layers') ?? childGroup(h5, group, '_layer_checkpoint_dependencies');
  if (!container)
    throw new ModelFormatError(`Keras .keras: model.weights.h5 has no layers group for ${where}`);
  // Layer name → group key from the stored names, read only when a class-order name is missing:
  // a corrupt string attribute can keep HDF5 busy for minutes, so valid files never read them.
  let byStoredName: Map<string, string> | null = null;
  const storedKey = (name: string): string | undefined => {
    if (!byStoredName) {
      byStoredName = new Map();
      for (const key of container.keys()) {
        const c = childGroup(h5, container, key);
        const n = c && storedName(h5, c);
        if (n) byStoredName.set(n, key);
      }
    }
    return byStoredName.get(name);
  };
  const used = new Map<string, number>();
  for (const l of model.config.layers as KerasLayerConfig[]) {
    const base = snakeCase(l.class_name);
    const count = used.get(base);
    used.set(base, count === undefined ? 0 : count + 1);
    const key = count === undefined ? base : `${base}_${count + 1}`;
    const name = layerName(l);
    const path = prefix ? `${prefix}/${name}` : name;
    let g = childGroup(h5, container, key);
    if (!g && l.class_name === 'InputLayer') continue; // a Sequential's InputLayer is not saved
    if (!g) {
      const byName = storedKey(name);
      g = byName ? childGroup(h5, container, byName) : null;
    }
    if (!g) {
      throw new ModelFormatError(
        `Keras .keras: model.weights.h5 has no weights for layer ${path} (${l.class_name}, expected at ${container.path}/${key})`,
      );
    }
    if (NESTED_MODEL_CLASSES.has(l.class_name) && Array.isArray(l.config.layers)) {
      readModelWeights(h5, g, l, path, out);
      continue;
    }
    const values: { shape: number[]; data: Float32Array }[] = [];
    collectVars(h5, g, path, values);
    if (values.length === 0) continue; // as the .h5 reader: only layers with weights are listed
    const names = weightNames(l, values.length);
    out.set(
      path,
      values.map((v, i) => ({ name: `${name}/${names[i]}`, shape: v.shape, data: v.data })),
    );
  }
}

/** A layer's own `vars/0..n`, then its sub-objects' (an RNN's `cell`), in Keras' walk order. */
function collectVars(
  h5: H5Lib,
  g: Group,
  path: string,
  out: { shape: number[]; data: Float32Array }[],
): void {
  const vars = childGroup(h5, g, 'vars');
  if (vars) {
    const keys = vars.keys().filter((k) => /^\d+$/.test(k));
    keys.sort((a, b) => Number(a) - Number(b));
    keys.forEach((k, i) => {
      if (Number(k) !== i)
        throw new ModelFormatError(`Keras .keras: layer ${path} has no variable vars/${i}`);
      out.push(readVar(h5, vars, k, path));
    });
  }
  for (const key of g
    .keys()
    .filter((k) => k !== 'vars')
    .sort()) {
    const sub = childGroup(h5, g, key);
    if (sub) collectVars(h5, sub, path, out);
  }
}

function readVar(h5: H5Lib, vars: Group, key: string, path: string): { shape: number[]; data: Float32Array } {
  const ds = vars.get(key);
  if (!(ds instanceof h5.Dataset))
    throw new ModelFormatError(`Keras .keras: variable ${key} of layer ${path} is not a dataset`);
  const shape = ds.shape ?? [];
  const value = ds.value;
  let data: Float32Array;
  if (value instanceof Float32Array) data = new Float32Array(value);
  else if (value instanceof Float64Array) data = Float32Array.from(value);
  else if (typeof value === 'number') data = Float32Array.of(value);
  else
    throw new ModelFormatError(
      `Keras .keras: variable ${key} of layer ${path} has unsupported dtype ${String(ds.dtype)}`,
    );
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count)
    throw new ModelFormatError(
      `Keras .keras: variable ${key} of layer ${path} has ${data.length} values for shape [${shape}]`,
    );
  return { shape, data };
}

/** Readable names for a layer's variables (the file only numbers them), in `layer.weights` order. */
function weightNames(l: KerasLayerConfig, n: number): string[] {
  const cfg = l.config;
  let names: string[] = [];
  switch (l.class_name) {
    case 'BatchNormalization':
      names = [
        ...(cfg.scale === false ? [] : ['gamma']),
        ...(cfg.center === false ? [] : ['beta']),
        'moving_mean',
        'moving_variance',
      ];
      break;
    case 'LayerNormalization':
      names = [...(cfg.scale === false ? [] : ['gamma']), ...(cfg.center === false ? [] : ['beta'])];
      break;
    case 'LSTM':
    case 'GRU':
    case 'SimpleRNN':
      names = ['kernel', 'recurrent_kernel', 'bias'];
      break;
    case 'SeparableConv2D':
    case 'SeparableConv1D':
      names = ['depthwise_kernel', 'pointwise_kernel', 'bias'];
      break;
    case 'Embedding':
      names = ['embeddings'];
      break;
    default:
      if (/Conv|Dense/.test(l.class_name)) names = ['kernel', 'bias'];
  }
  // Optional variables come last (a bias with use_bias=False, a BatchNorm without scale is handled above).
  return Array.from({ length: n }, (_, i) => names[i] ?? `var${i}`);
}
