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
import { golden, linkReport, median, model } from './link-measure.ts';
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
