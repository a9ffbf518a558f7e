/**
 * Op outputs put together from streamed OP_OUTPUT pieces (PROTOCOL.md §3). On a noisy line some
 * pieces arrive damaged (dropped by their CRC); the bytes still missing are listed as holes, which
 * an extended INVOKE streams again from a re-run. Outputs are deterministic, so pieces from
 * different runs of the same model on the same inputs fit together byte for byte.
 */
import type { OutputHole } from './messages.ts';
import type { OpOutputPiece } from './replies.ts';

export interface OpAssembly {
  tensor: number;
  /** ticks the op took in the first run a piece of it arrived from */
  ticks: number;
  data: Uint8Array;
  /** 1 per byte that arrived intact */
  have: Uint8Array;
  got: number;
}

/** Op index → its output so far. An op with no intact piece yet has no entry (size unknown). */
export type OpSink = Map<number, OpAssembly>;

/** Hole length meaning "the whole output, whatever its size" (the board clamps it). */
export const WHOLE_OUTPUT = 0xffffffff;

/** Adds one intact piece. A piece whose total differs from what earlier pieces said starts the op
 * over (cannot happen with one model; kept so a confused board never mixes two sizes). */
export function addPiece(sink: OpSink, p: OpOutputPiece): void {
  let a = sink.get(p.op);
  if (!a || a.data.length !== p.total) {
    a = {
      tensor: p.tensor,
      ticks: p.ticks,
      data: new Uint8Array(p.total),
      have: new Uint8Array(p.total),
      got: 0,
    };
    sink.set(p.op, a);
  }
  a.data.set(p.data, p.offset);
  const end = p.offset + p.data.length;
  for (let k = p.offset; k < end; k++) {
    if (!a.have[k]) {
      a.have[k] = 1;
      a.got++;
    }
  }
}

/** Bytes still missing over ops 0..ops-1 (an op never seen counts as `unknown` bytes). */
export function missingBytes(sink: OpSink, ops: number, unknown = 1 << 20): number {
  let n = 0;
  for (let i = 0; i < ops; i++) {
    const a = sink.get(i);
    n += a ? a.data.length - a.got : unknown;
  }
  return n;
}

/**
 * The byte ranges still missing, sorted by op then offset, at most `maxHoles` of them: gaps of
 * up to `mergeGap` received bytes between two holes are fetched again rather than cost a hole
 * (each streamed piece costs a frame header anyway); the gap doubles until the list fits, and
 * what still does not fit is left for a later round.
 */
export function missingHoles(sink: OpSink, ops: number, maxHoles: number, mergeGap = 32): OutputHole[] {
  for (let gap = mergeGap; ; gap *= 2) {
    const holes: OutputHole[] = [];
    for (let op = 0; op < ops; op++) {
      const a = sink.get(op);
      if (!a) {
        holes.push({ op, offset: 0, len: WHOLE_OUTPUT });
        continue;
      }
      if (a.got === a.data.length) continue;
      let start = a.have.indexOf(0);
      while (start !== -1) {
        let end = a.have.indexOf(1, start);
        if (end === -1) end = a.have.length;
        const last = holes.at(-1);
        if (last && last.op === op && start - (last.offset + last.len) <= gap) last.len = end - last.offset;
        else holes.push({ op, offset: start, len: end - start });
        start = end < a.have.length ? a.have.indexOf(0, end) : -1;
      }
    }
    if (holes.length <= maxHoles || gap > 1 << 24) return holes.slice(0, maxHoles);
  }
}
