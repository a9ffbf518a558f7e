/**
 * Op groups: which activation dtype families (int8, int16, float32) each build of the
 * interpreter core has kernels for. The core's kernel registry declares them per op
 * (firmware/core/src/ops.c, `dtypes`); a build that leaves a family out (QS_WITH_FLOAT=0,
 * QS_WITH_INT16=0, as boards with little flash do) reports it in its HELLO
 * (firmware/PROTOCOL.md §3), and the host names what the board lacks before uploading.
 *
 * Registry masks (qs_op_dtypes): the low nibble is the families this build has kernels for, the
 * high nibble the families the op's entry declares but this build leaves out.
 */
import type { Model } from '../model/ir.ts';
import { BUILTIN_CUSTOM, CUSTOM_OP_CODES } from '../model/tflite-schema.ts';

export const FAMILY = { int8: 0x01, int16: 0x02, float32: 0x04 } as const;
export type FamilyName = keyof typeof FAMILY;
export const FAMILIES = Object.keys(FAMILY) as FamilyName[];

/** The family of a tensor dtype, or 0 for types outside the three (uint8, int32, bool, ...). */
export function familyOf(dtype: string): number {
  return (FAMILY as Record<string, number>)[dtype] ?? 0;
}

export function familyNames(mask: number): FamilyName[] {
  return FAMILIES.filter((f) => mask & FAMILY[f]);
}

/** Families the build has kernels for (the mask's low nibble). */
export const builtFamilies = (dtypes: number): number => dtypes & 0x0f;
/** Families the op's entry declares but the build leaves out (the high nibble). */
export const leftOutFamilies = (dtypes: number): number => (dtypes >> 4) & 0x0f;

/** What a board said of itself in HELLO that this check needs (BoardHello has these fields). */
export interface BoardOpSet {
  board: string;
  firmware: string;
  /** Builtin codes the board's core implements (custom ops it has: their CUSTOM_OP_CODES). */
  ops: number[];
  /** QS_FAM_* the build compiles in; absent from boards before op groups (then only `ops` is checked). */
  families?: number;
  /** Per entry of `ops`, its registry mask. */
  opDtypes?: number[];
}

export interface OpGap {
  /** Op name as the model reader gives it (the custom code for custom ops). */
  op: string;
  /** The family the board lacks for it, or undefined when it lacks the op altogether. */
  family?: FamilyName;
  layers: number[];
}

/** How a build is named in messages: its firmware version and the families it leaves out. */
export function buildName(b: BoardOpSet): string {
  const left = b.families === undefined ? [] : FAMILIES.filter((f) => !(b.families! & FAMILY[f]));
  return `build ${b.firmware}${left.length ? `, ${left.map((f) => `no ${f}`).join(', ')}` : ''}`;
}

/**
 * The ops of the model's main graph the board cannot run: ops its core lacks altogether, and ops
 * whose input 0 or output is of a family its build leaves out of that op. Empty when it has them
 * all. Everything else (a dtype an op has in no build, shapes, quantization) is the board core's
 * verdict at LOAD_COMMIT, as before.
 */
export function boardOpGaps(model: Model, board: BoardOpSet): OpGap[] {
  const sg = model.subgraphs[0];
  if (!sg) return [];
  const gaps = new Map<string, OpGap>();
  const add = (op: string, layer: number, family?: FamilyName) => {
    const key = `${op}\0${family ?? ''}`;
    const g = gaps.get(key) ?? { op, family, layers: [] };
    g.layers.push(layer);
    gaps.set(key, g);
  };
  for (const op of sg.operators) {
    // a custom op is listed under the core's code for its name (unknown names: -1, never listed)
    const code = op.builtinCode === BUILTIN_CUSTOM ? (CUSTOM_OP_CODES.get(op.op) ?? -1) : op.builtinCode;
    const at = board.ops.indexOf(code);
    if (at < 0) {
      add(op.op, op.index);
      continue;
    }
    const dtypes = board.opDtypes?.[at];
    if (dtypes === undefined || dtypes === 0) continue; // not declared: the board's core decides
    const in0 = op.inputs[0] !== undefined && op.inputs[0] >= 0 ? sg.tensors[op.inputs[0]] : undefined;
    const out = sg.tensors[op.outputs[0]];
    const used = (in0 ? familyOf(in0.dtype) : 0) | (out ? familyOf(out.dtype) : 0);
    // a family the op has in no build (no bit at all) is the core's to refuse, in its own words
    for (const f of familyNames(used & ~builtFamilies(dtypes) & leftOutFamilies(dtypes)))
      add(op.op, op.index, f);
  }
  return [...gaps.values()];
}

/** One line naming what the board lacks, e.g. "board X (build 0.1.0, no float32) lacks
 * FULLY_CONNECTED for float32: layers 0, 1, 2". */
export function opGapMessage(board: BoardOpSet, gaps: OpGap[]): string {
  const parts = gaps.map((g) => {
    const layers = g.layers.length > 6 ? `${g.layers.slice(0, 6).join(', ')}, …` : g.layers.join(', ');
    return `${g.op}${g.family ? ` for ${g.family}` : ''}: layer${g.layers.length > 1 ? 's' : ''} ${layers}`;
  });
  return `board ${board.board} (${buildName(board)}) lacks ${parts.join('; ')}`;
}
