/**
 * npm run bench:link — link performance of the board protocol.
 *   1. raw link rate: bytes pushed through the port into the board's frame receiver per second
 *      (as many bytes as the model, filler the board discards, then LINK_STATS, whose byte
 *      counter confirms every byte arrived: the same amount of data and one round trip);
 *   2. upload goodput: model bytes per second of a full upload (LOAD_BEGIN to last ACK);
 *   3. end-to-end profile of person_detect on the virtual board (upload, validate, input, run,
 *      every op output + ticks read back), target < 2 s.
 * Both rates are measured in the same run on the same link. `--qemu` repeats 1-2 on the
 * emulated Cortex-M3 with micro_speech_quantized (QEMU's UART is ~10 KB/s).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProtocolError } from '../src-main/core/protocol/errors.ts';
import { encodeFrame } from '../src-main/core/protocol/frame.ts';
import { Cmd, requests } from '../src-main/core/protocol/messages.ts';
import { decodeLinkStats } from '../src-main/core/protocol/replies.ts';
import { expectReply } from '../src-main/services/board/board-link.ts';
import { QemuBoard } from '../src-main/services/board/qemu-board.ts';
import type { BoardSession } from '../src-main/services/board/session.ts';
import { uploadModel } from '../src-main/services/board/upload.ts';
import { VirtualBoard } from '../src-main/services/board/virtual-board.ts';

const FIXTURES = process.env.QS_FIXTURES ?? resolve(import.meta.dirname, '../../shared/fixtures');
const model = (n: string) => new Uint8Array(readFileSync(join(FIXTURES, 'models', `${n}.tflite`)));
const golden = (n: string) =>
  (
    JSON.parse(readFileSync(join(FIXTURES, 'golden', `${n}.json`), 'utf8')) as {
      inputs: { data_b64: string }[];
    }
  ).inputs.map((t) => new Uint8Array(Buffer.from(t.data_b64, 'base64')));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kbs = (bytesPerSec: number) => `${(bytesPerSec / 1024).toFixed(1)} KiB/s`;

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

/** Raw and upload measurements alternate, so machine load drifts hit both alike. */
async function linkReport(label: string, s: BoardSession, m: Uint8Array, rawBytes: number, runs: number) {
  const raws: number[] = [];
  const ups: number[] = [];
  for (let i = 0; i < runs; i++) {
    raws.push(await rawRate(s, rawBytes));
    ups.push(m.length / ((await uploadTime(s, m)) / 1000));
  }
  const raw = median(raws);
  const up = median(ups);
  console.log(
    `${label}: raw link ${kbs(raw)} | upload goodput ${kbs(up)} (${m.length} B, median of ${runs}) | ${((100 * up) / raw).toFixed(1)}% of raw (target >= 90%)`,
  );
}

const vb = await VirtualBoard.start();
try {
  const s = await vb.connect();
  console.log(`virtual board: ${s.info.board}, fw ${s.info.firmware}, pty ${vb.portPath}`);
  const person = model('person_detect');
  await linkReport('virtual board, person_detect', s, person, person.length, 9);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    await s.reset();
    const t0 = performance.now();
    const r = await s.profile(person, golden('person_detect'));
    times.push(performance.now() - t0);
    if (r.ops.length !== 31) throw new Error('profile incomplete');
  }
  console.log(
    `virtual board: end-to-end profile of person_detect (upload 300 KB, run, read 31 op outputs + ticks): median ${median(times).toFixed(0)} ms of 5 (target < 2000 ms)`,
  );
  await s.link.close();
} finally {
  await vb.stop();
}

if (process.argv.includes('--qemu')) {
  const q = await QemuBoard.launch();
  try {
    const s = await q.connect();
    await linkReport(
      'QEMU mps2-an385, micro_speech_quantized',
      s,
      model('micro_speech_quantized'),
      model('micro_speech_quantized').length,
      3,
    );
    await s.link.close();
  } finally {
    await q.stop();
  }
}
