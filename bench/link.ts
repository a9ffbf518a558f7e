/**
 * npm run bench:link — link performance of the board protocol.
 *   1. raw link rate: bytes pushed through the port into the board's frame receiver per second
 *      (as many bytes as the model, filler the board discards, then LINK_STATS, whose byte
 *      counter confirms every byte arrived: the same amount of data and one round trip);
 *   2. upload goodput: model bytes per second of a full upload (LOAD_BEGIN to last ACK);
 *   3. end-to-end profile of person_detect on the virtual board (upload, validate, input, run,
 *      every op output + ticks read back), target < 2 s;
 *   4. the same profile over a noisy line (bench/link-noise.ts: socat pty + test/board/fault-proxy.mjs
 *      flipping or dropping bytes both ways): clean vs 1e-3 vs 1e-2 byte errors, median of 20 each
 *      plus the share that completed golden-exact (targets: 1e-3 within 2x of clean; 1e-2 completes
 *      or fails with a clear message within 60 s). `--noisy-runs N` changes the 20.
 * Both rates are measured in the same run on the same link. `--qemu` repeats 1-2 on the
 * emulated Cortex-M3 with micro_speech_quantized (QEMU's UART is ~10 KB/s).
 */
import { golden, linkReport, median, model } from './link-measure.ts';
import { noisyReport } from './link-noise.ts';
import { QemuBoard } from '../src-main/services/board/qemu-board.ts';
import { VirtualBoard } from '../src-main/services/board/virtual-board.ts';

const vb = await VirtualBoard.start();
try {
  const s = await vb.connect();
  console.log(`virtual board: ${s.info.board}, fw ${s.info.firmware}, pty ${vb.portPath}`);
  const person = model('person_detect');
  await linkReport('virtual board, person_detect', s, person, person.length, 21);
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

{
  const at = process.argv.indexOf('--noisy-runs');
  const runs = at > 0 ? Number(process.argv[at + 1]) : 20;
  const [clean, e3, e2] = await noisyReport('person_detect', [0, 1e-3, 1e-2], runs);
  console.log(
    `noisy line targets: 1e-3 median ${(e3.medianMs / clean.medianMs).toFixed(1)}x clean (target <= 2x); 1e-2 slowest run ${(e2.maxMs / 1000).toFixed(1)} s (target <= 60 s), ${Math.round(100 * e2.okRate)}% completed, the rest failed with the message shown`,
  );
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
      5,
    );
    await s.link.close();
  } finally {
    await q.stop();
  }
}
