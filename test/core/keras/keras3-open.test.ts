/**
 * Keras 3 `.keras` reader: the three real fixtures open with the layers, parameter counts and
 * Keras versions their SOURCES.md lists; a Keras 3 config with a nested model, a shared layer and
 * dotted names (built here) maps every weight to the right layer and computes what hand-worked
 * math says; corrupt files get a message naming the problem.
 */
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { loadTfliteWasm } from '../../helpers/tflite-wasm.ts';
import { detectFormat, writeTflite } from '../../../src-main/core/model/index.ts';
import {
  kerasToTflite,
  readKeras,
  readKeras3,
  snakeCase,
  summarizeKeras,
} from '../../../src-main/core/model/keras/index.ts';
import { buildKeras3, layer, tensor, values } from './keras3-builder.ts';

const open = async (name: string) => readKeras3(readFixture('keras3', `${name}.keras`));
const counts = (ops: string[]) => {
  const m: Record<string, number> = {};
  for (const op of ops) m[op] = (m[op] ?? 0) + 1;
  return m;
};

describe('Keras 3 .keras fixtures open', () => {
  // Rule: the layer table has one row per leaf layer (InputLayer excluded), named by the config,
  // with the parameter count of the `layers/` group (SOURCES.md) and the file's keras_version.
  it('kws_cnn: Sequential, 13 layers, 25,772 params, keras 3.8.0', async () => {
    const m = await open('kws_cnn');
    expect(m.kerasVersion).toBe('3.8.0');
    const s = summarizeKeras(m);
    expect(s.metadata.description).toBe('Keras Sequential "sequential" (keras 3.8.0)');
    expect(s.layers.map((l) => l.outputs[0].name)).toEqual([
      'conv1', 'pool1', 'dropout1', 'conv2', 'pool2', 'dropout2', 'conv3', 'dropout3',
      'global_avg_pool', 'dropout_gap', 'dense1', 'dropout_dense1', 'output_softmax',
    ]); // prettier-ignore
    expect(s.totals.params).toBe(25_772);
    expect(s.inputs[0].shape).toEqual([1, 13, 100, 1]);
    expect(s.outputs[0].shape).toEqual([1, 12]);
    // The weights are the Keras ones: conv3 has a 3×3×32×64 kernel and 64 biases.
    expect(m.weights.get('conv3')!.map((w) => [w.name, w.shape])).toEqual([
      ['conv3/kernel', [3, 3, 32, 64]],
      ['conv3/bias', [64]],
    ]);
  });

  // Rule: the LSTM model opens with its parameters (LSTM weights from the cell sub-group) and
  // converts, its LSTMs lowered to UNIDIRECTIONAL_SEQUENCE_LSTM (lstm-lowering.test.ts).
  it('har_lstm: Sequential, 3 layers (LSTM weights from the cell sub-group), 13,894 params, keras 3.14.1', async () => {
    const m = await open('har_lstm');
    const s = summarizeKeras(m);
    expect(s.metadata.description).toContain('keras 3.14.1');
    expect(s.layers.map((l) => [l.outputs[0].name, l.op, l.params])).toEqual([
      ['lstm_1', 'LSTM', 4 * 32 * (9 + 32 + 1)],
      ['lstm_2', 'LSTM', 4 * 32 * (32 + 32 + 1)],
      ['output', 'Dense', 32 * 6 + 6],
    ]);
    expect(s.totals.params).toBe(13_894);
    expect(m.weights.get('lstm_1')!.map((w) => w.name)).toEqual([
      'lstm_1/kernel',
      'lstm_1/recurrent_kernel',
      'lstm_1/bias',
    ]);
    // Shapes and MACs (4 gates × (inputs + units) × units per step, 128 steps) are known.
    expect(s.layers.map((l) => [l.outputs[0].shape, l.macs])).toEqual([
      [[1, 128, 32], 128 * 4 * 32 * (9 + 32)],
      [[1, 32], 128 * 4 * 32 * (32 + 32)],
      [[1, 6], 32 * 6],
    ]);
    expect(kerasToTflite(m).subgraphs[0].operators.map((o) => o.op)).toContain(
      'UNIDIRECTIONAL_SEQUENCE_LSTM',
    );
  });

  // Rule: a Functional model with dotted layer names opens with every layer class SOURCES.md counts.
  it('effnetv2_cifar10: Functional, 52 layers, dotted names, 63,118 params', async () => {
    const m = await open('effnetv2_cifar10');
    const s = summarizeKeras(m);
    expect(s.layers).toHaveLength(52);
    expect(counts(s.layers.map((l) => l.op))).toEqual({
      Conv2D: 13, Activation: 13, BatchNormalization: 9, GlobalAveragePooling2D: 5,
      DepthwiseConv2D: 4, Multiply: 4, Dropout: 2, Add: 1, Dense: 1,
    }); // prettier-ignore
    expect(s.layers[0].outputs[0].name).toBe('stem.conv');
    expect(s.layers.map((l) => l.outputs[0].name)).toContain('stage3_mbconv2_red.conv');
    expect(s.totals.params).toBe(63_118);
    expect(s.outputs[0].shape).toEqual([1, 10]);
    // BatchNormalization variables in Keras order, each stem_bn one 48 long.
    expect(m.weights.get('stem_bn')!.map((w) => [w.name, w.shape[0]])).toEqual([
      ['stem_bn/gamma', 48],
      ['stem_bn/beta', 48],
      ['stem_bn/moving_mean', 48],
      ['stem_bn/moving_variance', 48],
    ]);
    // A Conv2D without bias has its kernel only.
    expect(m.weights.get('stem.conv')!.map((w) => [w.name, w.shape])).toEqual([
      ['stem.conv/kernel', [3, 3, 3, 48]],
    ]);
    // The residual Add reads the two branches the config names.
    const add = s.layers.find((l) => l.op === 'Add')!;
    expect(add.inputs.map((t) => t.name)).toEqual(['stage3_mbconv1_red_bn_bn', 'stage3_mbconv2_res_dp']);
  });

  // Rule: a .keras is recognised by content (zip listing config.json + model.weights.h5) or name.
  it('detects the .keras format by content and by name', () => {
    const bytes = readFixture('keras3', 'kws_cnn.keras');
    expect(detectFormat(bytes, 'model.bin')).toBe('keras');
    expect(detectFormat(bytes.slice(0, 100), 'x.keras')).toBe('keras');
  });

  // Rule: weight groups are named after the class in snake_case, as keras.src.utils.naming does.
  it('snake-cases class names like Keras', () => {
    expect(
      ['Conv2D', 'DepthwiseConv2D', 'GlobalAveragePooling2D', 'LSTM', 'BatchNormalization'].map(snakeCase),
    ).toEqual(['conv2d', 'depthwise_conv2d', 'global_average_pooling2d', 'lstm', 'batch_normalization']);
  });
});

/** in(4) → shared.fc → block.seq(d.1, relu) → shared.fc again; add(fc(in), fc(seq(fc(in)))) → head(2). */
function nestedSharedConfig() {
  const dense = (name: string, units: number, activation = 'linear') => ({
    name,
    units,
    activation,
    use_bias: true,
  });
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: 'outer.model',
      trainable: true,
      layers: [
        layer('InputLayer', { name: 'in', batch_shape: [null, 4] }, []),
        layer('Dense', dense('shared.fc', 4), [[tensor('in')], [tensor('block.seq', 0)]]),
        {
          module: 'keras',
          class_name: 'Sequential',
          config: {
            name: 'block.seq',
            trainable: true,
            layers: [
              layer('InputLayer', { name: 'seq_in', batch_shape: [null, 4] }),
              layer('Dense', dense('d.1', 4, 'relu')),
            ],
          },
          registered_name: null,
          name: 'block.seq',
          inbound_nodes: [{ args: [tensor('shared.fc', 0)], kwargs: {} }],
        },
        layer('Add', { name: 'add' }, [[[tensor('shared.fc', 0), tensor('shared.fc', 1)]]]),
        layer('Dense', dense('head', 2), [[tensor('add')]]),
      ],
      input_layers: [['in', 0, 0]],
      output_layers: [['head', 0, 0]],
    },
    registered_name: null,
  };
}

const W = {
  fcK: values(16, 1),
  fcB: values(4, 2),
  dK: values(16, 3),
  dB: values(4, 4),
  hK: values(8, 5),
  hB: values(2, 6),
};

function nestedSharedGroups() {
  const v = (shape: number[], data: Float32Array) => ({ shape, data });
  return [
    { path: 'layers/input_layer', name: 'in', vars: [] },
    { path: 'layers/dense', name: 'shared.fc', vars: [v([4, 4], W.fcK), v([4], W.fcB)] },
    { path: 'layers/sequential', name: 'block.seq', vars: [] },
    { path: 'layers/sequential/layers/dense', name: 'd.1', vars: [v([4, 4], W.dK), v([4], W.dB)] },
    { path: 'layers/add', name: 'add', vars: [] },
    { path: 'layers/dense_1', name: 'head', vars: [v([4, 2], W.hK), v([2], W.hB)] },
    { path: 'optimizer', vars: [v([], Float32Array.of(3))] },
  ];
}

/** y = x·K + b with a Keras [in, out] kernel. */
function dense(x: Float32Array, k: Float32Array, b: Float32Array, relu = false): Float32Array {
  const out = b.length;
  return Float32Array.from({ length: out }, (_, o) => {
    let s = b[o];
    for (let i = 0; i < x.length; i++) s += x[i] * k[i * out + o];
    return relu ? Math.max(0, s) : s;
  });
}

describe('Keras 3 configs: nested models, shared layers, dotted names', () => {
  // Rule: inbound_nodes in the Keras 3 form ({args, kwargs} with keras_history) give the same graph
  // as the Keras 2 form; a shared layer is one weight set used by each call; a nested Sequential's
  // weights come from its own layers/ group; the optimizer state is ignored.
  it('maps weights to layers and computes the hand-worked result', async () => {
    const bytes = await buildKeras3({ config: nestedSharedConfig(), groups: nestedSharedGroups() });
    const m = await readKeras(bytes);
    const s = summarizeKeras(m);
    expect(s.layers.map((l) => [l.outputs[0].name, l.params])).toEqual([
      ['shared.fc', 20],
      ['block.seq/d.1', 20],
      ['shared.fc_call1', 0],
      ['add', 0],
      ['head', 10],
    ]);
    expect([...m.weights.keys()].sort()).toEqual(['block.seq/d.1', 'head', 'shared.fc']);
    const x = Float32Array.of(0.5, -1, 2, 0.25);
    const a = dense(x, W.fcK, W.fcB);
    const b = dense(dense(a, W.dK, W.dB, true), W.fcK, W.fcB);
    const want = dense(
      a.map((v, i) => v + b[i]),
      W.hK,
      W.hB,
    );
    const tfl = await loadTfliteWasm(writeTflite(kerasToTflite(m)));
    try {
      const got = tfl.predict([x])[0] as Float32Array;
      for (let i = 0; i < 2; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    } finally {
      tfl.dispose();
    }
  });

  // Rule: a nested model called twice is one weight set: both calls compute with it.
  it('a nested Sequential called twice uses its weights in both calls', async () => {
    const seq = (nestedSharedConfig().config.layers as { class_name: string }[]).find(
      (l) => l.class_name === 'Sequential',
    ) as Record<string, unknown>;
    const config = {
      class_name: 'Functional',
      config: {
        name: 'twice',
        layers: [
          layer('InputLayer', { name: 'in', batch_shape: [null, 4] }, []),
          { ...seq, inbound_nodes: [{ args: [tensor('in')] }, { args: [tensor('block.seq', 0)] }] },
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['block.seq', 1, 0]],
      },
    };
    const groups = nestedSharedGroups().filter((g) => g.path.startsWith('layers/sequential'));
    const m = await readKeras(await buildKeras3({ config, groups }));
    expect(summarizeKeras(m).layers.map((l) => [l.outputs[0].name, l.params])).toEqual([
      ['block.seq/d.1', 20],
      ['block.seq_call1/d.1', 0],
    ]);
    const x = Float32Array.of(1, -0.5, 0.25, 2);
    const want = dense(dense(x, W.dK, W.dB, true), W.dK, W.dB, true);
    const tfl = await loadTfliteWasm(writeTflite(kerasToTflite(m)));
    try {
      const got = tfl.predict([x])[0] as Float32Array;
      for (let i = 0; i < 4; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    } finally {
      tfl.dispose();
    }
  });

  // Rule: Keras 2.13–2.15 .keras files keep layers under `_layer_checkpoint_dependencies/` and
  // write no `name` attribute; the class-order names alone place the weights.
  it('reads the Keras 2.13 `_layer_checkpoint_dependencies` layout', async () => {
    const groups = nestedSharedGroups().map((g) => ({
      path: g.path.replace(/(^|\/)layers\//g, '$1_layer_checkpoint_dependencies/'),
      vars: g.vars,
    }));
    const m = await readKeras(
      await buildKeras3({ config: nestedSharedConfig(), groups, metadata: { keras_version: '2.13.1' } }),
    );
    expect(m.weights.get('head')![0].data).toEqual(W.hK);
    expect(m.weights.get('block.seq/d.1')![1].data).toEqual(W.dB);
  });

  // Rule: a layer whose class-order group is missing is found by the stored `name` attribute.
  it('finds a layer by its stored name when its class-order group is missing', async () => {
    const groups = nestedSharedGroups().map((g) =>
      g.name === 'head' ? { ...g, path: 'layers/dense_7' } : g,
    );
    const m = await readKeras(await buildKeras3({ config: nestedSharedConfig(), groups }));
    expect(m.weights.get('shared.fc')![0].data).toEqual(W.fcK);
    expect(m.weights.get('head')![0].data).toEqual(W.hK);
  });
});

describe('corrupt .keras files', () => {
  // Rule: bad input gets one clear error naming the problem, never a stack trace or a crash.
  it('a truncated zip says so', async () => {
    const bytes = readFixture('keras3', 'kws_cnn.keras');
    for (const n of [10, 2000, bytes.length >> 1, bytes.length - 30]) {
      await expect(readKeras3(bytes.slice(0, n))).rejects.toThrow(
        /^Not a Keras \.keras model: the zip archive is truncated or corrupt/,
      );
    }
  });

  it('a zip without config.json names the missing file', async () => {
    const bytes = await buildKeras3({
      config: nestedSharedConfig(),
      groups: nestedSharedGroups(),
      omit: ['config.json'],
    });
    await expect(readKeras3(bytes)).rejects.toThrow(/the zip has no config\.json/);
  });

  it('a zip without model.weights.h5 names the missing file', async () => {
    const bytes = await buildKeras3({
      config: nestedSharedConfig(),
      groups: nestedSharedGroups(),
      omit: ['model.weights.h5'],
    });
    await expect(readKeras3(bytes)).rejects.toThrow(/the zip has no model\.weights\.h5/);
  });

  it('weights missing a layer name the layer, its class and the expected group', async () => {
    const groups = nestedSharedGroups().filter((g) => g.name !== 'head');
    const bytes = await buildKeras3({ config: nestedSharedConfig(), groups });
    await expect(readKeras3(bytes)).rejects.toThrow(
      'Keras .keras: model.weights.h5 has no weights for layer head (Dense, expected at /layers/dense_1)',
    );
  });

  it('a config.json that describes no Sequential/Functional model says so', async () => {
    const notJson = await buildKeras3({ config: 0, groups: [] });
    await expect(readKeras3(notJson)).rejects.toThrow(/config\.json has no class_name\/config/);
    const subclassed = await buildKeras3({
      config: { class_name: 'MyModel', config: { name: 'm' } },
      groups: [],
    });
    await expect(readKeras3(subclassed)).rejects.toThrow(
      /describes a MyModel, not a Sequential or Functional/,
    );
  });

  it('an entry declaring more than 1 GiB unpacked is refused before unpacking', async () => {
    const bytes = await buildKeras3({ config: nestedSharedConfig(), groups: nestedSharedGroups() });
    // Central directory entry of config.json: "PK\x01\x02", uncompressed size at +24 (uint32 LE).
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const name = new TextEncoder().encode('config.json');
    for (let at = 0; at + 46 < bytes.length; at++) {
      if (view.getUint32(at, true) !== 0x02014b50) continue;
      if (name.every((c, i) => bytes[at + 46 + i] === c)) view.setUint32(at + 24, 0xfffffff0, true);
    }
    await expect(readKeras3(bytes)).rejects.toThrow(
      /^Keras \.keras: config\.json unpacks to 4294967280 bytes; entries over 1 GiB are not supported$/,
    );
  });

  it('metadata.json that is not an object leaves the version unknown', async () => {
    const bytes = await buildKeras3({
      config: nestedSharedConfig(),
      groups: nestedSharedGroups(),
      metadata: null,
    });
    const m = await readKeras3(bytes);
    expect(m.kerasVersion).toBe('');
    expect(summarizeKeras(m).metadata.description).toBe('Keras Functional "outer.model" (keras ?, ?)');
  });

  it('a file that is not a zip says so', async () => {
    await expect(readKeras3(readFixture('keras3', 'kws_cnn_int8.tflite'))).rejects.toThrow(
      /^Not a Keras \.keras model: the file is not a zip archive/,
    );
  });
});
