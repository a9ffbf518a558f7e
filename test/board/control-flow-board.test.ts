/**
 * WHILE and IF (issue 15) on the virtual board (the native build of the same interpreter core, behind
 * the serial protocol) and the emulated Cortex-M3 (QEMU mps2-an385): both give the outputs TFLite
 * Micro's rule defines (while.cc, if.cc) and the host simulator (WebAssembly core) gives, for the
 * small control-flow models of test/helpers/flow-models.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { invoke, prepare } from '../../src-main/core/simulate/interpreter.ts';
import type { BoardSession, OpResult } from '../../src-main/services/board/session.ts';
import { QemuBoard } from '../../src-main/services/board/qemu-board.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import {
  ifBranchBytes,
  ifBranchExpected,
  whileCounterBytes,
  whileCounterExpected,
  whileEndlessBytes,
} from '../helpers/flow-models.ts';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const int8s = (b: Uint8Array) => Array.from(new Int8Array(b.buffer, b.byteOffset, b.byteLength));
const int32s = (b: Uint8Array) => Array.from(new Int32Array(b.slice().buffer));
const outputOf = (ops: OpResult[], tensor: number): Uint8Array => {
  const r = ops.find((o) => o.tensor === tensor);
  if (!r) throw new Error(`the board streamed no output for tensor ${tensor}`);
  return r.data;
};

interface Launched {
  connect(): Promise<BoardSession>;
  stop(): Promise<void>;
}
const BOARDS: [string, () => Promise<Launched>][] = [
  ['the virtual board', () => VirtualBoard.start()],
  ['the emulated Cortex-M3 (QEMU)', () => QemuBoard.launch()],
];

describe.each(BOARDS)('WHILE and IF on %s', (_name, launch) => {
  let vb: Launched;
  let board: BoardSession;
  beforeAll(async () => {
    vb = await launch();
    board = await vb.connect();
  }, 300_000);
  afterAll(async () => {
    await board?.link.close();
    await vb?.stop();
  });

  it('the WHILE counter loop: board, host and the rule agree for n = 0, 1, 5, 37', async () => {
    // rule (while.cc): the body runs while i < n (max(n, 0) times), adding its int8 step to acc
    // (saturating) and 1 to i; the WHILE op's outputs are (i, n, acc): tensors 3, 4, 5
    const model = whileCounterBytes();
    const ns = [0, 1, 5, 37];
    const xs = ns.map((n) => Int8Array.from([-13, -4, 5, 14 + n]));
    const pm = prepare(readTflite(model), 0, { bytes: model });
    const rs = await board.profileStream(
      model,
      ns.map((n, k) => [bytesOf(xs[k]), bytesOf(Int32Array.of(n))]),
    );
    ns.forEach((n, k) => {
      const want = whileCounterExpected(xs[k], n);
      expect(int8s(outputOf(rs[k].ops, 5)), `board acc, n=${n}`).toEqual(want.acc);
      expect(int32s(outputOf(rs[k].ops, 3)), `board i, n=${n}`).toEqual([want.i]);
      const host = invoke(pm, [xs[k], Int32Array.of(n)], { taps: false });
      expect(Array.from(host.outputs[0].data, Number), `host acc, n=${n}`).toEqual(want.acc);
    });
  }, 120_000);

  it('IF: the board runs the then branch on true and the else branch on false', async () => {
    // rule (if.cc): a true condition runs then_subgraph (x + FLOW_THEN), false else_subgraph
    const model = ifBranchBytes();
    const x = Int8Array.from([100, -100, 5, -7]);
    const rs = await board.profileStream(model, [
      [Uint8Array.of(1), bytesOf(x)],
      [Uint8Array.of(0), bytesOf(x)],
    ]);
    expect(int8s(outputOf(rs[0].ops, 2))).toEqual(ifBranchExpected(true, x));
    expect(int8s(outputOf(rs[1].ops, 2))).toEqual(ifBranchExpected(false, x));
  }, 120_000);

  it('a WHILE whose condition stays true fails the run with the core message naming WHILE', async () => {
    // rule: TFLM would loop on; the core stops after 65536 body runs and the board reports the
    // failed INVOKE with the core's message (the same bound on every target)
    await expect(board.profile(whileEndlessBytes(), [new Uint8Array(4)])).rejects.toThrow(/WHILE.*65536/);
  }, 120_000);
});
