/**
 * An op with several outputs on the virtual board (the same core, behind the serial protocol):
 * the board streams each op's first output, the host compares it with its own run, and the other
 * outputs of SPLIT / UNPACK are rows the board did not send.
 */
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { profileAndCompare } from '../../src-main/services/board/profile-compare.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { irModel } from '../helpers/ir-models.ts';

const q: [number, number] = [0.5, -3];

describe('multi-output ops on the virtual board', () => {
  // rule: SPLIT and UNPACK run on the board bit-exact with the host for every output it streams
  // (the first of each op); the second outputs are 'not-compared', never a mismatch or an error
  it('SPLIT -> UNPACK -> PACK profiles with every streamed layer matching', async () => {
    // SPLIT [2,6] into two [2,3]; UNPACK the second half into two rows; PACK them swapped
    const model = irModel(
      [
        { dtype: 'int32', shape: [], data: Int32Array.of(1) },
        { dtype: 'int8', shape: [2, 6], q },
        { dtype: 'int8', shape: [2, 3], q },
        { dtype: 'int8', shape: [2, 3], q },
        { dtype: 'int8', shape: [3], q },
        { dtype: 'int8', shape: [3], q },
        { dtype: 'int8', shape: [2, 3], q },
      ],
      [
        { op: 'SPLIT', inputs: [0, 1], outputs: [2, 3], options: { num_splits: 2 } },
        { op: 'UNPACK', inputs: [3], outputs: [4, 5], options: { num: 2, axis: 0 } },
        { op: 'PACK', inputs: [5, 4], outputs: [6], options: { values_count: 2, axis: 0 } },
      ],
      [6, 2],
    );
    const vb = await VirtualBoard.start({ transport: 'stdio' });
    try {
      const session = await vb.connect();
      const r = await profileAndCompare(session, {
        modelName: 'split-unpack-pack',
        modelBytes: writeTflite(model),
        input: { seed: 1 },
      });
      const rows = r.compare.layers.filter((l) => l.index >= 0).map((l) => [l.index, l.tensor, l.status]);
      expect(rows).toEqual([
        [0, 2, 'match'],
        [0, 3, 'not-compared'],
        [1, 4, 'match'],
        [1, 5, 'not-compared'],
        [2, 6, 'match'],
      ]);
      expect(r.compare.allMatch).toBe(true);
      expect(r.compare.outputs.map((o) => o.tensor)).toEqual([6, 2]);
      await session.link.close();
    } finally {
      await vb.stop();
    }
  }, 120_000);
});
