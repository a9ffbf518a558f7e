/**
 * Our int8 models run on our firmware: quantize the float fixtures, upload each to the virtual
 * board (the C firmware built for the host, over a pty), and require every op output to equal our
 * simulator's byte for byte (both implement the TFLite Micro reference kernels exactly).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTflite, writeTflite } from '../../../src-main/core/model/index.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { toBytes } from '../../../src-main/core/simulate/tensor-data.ts';
import { normalizationOf, normalizeSample } from '../../../src-main/core/simulate/inputs/normalize.ts';
import { autoQuantize } from '../../../src-main/core/quantize/index.ts';
import { VirtualBoard } from '../../../src-main/services/board/virtual-board.ts';
import type { BoardSession } from '../../../src-main/services/board/session.ts';
import { readFixture } from '../../helpers/fixtures.ts';
import { augmentedPhotos } from './calibration-data.ts';

let vb: VirtualBoard;
let board: BoardSession;
beforeAll(async () => {
  vb = await VirtualBoard.start();
  board = await vb.connect();
}, 300_000);
afterAll(async () => {
  await board?.link.close();
  await vb?.stop();
});

describe('quantized models on the virtual board', () => {
  it.each([
    ['image_example1', false],
    ['image_example1', true],
    ['rock_paper_scissors', false],
  ] as const)(
    '%s (per-tensor Dense weights: %s): every op output equals the simulator',
    async (name, fcPerTensor) => {
      const float = readTflite(readFixture('float', `${name}.float32.tflite`));
      const norm = normalizationOf(float.parameters)!;
      const size = float.subgraphs[0].tensors[float.subgraphs[0].inputs[0]].shape[1];
      const samples = augmentedPhotos(size, 40, 5).map((x) => [normalizeSample(x, norm)]);
      const model = autoQuantize(float, samples, { io: 'float32', fcPerTensor }).model;
      const dense = model.subgraphs[0].operators.filter((o) => o.op === 'FULLY_CONNECTED');
      expect(dense.length).toBeGreaterThan(0);
      for (const op of dense) {
        const w = model.subgraphs[0].tensors[op.inputs[1]];
        expect(w.quantization!.scale).toHaveLength(fcPerTensor ? 1 : w.shape[0]);
      }
      const bytes = writeTflite(model);
      const pm = prepare(readTflite(bytes));
      const x = samples[0][0];
      const sim = invoke(pm, [x], { taps: true }).layers;
      const r = await board.profile(bytes, [new Uint8Array(x.buffer, x.byteOffset, x.byteLength)]);
      expect(r.ops.length).toBe(sim.length);
      for (const op of r.ops) {
        const want = sim.find((l) => l.tensor === op.tensor);
        expect(want, `op ${op.index} output tensor ${op.tensor}`).toBeDefined();
        const expected = toBytes(want!.data);
        expect(op.data.length).toBe(expected.length);
        expect(
          op.data.findIndex((v, i) => v !== expected[i]),
          `op ${op.index} (${want!.op}) first differing byte`,
        ).toBe(-1);
      }
    },
    120_000,
  );
});
