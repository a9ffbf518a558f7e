/**
 * Recovering op-output pieces a noisy line lost during a streamed run: list the holes (bytes still
 * missing), stream them again — on boards with the extended INVOKE from one re-run on the inputs
 * the board saved, on older boards by re-running the ops with holes — until every op's output is
 * complete or rounds stop bringing bytes (PROTOCOL.md §3). Used by BoardSession.profile.
 */
import { ProtocolError } from '../../core/protocol/errors.ts';
import { OP_OUTPUT_HEADER, type OutputHole } from '../../core/protocol/messages.ts';
import { missingBytes, missingHoles, type OpSink } from '../../core/protocol/op-assembly.ts';
import type { BoardLink } from './board-link.ts';
import { bestFrameData } from './line-quality.ts';
import { REQUEST_OVERHEAD, STREAM_OVERHEAD, type FrameSession, type RunOptions } from './session-types.ts';

/** Bytes of an extended INVOKE besides its holes, and per hole (PROTOCOL.md §3). */
const INVOKE_EXTENDED_HEADER = 9;
const INVOKE_HOLE_BYTES = 10;

/** Whether a link's board takes the extended INVOKE (saved inputs, holes): learned on first use;
 * boards before it answer BAD_LENGTH and get whole-op re-runs with the inputs written again. */
const extendedInvoke = new WeakMap<BoardLink, boolean>();

/**
 * Re-runs the model until every op's output in `sink` is complete: each round lists the bytes
 * still missing (holes) and hands them to `rerun`, which streams them again; pieces from all
 * runs merge (outputs are deterministic, and each piece has its own CRC). Gives up only after
 * `maxIdle` rounds in a row that filled nothing. Returns the ops re-fetched, round by round.
 */
export async function refetchMissing(
  session: FrameSession,
  ops: number,
  sink: OpSink,
  maxIdle: number,
  rerun: (holes: OutputHole[]) => Promise<void>,
  budget: (doing: string) => void = () => undefined,
): Promise<number[]> {
  const refetched: number[] = [];
  for (let idle = 0; ; ) {
    // as many holes as the board takes, and as a request that mostly arrives intact can carry
    // (a damaged one is sent again, up to 24 times, so 1 in 3 intact will do)
    const fit = Math.min(
      session.link.hello.maxBody,
      session.link.quality.frameBytes(0.33) - REQUEST_OVERHEAD,
    );
    const maxHoles = Math.max(8, Math.floor((fit - INVOKE_EXTENDED_HEADER) / INVOKE_HOLE_BYTES));
    const holes = missingHoles(sink, ops, maxHoles);
    if (holes.length === 0) return refetched;
    if (idle >= maxIdle) {
      throw new ProtocolError(
        'TIMEOUT',
        `output of op ${holes[0].op} could not be read intact: ${idle} re-runs in a row brought none of the missing bytes (${session.link.quality.describe()})`,
      );
    }
    const before = missingBytes(sink, ops);
    budget(`${before} B of op outputs still missing`);
    for (const h of holes) if (refetched.at(-1) !== h.op) refetched.push(h.op);
    try {
      await rerun(holes);
    } catch (e) {
      // a run whose end was lost on the line: what arrived counts, the next round asks again
      if (!(e instanceof ProtocolError && e.code === 'TIMEOUT')) throw e;
    }
    idle = missingBytes(sink, ops) < before ? 0 : idle + 1;
  }
}

/**
 * Streams `holes` again. Boards with the extended INVOKE re-run once on the inputs they saved
 * (written again only when the board has none: it was reset, or the first run never reached
 * it) and stream just the holes. Older boards re-run once per range of ops with holes (ranges
 * merged across complete ops that stream fewer bytes than `mergeBytes`: a run costs writing
 * the inputs again, piece by piece, and the model's compute), inputs written before each run.
 */
export async function rerunHoles(
  session: FrameSession,
  holes: OutputHole[],
  sink: OpSink,
  run: RunOptions & { piece: number; mergeBytes: number },
  setAll: () => Promise<void>,
  inputs: { fresh: boolean },
): Promise<void> {
  const link = session.link;
  if (extendedInvoke.get(link) !== false) {
    // Pieces that move the most data per byte on the measured line. While many of them will be
    // lost anyway (2 or more expected), another round is certain and copies would only double
    // the bytes (at 1e-3, 64 B pieces sent twice made round 1 stream more than the first run).
    // When only a few are left, a round costs more than bytes do: each piece goes in copies until
    // about 1 in 100 goes missing, so this round is most likely the last.
    const piece = bestFrameData(
      link.quality.byteErrorRate,
      STREAM_OVERHEAD,
      16,
      link.hello.maxBody - OP_OUTPUT_HEADER,
    );
    const loss = link.quality.lossOf(piece + STREAM_OVERHEAD);
    const missing = holes.reduce((n, h) => n + Math.min(h.len, 1 << 20), 0);
    const lostPieces = Math.ceil(missing / piece) * loss;
    const copies =
      lostPieces >= 2 || loss <= 0.01
        ? 0
        : loss >= 0.5
          ? 3
          : Math.min(3, Math.ceil(Math.log(0.01) / Math.log(loss)) - 1);
    for (;;) {
      const wanted = new Set(holes.map((h) => h.op));
      const complete = () =>
        [...wanted].every((op) => {
          const a = sink.get(op);
          return a !== undefined && a.got === a.data.length;
        });
      try {
        await session.invokeStreaming(
          {
            firstOp: holes[0].op,
            lastOp: holes.at(-1)!.op,
            piece,
            copies,
            reuseInputs: !inputs.fresh,
            holes,
          },
          sink,
          { ...run, complete },
        );
        extendedInvoke.set(link, true);
        inputs.fresh = false;
        return;
      } catch (e) {
        const code = e instanceof ProtocolError ? e.code : '';
        if (code === 'TIMEOUT') {
          inputs.fresh = false; // the board may have run: its inputs may be overwritten
          throw e;
        }
        if (code === 'BAD_STATE' && !inputs.fresh) {
          await setAll(); // no saved inputs on the board: write them, and it saves them again
          inputs.fresh = true;
          continue;
        }
        if (code !== 'BAD_LENGTH' || extendedInvoke.get(link) === true) throw e;
        extendedInvoke.set(link, false); // a board before the extended form
        break;
      }
    }
  }
  const ranges: { firstOp: number; lastOp: number }[] = [];
  for (const h of holes) {
    const last = ranges.at(-1);
    let between = 0;
    if (last) for (let i = last.lastOp + 1; i < h.op; i++) between += sink.get(i)?.data.length ?? 0;
    if (last && between <= run.mergeBytes) last.lastOp = h.op;
    else ranges.push({ firstOp: h.op, lastOp: h.op });
  }
  for (const r of ranges) {
    if (!inputs.fresh) await setAll(); // the arena reuses input memory: inputs go in again
    inputs.fresh = false;
    await session.invokeStreaming({ ...r, piece: run.piece }, sink, run);
  }
}
