/**
 * npm run bench:firmware — the firmware on the emulated Cortex-M3 (QEMU mps2-an385, icount):
 *   1. per fixture model (in-image benchmark, `make -C firmware core-bench-m3`): ticks per op
 *      (total and top ops; every op with --ops), instructions per MAC for CONV_2D /
 *      DEPTHWISE_CONV_2D / FULLY_CONNECTED, arena bytes, bit-exactness against the goldens;
 *   2. code size of the protocol firmware image (`arm-none-eabi-size build/mps2/qs-mps2.elf`);
 *   3. link goodput: model upload bytes/s over the real pty + serialport path next to the raw
 *      UART rate measured in the same run (small models only: QEMU's UART moves ~10 KB/s).
 * Peer numbers (TFLM reference, TFLM + CMSIS-NN) from ../shared/ANCHORS.md are printed beside
 * ours as ratios (ours / peer: below 1 is fewer instructions or bytes than the peer).
 * Options: --ops (every op's ticks), --no-link (skip part 3).
 */
import { buildFirmware } from '../src-main/services/board/firmware.ts';
import { QemuBoard } from '../src-main/services/board/qemu-board.ts';
import { codeSize, instrPerMac, INSTR_PER_TICK, runCoreBench, type ModelBench } from './firmware-m3.ts';
import { CMSIS_NN, TFLM_REFERENCE, type Peer, type PeerRow } from './firmware-peers.ts';
import { kbs, linkReport, model, type LinkNumbers } from './link-measure.ts';

const OP_TYPES: [string, keyof PeerRow, string][] = [
  ['CONV_2D', 'conv', 'CONV'],
  ['DEPTHWISE_CONV_2D', 'depthwise', 'DW'],
  ['FULLY_CONNECTED', 'fc', 'FC'],
];
const LINK_MODELS: [string, number][] = [
  ['hello_world_int8', 5],
  ['micro_speech_quantized', 5],
];

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtInstr = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : fmtInt(n));

/** "ours (ref 8.66 = 0.47x, CMSIS 3.36 = 1.21x)"; `avg` marks a peer's six-model average. */
function withPeers(ours: number, name: string, key: keyof PeerRow, digits: number): string {
  const parts = [TFLM_REFERENCE, CMSIS_NN].flatMap((p: Peer) => {
    const own = p.models[name]?.[key];
    const v = own ?? (key === 'instructions' || key === 'arena' ? undefined : p.average[key]);
    if (v === undefined) return [];
    const label = p === TFLM_REFERENCE ? 'ref' : 'CMSIS';
    return [
      `${label}${own === undefined ? ' avg' : ''} ${v.toLocaleString('en-US')} = ${(ours / v).toFixed(2)}x`,
    ];
  });
  const o = key === 'instructions' ? fmtInstr(ours) : key === 'arena' ? fmtInt(ours) : ours.toFixed(digits);
  return parts.length ? `${o} (${parts.join(', ')})` : o;
}

function topOps(m: ModelBench, n: number): string {
  return [...m.ops]
    .sort((a, b) => b.ticks - a.ticks)
    .slice(0, n)
    .map((o) => `#${o.index} ${o.op} ${((100 * o.ticks) / Math.max(1, m.totalTicks)).toFixed(0)}%`)
    .join(', ');
}

function printModel(m: ModelBench, allOps: boolean): void {
  console.log(
    `${m.name}: ${m.bitExact ? 'bit-exact' : 'MISMATCH vs golden'} | ${m.ops.length} ops | ${fmtInt(m.totalTicks)} ticks = ` +
      `${withPeers(m.totalTicks * INSTR_PER_TICK, m.name, 'instructions', 0)} instructions | arena ${withPeers(m.arena, m.name, 'arena', 0)} B`,
  );
  console.log(`  top ops by ticks: ${topOps(m, 3)}`);
  for (const [op, key] of OP_TYPES) {
    const v = instrPerMac(m, op);
    if (v !== undefined) console.log(`  ${op} instr/MAC ${withPeers(v, m.name, key, 2)}`);
  }
  if (allOps)
    for (const o of m.ops)
      console.log(
        `    op ${o.index} ${o.op}: ${fmtInt(o.ticks)} ticks${o.macs ? `, ${fmtInt(o.macs)} MACs` : ''}`,
      );
}

function markdown(models: ModelBench[]): string {
  const cell = (m: ModelBench, op: string) => {
    const v = instrPerMac(m, op);
    return v === undefined ? '–' : v.toFixed(2);
  };
  const rows = models.map(
    (m) =>
      `| ${m.name} | ${m.bitExact ? 'yes' : '**no**'} | ${fmtInt(m.totalTicks)} | ${fmtInt(m.totalTicks * INSTR_PER_TICK)} | ` +
      `${OP_TYPES.map(([op]) => cell(m, op)).join(' | ')} | ${fmtInt(m.arena)} | ${topOps(m, 2)} |`,
  );
  return [
    '| model | bit-exact | ticks | instructions | CONV_2D instr/MAC | DEPTHWISE instr/MAC | FC instr/MAC | arena B | top ops |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}

const allOps = process.argv.includes('--ops');
const elf = await buildFirmware('mps2');
const size = await codeSize(elf);
const t0 = performance.now();
const models = await runCoreBench();
console.log(
  `core benchmark on QEMU mps2-an385 (-icount shift=0, 1 tick = ${INSTR_PER_TICK} instructions): ${models.length} models in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
for (const m of models) printModel(m, allOps);
console.log(
  `\nfirmware image ${elf}: text ${fmtInt(size.text)} B, data ${fmtInt(size.data)} B, bss ${fmtInt(size.bss)} B (flash = text + data = ${fmtInt(size.text + size.data)} B)`,
);

const link: [string, number, LinkNumbers][] = [];
if (!process.argv.includes('--no-link')) {
  const q = await QemuBoard.launch();
  try {
    const s = await q.connect();
    for (const [name, runs] of LINK_MODELS) {
      const m = model(name);
      link.push([name, m.length, await linkReport(`QEMU link, ${name}`, s, m, m.length, runs)]);
    }
    await s.link.close();
  } finally {
    await q.stop();
  }
}

console.log('\nMarkdown (docs/benchmarks.md):\n');
console.log(markdown(models));
console.log(
  `\nCode size (arm-none-eabi-size qs-mps2.elf): text ${fmtInt(size.text)}, data ${fmtInt(size.data)}, bss ${fmtInt(size.bss)} B.`,
);
if (link.length) {
  console.log(
    '\n| model uploaded | bytes | raw UART | upload goodput | paired upload/raw |\n|---|---:|---:|---:|---:|',
  );
  for (const [name, bytes, n] of link)
    console.log(
      `| ${name} | ${fmtInt(bytes)} | ${kbs(n.raw)} | ${kbs(n.upload)} | ${(100 * n.ratio).toFixed(1)}% |`,
    );
}
const bad = models.filter((m) => !m.bitExact).map((m) => m.name);
if (bad.length) {
  console.error(`NOT bit-exact on the Cortex-M3: ${bad.join(', ')}`);
  process.exitCode = 1;
}
