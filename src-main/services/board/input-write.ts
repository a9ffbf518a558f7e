/**
 * Writing one graph input (SET_INPUT, PROTOCOL.md §3) as selective-repeat bursts: every piece the
 * input still lacks goes out back to back, then a marker (an empty piece at offset 0, whose reply
 * says end 0: sent twice on a noisy line). The board answers each piece with the end it reached,
 * so when a marker's reply arrives every ack before it has arrived or was lost, and only the pieces
 * without an ack go again. One round trip per burst instead of one per piece, which on a noisy line
 * (pieces a few hundred bytes, many of them re-sent) was most of the input phase. Works with every
 * board: SET_INPUT is idempotent by offset and each piece is answered as before.
 */
import { ProtocolError } from '../../core/protocol/errors.ts';
import { Cmd, requests, SET_INPUT_HEADER, type Request } from '../../core/protocol/messages.ts';
import { decodeSetInput } from '../../core/protocol/replies.ts';
import { expectReply, type BoardLink } from './board-link.ts';
import { bestFrameData } from './line-quality.ts';
import { REQUEST_OVERHEAD } from './session-types.ts';

/** Pieces per burst: their acks (~20 B each) come back while the burst is still being written,
 * and must stay far below what the OS buffers hold on either side (transport.ts, the deadlock). */
const MAX_BURST = 64;
/** Bursts in a row that may bring no new ack before the write gives up. */
const MAX_IDLE = 8;

export async function writeInput(
  link: BoardLink,
  index: number,
  data: Uint8Array,
  signal?: AbortSignal,
): Promise<void> {
  if (data.length === 0) return;
  // Most data per byte sent at the line's measured error rate; the whole body on a clean line.
  const piece = bestFrameData(
    link.quality.byteErrorRate,
    REQUEST_OVERHEAD,
    32,
    link.hello.maxBody - SET_INPUT_HEADER,
  );
  const ends = new Map<number, number>(); // piece end → piece start, for the pieces not yet acked
  for (let at = 0; at < data.length; at += piece) ends.set(Math.min(at + piece, data.length), at);
  const marker = requests.setInput(index, 0, new Uint8Array(0));
  for (let idle = 0; ends.size > 0; ) {
    if (idle >= MAX_IDLE)
      throw new ProtocolError(
        'TIMEOUT',
        `input ${index}: ${ends.size} piece(s) of ${piece} B were not acknowledged in ${idle} bursts in a row (${link.quality.describe()})`,
      );
    const burst: Request[] = [];
    for (const [end, start] of ends) {
      if (burst.length === MAX_BURST) break;
      burst.push(requests.setInput(index, start, data.subarray(start, end)));
    }
    const before = ends.size;
    const noisy = link.quality.byteErrorRate > 0;
    try {
      await link.request(marker, {
        signal,
        prefix: noisy ? [...burst, marker] : burst,
        retries: 0,
        damageRetries: 0,
        // a piece damaged on the way is answered with an unattributed BAD_CRC: expected, the
        // missing ack says which
        expectDamage: true,
        expectBytes: 24 * (burst.length + 2),
        onReply: (f) => {
          let ack;
          try {
            ack = decodeSetInput(expectReply(f, Cmd.SET_INPUT));
          } catch {
            return false; // not an ack of ours (it runs in the link's reader: never throws)
          }
          if (ack.input !== index) return false;
          if (ack.end === 0) return true; // the marker: every ack before it is in
          ends.delete(ack.end);
          return false;
        },
        // after a damaged frame (an ack or the marker's reply), wait a round trip for the rest
        quietAfterDamageMs: () => link.quality.timeoutMs(64, 5000, 1000),
      });
    } catch (e) {
      // the marker's reply was lost: the acks that came still count, the next burst asks again
      if (!(e instanceof ProtocolError && e.code === 'TIMEOUT')) throw e;
    }
    idle = ends.size < before ? 0 : idle + 1;
  }
}
