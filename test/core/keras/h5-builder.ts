/** Build small Keras-style HDF5 files in memory (h5wasm MEMFS) for error and edge-case tests. */
import h5wasm from 'h5wasm';

export interface BuildWeights {
  [layer: string]: { name: string; shape: number[]; data?: Float32Array }[];
}

let counter = 0;

export async function buildH5(
  attrs: Record<string, string>,
  weights: BuildWeights = {},
): Promise<Uint8Array> {
  const module = await h5wasm.ready;
  const path = `/test-build-${++counter}.h5`;
  const f = new h5wasm.File(path, 'w');
  for (const [k, v] of Object.entries(attrs)) f.create_attribute(k, v);
  const root = f.create_group('model_weights');
  root.create_attribute('layer_names', Object.keys(weights).length ? Object.keys(weights) : ['none']);
  for (const [layer, list] of Object.entries(weights)) {
    const g = root.create_group(layer);
    g.create_attribute(
      'weight_names',
      list.map((w) => w.name),
    );
    for (const w of list) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const data = w.data ?? Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 13) / 13 - 0.5);
      const [group, leaf] = w.name.split('/');
      const sub = g.keys().includes(group)
        ? (g.get(group) as InstanceType<typeof h5wasm.Group>)
        : g.create_group(group);
      sub.create_dataset({ name: leaf, data, shape: w.shape });
    }
  }
  f.close();
  const bytes = module.FS.readFile(path);
  module.FS.unlink(path);
  return bytes;
}

export function sequential(name: string, layers: unknown[]): string {
  return JSON.stringify({ class_name: 'Sequential', config: { name, layers } });
}
