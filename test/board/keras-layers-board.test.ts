/**
 * int8 models made from the new Keras layer lowerings run on the virtual board (the same core
 * built natively, behind the serial protocol) bit-exact with the host simulator, op by op.
 */
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { kerasToTflite } from '../../src-main/core/model/keras/to-tflite.ts';
import { autoQuantize } from '../../src-main/core/quantize/index.ts';
import { profileAndCompare } from '../../src-main/services/board/profile-compare.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { functionalModel, input, samples, sequentialModel, values } from '../core/keras/layer-harness.ts';

const inputLayer = (name: string, shape: number[]) => ({ ...input(name, shape), name, inbound_nodes: [] });
const call = (
  className: string,
  config: Record<string, unknown>,
  from: [string, Record<string, unknown>?][],
) => ({
  class_name: className,
  name: config.name,
  config,
  inbound_nodes: [from.map(([n, kw]) => [n, 0, 0, kw ?? {}])],
});

async function models() {
  const conv = await sequentialModel(
    [
      input('x', [16, 4]),
      {
        class_name: 'Conv1D',
        config: {
          name: 'c',
          filters: 6,
          kernel_size: [3],
          dilation_rate: [2],
          padding: 'causal',
          activation: 'swish',
        },
      },
      { class_name: 'LayerNormalization', config: { name: 'ln', axis: -1 } },
      { class_name: 'MaxPooling1D', config: { name: 'mp', pool_size: [2] } },
      { class_name: 'GlobalAveragePooling1D', config: { name: 'gap' } },
      { class_name: 'Dense', config: { name: 'd', units: 3, activation: 'softmax' } },
    ],
    {
      c: [
        { name: 'c/kernel:0', shape: [3, 4, 6], data: values(72, 1, -0.5, 0.5) },
        { name: 'c/bias:0', shape: [6], data: values(6, 2, -0.1, 0.1) },
      ],
      ln: [
        { name: 'ln/gamma:0', shape: [6], data: values(6, 3, 0.5, 1.5) },
        { name: 'ln/beta:0', shape: [6], data: values(6, 4, -0.3, 0.3) },
      ],
      d: [
        { name: 'd/kernel:0', shape: [6, 3], data: values(18, 5) },
        { name: 'd/bias:0', shape: [3], data: values(3, 6, -0.1, 0.1) },
      ],
    },
  );
  const mha = ['query', 'key', 'value'].flatMap((r, i) => [
    { name: `${r}/kernel:0`, shape: [6, 2, 3], data: values(36, 10 + i, -0.6, 0.6) },
    { name: `${r}/bias:0`, shape: [2, 3], data: values(6, 20 + i, -0.1, 0.1) },
  ]);
  mha.push(
    { name: 'attention_output/kernel:0', shape: [2, 3, 6], data: values(36, 30, -0.6, 0.6) },
    { name: 'attention_output/bias:0', shape: [6], data: values(6, 31, -0.1, 0.1) },
  );
  const attention = await functionalModel(
    [
      inputLayer('q', [4, 6]),
      call('MultiHeadAttention', { name: 'mha', num_heads: 2, key_dim: 3 }, [['q', { value: ['q', 0, 0] }]]),
      call('Concatenate', { name: 'cat', axis: -1 }, [['q'], ['mha']]),
      call('Permute', { name: 'perm', dims: [2, 1] }, [['cat']]),
      call('ZeroPadding1D', { name: 'pad', padding: [1, 1] }, [['perm']]),
      call('Activation', { name: 'act', activation: 'gelu' }, [['pad']]),
    ],
    ['q'],
    ['act'],
    { mha },
  );
  return [
    { name: 'conv1d-layernorm', keras: conv, size: 64 },
    { name: 'attention-concat', keras: attention, size: 24 },
  ];
}

describe('Keras layer lowerings on the virtual board', () => {
  // rule: the int8 model of each lowering runs on the board with every streamed op output equal to
  // the host simulator's (one core, three targets)
  it('Conv1D/LayerNorm/pools and MultiHeadAttention/Concatenate/Permute/ZeroPadding1D/gelu match the host', async () => {
    const vb = await VirtualBoard.start({ transport: 'stdio' });
    try {
      const session = await vb.connect();
      for (const { name, keras, size } of await models()) {
        const { model } = autoQuantize(kerasToTflite(keras), samples([size], 16, 1), { methods: ['minmax'] });
        const r = await profileAndCompare(session, {
          modelName: name,
          modelBytes: writeTflite(model),
          input: { seed: 3 },
        });
        const bad = r.compare.layers.filter((l) => l.status !== 'match' && l.status !== 'not-compared');
        expect(bad, name).toEqual([]);
        expect(r.compare.allMatch, name).toBe(true);
        const ops = model.subgraphs[0].operators.length;
        expect(r.compare.layers.filter((l) => l.status === 'match').length, name).toBeGreaterThanOrEqual(ops);
      }
      await session.link.close();
    } finally {
      await vb.stop();
    }
  }, 180_000);
});
