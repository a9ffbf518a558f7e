/**
 * Build a runnable tfjs-layers model from a Keras .h5 model (config + weights) and run it. The tfjs
 * namespace is passed in (see services/tfjs.ts) so this stays free of backend loading and I/O.
 */
import type * as Tf from '@tensorflow/tfjs';
import { toTfjsConfig } from './tfjs-compat.ts';
import type { KerasModel } from './types.ts';

type TfLib = typeof Tf;
type TfLayer = Tf.layers.Layer;

/** Leaf layers of a (possibly nested) tfjs model with their Keras-style path. */
function leafLayers(model: Tf.LayersModel, prefix = ''): { path: string; layer: TfLayer }[] {
  const out: { path: string; layer: TfLayer }[] = [];
  for (const layer of model.layers) {
    const path = prefix ? `${prefix}/${layer.name}` : layer.name;
    const nested = layer as unknown as Tf.LayersModel;
    if (Array.isArray(nested.layers)) out.push(...leafLayers(nested, path));
    else out.push({ path, layer });
  }
  return out;
}

export async function kerasToTfjs(tf: TfLib, model: KerasModel): Promise<Tf.LayersModel> {
  const classes = tf.serialization.SerializationMap.getMap().classNameMap;
  const config = toTfjsConfig(model.config, { known: (c) => c in classes });
  let built: Tf.LayersModel;
  try {
    built = await tf.models.modelFromJSON({
      modelTopology: config as unknown as Tf.io.ModelJSON['modelTopology'],
    } as Tf.io.ModelJSON);
  } catch (e) {
    throw new Error(`tfjs-layers cannot build Keras model "${model.name}": ${(e as Error).message}`);
  }
  const used = new Set<string>();
  for (const { path, layer } of leafLayers(built)) {
    const expected = layer.weights;
    if (expected.length === 0) continue;
    const stored = model.weights.get(path);
    if (!stored) throw new Error(`Keras model "${model.name}": no weights stored for layer ${path}`);
    if (stored.length !== expected.length) {
      throw new Error(
        `Keras layer ${path}: file has ${stored.length} weights, tfjs expects ${expected.length}`,
      );
    }
    const tensors = stored.map((w, i) => {
      const want = expected[i].shape;
      if (want.length !== w.shape.length || want.some((d, j) => d !== w.shape[j])) {
        throw new Error(
          `Keras layer ${path}: weight ${w.name} has shape [${w.shape}], tfjs expects [${want}]`,
        );
      }
      return tf.tensor(w.data, w.shape, 'float32');
    });
    layer.setWeights(tensors);
    tf.dispose(tensors);
    used.add(path);
  }
  const unused = [...model.weights.keys()].filter((p) => !used.has(p));
  if (unused.length > 0)
    throw new Error(
      `Keras model "${model.name}": tfjs has no weights for stored layer(s) ${unused.join(', ')}`,
    );
  return built;
}

/**
 * Run the model on a batch: one Float32Array per model input, holding `batch` samples back to back
 * in the input's layout (NHWC for images). Returns one Float32Array per model output.
 */
export function predictTfjs(tf: TfLib, model: Tf.LayersModel, inputs: Float32Array[]): Float32Array[] {
  if (inputs.length !== model.inputs.length) {
    throw new Error(`Model has ${model.inputs.length} inputs, got ${inputs.length} arrays`);
  }
  return tf.tidy(() => {
    const xs = inputs.map((data, i) => {
      const sample = model.inputs[i].shape.slice(1).map((d) => d ?? 1);
      const per = sample.reduce((a, b) => a * b, 1);
      if (data.length % per !== 0) {
        throw new Error(
          `Input ${i}: ${data.length} values is not a whole number of samples of shape [${sample}]`,
        );
      }
      return tf.tensor(data, [data.length / per, ...sample], 'float32');
    });
    const ys = model.predict(xs.length === 1 ? xs[0] : xs);
    return (Array.isArray(ys) ? ys : [ys]).map((y) => y.dataSync() as Float32Array);
  });
}

/**
 * Every top-level layer's output for a batch (float reference activations for calibration and the
 * quantization report), keyed by layer name. Nested models report their final output only.
 */
export function predictLayerOutputs(
  tf: TfLib,
  model: Tf.LayersModel,
  inputs: Float32Array[],
): Map<string, Float32Array> {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.output as Tf.SymbolicTensor) });
  // The probe shares layers and weights with `model`: never dispose it (that would free them).
  const outs = predictTfjs(tf, probe, inputs);
  return new Map(layers.map((l, i) => [l.name, outs[i]]));
}
