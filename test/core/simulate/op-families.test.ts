/**
 * What a board's build lacks, named before uploading (src-main/core/simulate/op-families.ts): the
 * ops whose first input or output is of a dtype family the build leaves out of that op, grouped by
 * op and family with their layers; ops the board's core lacks altogether; nothing for a board from
 * before op groups beyond the op list.
 */
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../src-main/core/model/ir.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { CUSTOM_OP_CODES } from '../../../src-main/core/model/tflite-schema.ts';
import { coreRegistry } from '../../../src-main/core/simulate/engine/core-registry.ts';
import { boardOpGaps, opGapMessage, type BoardOpSet } from '../../../src-main/core/simulate/op-families.ts';
import { readFixture } from '../../helpers/fixtures.ts';

const FLOAT = () => readTflite(readFixture('float', 'hello_world_float.tflite')); // 3 float32 FULLY_CONNECTED
const FC = 9;
const board = (over: Partial<BoardOpSet>): BoardOpSet => ({
  board: 'test board',
  firmware: '0.1.0',
  ops: [FC],
  families: 0x07,
  opDtypes: [0x07],
  ...over,
});

/** hello_world_float with its activations retyped int16 (the check reads dtypes only). */
function asInt16(m: Model): Model {
  for (const t of m.subgraphs[0].tensors) if (t.dtype === 'float32' && !t.data) t.dtype = 'int16';
  return m;
}

describe('boardOpGaps', () => {
  it('names the float32 ops of a build without float32 kernels, with their layers', () => {
    // rule: an op whose float32 family is left out of the build (high nibble) is named with every layer using it
    const b = board({ families: 0x03, opDtypes: [0x43] });
    const gaps = boardOpGaps(FLOAT(), b);
    expect(gaps).toEqual([{ op: 'FULLY_CONNECTED', family: 'float32', layers: [0, 1, 2] }]);
    expect(opGapMessage(b, gaps)).toBe(
      'board test board (build 0.1.0, no float32) lacks FULLY_CONNECTED for float32: layers 0, 1, 2',
    );
  });

  it('names int16 ops of a build without int16 kernels', () => {
    // rule: the same for QS_WITH_INT16=0: "lacks OP for int16"
    const b = board({ families: 0x05, opDtypes: [0x25] });
    const gaps = boardOpGaps(asInt16(FLOAT()), b);
    expect(opGapMessage(b, gaps)).toBe(
      'board test board (build 0.1.0, no int16) lacks FULLY_CONNECTED for int16: layers 0, 1, 2',
    );
  });

  it('names an op the board core lacks altogether', () => {
    // rule: an op code missing from the board's list is a gap whatever its dtype
    expect(boardOpGaps(FLOAT(), board({ ops: [3], opDtypes: [0x07] }))).toEqual([
      { op: 'FULLY_CONNECTED', family: undefined, layers: [0, 1, 2] },
    ]);
  });

  it("looks a custom op up under the core's code for its name", () => {
    // rule: a board lists custom ops by the core's codes (CUSTOM_OP_CODES, 1000 up), never by CUSTOM (32)
    const m = FLOAT();
    const op = m.subgraphs[0].operators[0];
    op.builtinCode = 32;
    op.op = 'SignalWindow';
    const withIt = board({ ops: [FC, 1001], opDtypes: [0x07, 0x02] });
    expect(boardOpGaps(m, withIt)).toEqual([]);
    expect(boardOpGaps(m, board({ ops: [FC, 32] }))).toEqual([
      { op: 'SignalWindow', family: undefined, layers: [0] },
    ]);
    op.op = 'PosenetDecoderOp'; // a custom op no core has
    expect(boardOpGaps(m, withIt)).toEqual([{ op: 'PosenetDecoderOp', family: undefined, layers: [0] }]);
  });

  it("CUSTOM_OP_CODES are the core registry's codes for those names", () => {
    // rule: the host's table and the core's registry (ops.c) cannot drift apart
    const reg = new Map(coreRegistry().ops.map((e) => [e.name, e.code]));
    for (const [name, code] of CUSTOM_OP_CODES) expect([name, reg.get(name)]).toEqual([name, code]);
  });

  it('finds nothing when the build has the family', () => {
    // rule: no false alarm on a full build
    expect(boardOpGaps(FLOAT(), board({}))).toEqual([]);
  });

  it('leaves dtypes to the board for a family the op has in no build, or a board without op groups', () => {
    // rule: only families a build left out are named; everything else is the board core's verdict at load
    expect(boardOpGaps(FLOAT(), board({ opDtypes: [0x01] }))).toEqual([]);
    expect(boardOpGaps(FLOAT(), board({ families: undefined, opDtypes: undefined }))).toEqual([]);
  });
});
