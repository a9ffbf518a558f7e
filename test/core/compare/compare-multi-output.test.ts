/**
 * Host vs board for an op with several outputs: boards stream one output per op (OP_OUTPUT, the
 * first), so the host's other outputs of SPLIT / SPLIT_V / UNPACK are rows the board did not send.
 */
import { describe, expect, it } from 'vitest';
import { compareRun } from '../../../src-main/core/compare/compare.ts';
import { deviceDump } from '../../../src-main/core/compare/device-dump.ts';
import { compareMatrix } from '../../../src-main/core/compare/matrix.ts';
import { hostRun } from '../../../src-main/core/compare/host-run.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { irModel } from '../../helpers/ir-models.ts';
import { testBoard } from './cases.ts';

const q: [number, number] = [0.5, 0];

/** SPLIT [2,4] into two [2,2] halves, CONCATENATION of them swapped; graph outputs: both. */
function splitConcat(outputs: number[]) {
  const m = irModel(
    [
      { dtype: 'int32', shape: [], data: Int32Array.of(1) },
      { dtype: 'int8', shape: [2, 4], q },
      { dtype: 'int8', shape: [2, 2], q },
      { dtype: 'int8', shape: [2, 2], q },
      { dtype: 'int8', shape: [2, 4], q },
    ],
    [
      { op: 'SPLIT', inputs: [0, 1], outputs: [2, 3], options: { num_splits: 2 } },
      { op: 'CONCATENATION', inputs: [3, 2], outputs: [4], options: { axis: 1 } },
    ],
    outputs,
  );
  const pm = prepare(m);
  const x = [Int8Array.of(1, 2, 3, 4, 5, 6, 7, 8)];
  return hostRun(pm, x, invoke(pm, x));
}

const board = testBoard;

describe('compareRun with a multi-output op', () => {
  // rule: the board streams each op's first output; the host's second SPLIT output is a
  // 'not-compared' row (not a mismatch, not "different models"), and the op count stays 2
  it('SPLIT -> CONCATENATION: first outputs compared, the second SPLIT output not compared', () => {
    const host = splitConcat([4, 2]);
    expect(host.layers.map((l) => [l.index, l.tensor])).toEqual([
      [0, 2],
      [0, 3],
      [1, 4],
    ]);
    // what a board sends: op 0's tensor 2 and op 1's tensor 4
    const device = host.layers
      .filter((l) => l.tensor !== 3)
      .map((l, i) => ({ index: l.index, tensor: l.tensor, ticks: 100 * (i + 1), bytes: l.bytes.slice() }));
    const r = compareRun({
      model: { name: 'split', sha256: '0' },
      board,
      input: 'x',
      host: host.layers,
      device,
      outputs: host.outputs,
    });
    expect(r.layers.map((l) => [l.index, l.tensor, l.status])).toEqual([
      [0, 2, 'match'],
      [0, 3, 'not-compared'],
      [1, 4, 'match'],
    ]);
    expect(r.allMatch).toBe(true);
    expect(r.model.ops).toBe(2);
    expect(r.outputs.map((o) => o.tensor)).toEqual([4, 2]);
    // a flipped byte in what the board did send is still found
    device[1].bytes[0] ^= 1;
    const bad = compareRun({
      model: { name: 'split', sha256: '0' },
      board,
      input: 'x',
      host: host.layers,
      device,
      outputs: host.outputs,
    });
    expect(bad.firstDivergent).toBe(1);
  });

  // rule: the device dump names each streamed tensor with its own host name and shape (by tensor,
  // not by op: SPLIT's first output is not labelled with its second's)
  it('device dump of a multi-output op labels the streamed tensor itself', () => {
    const host = splitConcat([4, 2]);
    const device = host.layers
      .filter((l) => l.tensor !== 3)
      .map((l) => ({ index: l.index, tensor: l.tensor, ticks: 1, bytes: l.bytes.slice() }));
    const dump = deviceDump('split', 'test', host.inputs, host.layers, device);
    expect(dump.op_outputs.map((o) => [o.tensor, o.name, o.shape])).toEqual([
      [2, 't2', [2, 2]],
      [4, 't4', [2, 4]],
    ]);
  });

  // rule: the multi-board matrix has one row per op (the first output, as boards stream it):
  // two boards that sent the same bytes are identical on both ops
  it('matrix over two boards: one row per op, every layer identical', () => {
    const host = splitConcat([4, 2]);
    const device = host.layers
      .filter((l) => l.tensor !== 3)
      .map((l) => ({ index: l.index, tensor: l.tensor, ticks: 5, bytes: l.bytes.slice() }));
    const compare = compareRun({
      model: { name: 'split', sha256: '0' },
      board,
      input: 'x',
      host: host.layers,
      device,
      outputs: host.outputs,
    });
    const runs = ['a', 'b'].map((id) => ({ id, seconds: 1, result: { compare, device } }));
    const m = compareMatrix(host.layers, runs);
    expect(m.layers.map((l) => l.index)).toEqual([0, 1]);
    expect(m.model.ops).toBe(2);
    expect(m.pairs.every((p) => p.differingLayers === 0 && p.identicalLayers === 2)).toBe(true);
  });

  // rule: a graph output that is a second output is left out of the output scores (the board
  // never streamed it), rather than failing the comparison
  it('a graph output the board does not stream is left out of the output scores', () => {
    const host = splitConcat([4, 3]);
    const device = host.layers
      .filter((l) => l.tensor !== 3)
      .map((l) => ({ index: l.index, tensor: l.tensor, ticks: 1, bytes: l.bytes.slice() }));
    const r = compareRun({
      model: { name: 'split', sha256: '0' },
      board,
      input: 'x',
      host: host.layers,
      device,
      outputs: host.outputs,
    });
    expect(r.outputs.map((o) => o.tensor)).toEqual([4]);
  });

  // rule (PROTOCOL.md §3 ALL_OUTPUTS): a board that sends every output of an op (same index, one
  // entry per output) has each compared, a flipped byte in a SECOND output is found there, the
  // op's time counts once, and the matrix still takes the op's first output
  it('every output sent (ALL_OUTPUTS): second outputs compared, time counted once', () => {
    const host = splitConcat([4, 3]);
    const device = host.layers.map((l) => ({
      index: l.index,
      tensor: l.tensor,
      ticks: 100,
      bytes: l.bytes.slice(),
    }));
    const run = () =>
      compareRun({
        model: { name: 'split', sha256: '0' },
        board,
        input: 'x',
        host: host.layers,
        device,
        outputs: host.outputs,
      });
    const r = run();
    expect(r.layers.map((l) => [l.index, l.tensor, l.status])).toEqual([
      [0, 2, 'match'],
      [0, 3, 'match'],
      [1, 4, 'match'],
    ]);
    expect(r.outputs.map((o) => o.tensor)).toEqual([4, 3]);
    expect(r.layers.map((l) => l.measuredTicks)).toEqual([100, undefined, 100]);
    expect(r.layers.map((l) => l.share)).toEqual([0.5, undefined, 0.5]);
    const m = compareMatrix(host.layers, [{ id: 'a', seconds: 1, result: { compare: r, device } }]);
    expect(m.layers.map((l) => [l.index, l.name])).toEqual([
      [0, 't2'],
      [1, 't4'],
    ]);
    // host vs the board: SPLIT's row holds its first output's bytes on both sides
    expect(m.pairs.map((p) => [p.differingLayers, p.identicalLayers])).toEqual([[0, 2]]);
    device[1].bytes[3] ^= 1;
    const bad = run();
    expect(bad.layers.map((l) => l.status)).toEqual(['match', 'mismatch', 'match']);
    expect(bad.firstDivergent).toBe(0);
  });
});
