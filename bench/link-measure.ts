/**
 * Link measurements shared by bench/link.ts and bench/firmware.ts: the raw link rate and the model
 * upload goodput, measured alternately on the same open session.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProtocolError } from '../src-main/core/protocol/errors.ts';
import { encodeFrame } from '../src-main/core/protocol/frame.ts';
import { Cmd, requests } from '../src-main/core/protocol/messages.ts';
import { decodeLinkStats } from '../src-main/core/protocol/replies.ts';
import { expectReply } from '../src-main/services/board/board-link.ts';
import type { BoardSession } from '../src-main/services/board/session.ts';
import { uploadModel } from '../src-main/services/board/upload.ts';

export const FIXTURES = process.env.QS_FIXTURES ?? resolve(import.meta.dirname, '../../shared/fixtures');
export const model = (n: string) => new Uint8Array(readFileSync(join(FIXTURES, 'models', `${n}.tflite`)));
export const golden = (n: string) =>
  (
    JSON.parse(readFileSync(join(FIXTURES, 'golden', `${n}.json`), 'utf8')) as {
      inputs: { data_b64: string }[];
    }
  ).inputs.map((t) => new Uint8Array(Buffer.from(t.data_b64, 'base64')));
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const kbs = (bytesPerSec: number) => `${(bytesPerSec / 1024).toFixed(1)} KiB/s`;

/** Raw rate: `bytes` of non-zero filler (discarded by the board as one oversize frame), then a
 * delimiter and LINK_STATS; the board's rx byte counter proves every byte arrived. */
async function rawRate(s: BoardSession, bytes: number): Promise<number> {
  const link = s.link;
  return link.exclusive(async () => {
    const before = decodeLinkStats(expectReply(await link.transact(requests.linkStats()), Cmd.LINK_STATS));
    const filler = new Uint8Array(bytes + 1).fill(0x55);
    filler[bytes] = 0;
    const stats = requests.linkStats();
    const t0 = performance.now();
    const f = await link.transact(stats, {
      rawPrefix: filler,
      retries: 0,
      ignoreUnattributedErrors: true,
      timeoutMs: 5000,
    });
    const dt = (performance.now() - t0) / 1000;
    const after = decodeLinkStats(expectReply(f, Cmd.LINK_STATS));
    const got = after.rxBytes - before.rxBytes;
    const frameBytes = encodeFrame(stats.cmd, 0).length;
    if (got < bytes + frameBytes)
      throw new ProtocolError('BAD_REPLY', `board counted ${got} B of ${bytes + frameBytes} B sent`);
    return bytes / dt;
  });
}

async function uploadTime(s: BoardSession, m: Uint8Array): Promise<number> {
  await s.reset(); // forget the model so the upload starts from byte 0
  const t0 = performance.now();
  const upload = await uploadModel(s.link, m); // transfer only; validation is not link time
  const ms = performance.now() - t0;
  if (upload.resumed) throw new Error('upload resumed after RESET');
  return ms;
}

export interface LinkNumbers {
  raw: number;
  upload: number;
  /** median over runs of upload/raw, each pair measured back to back */
  ratio: number;
  runs: number;
}

/**
 * Raw and upload measurements alternate and each upload is compared with the raw rate measured
 * just before it: on a shared machine the load swings rates 5x within a second, so the median of
 * these paired ratios says more than the ratio of two medians (both are printed).
 */
export async function linkReport(
  label: string,
  s: BoardSession,
  m: Uint8Array,
  rawBytes: number,
  runs: number,
): Promise<LinkNumbers> {
  const raws: number[] = [];
  const ups: number[] = [];
  const ratios: number[] = [];
  await uploadTime(s, m); // warm-up: JIT, and the upload learns the link's burst size
  for (let i = 0; i < runs; i++) {
    raws.push(await rawRate(s, rawBytes));
    ups.push(m.length / ((await uploadTime(s, m)) / 1000));
    ratios.push(ups[i] / raws[i]);
  }
  const n: LinkNumbers = { raw: median(raws), upload: median(ups), ratio: median(ratios), runs };
  console.log(
    `${label}: raw link ${kbs(n.raw)} | upload goodput ${kbs(n.upload)} (${m.length} B, medians of ${runs}) | paired upload/raw ${(100 * n.ratio).toFixed(1)}% (target >= 90%; ratio of medians ${((100 * n.upload) / n.raw).toFixed(1)}%)`,
  );
  return n;
}
