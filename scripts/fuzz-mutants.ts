/**
 * The long mutant campaign (`npm run fuzz:mutants`; the test suite runs the first 2,000 in
 * test/core/simulate/mutants.test.ts):
 *   node --import tsx scripts/fuzz-mutants.ts [--count N] [--seed S] [--fixtures DIR] [--no-san]
 *                                             [--board-every K]
 * Generates the corpus in batches (scripts/mutants), and for every mutant compares the verdicts of
 * the WebAssembly core and of the native core built like the virtual board (make verdict), runs the
 * native core under ASan/UBSan too (make verdict-san; a sanitizer report fails the run), and checks
 * that the app's prepare() refuses each refused mutant naming the core's layer and tensor. Every
 * K-th mutant under 64 KiB (default 5) also goes through the real virtual board over its protocol.
 * Prints every disagreement; exits 1 if there is one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { VirtualBoard } from '../src-main/services/board/virtual-board.ts';
import { MutantSource } from './mutants/generate.ts';
import { loadSeeds } from './mutants/seeds.ts';
import {
  appMismatch,
  appVerdict,
  boardVerdict,
  buildFirmware,
  nativeVerdicts,
  sameVerdict,
  show,
  wasmVerdict,
} from './mutants/verdicts.ts';

const BATCH = 2000;
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    fixtures: { type: 'string', default: resolve(import.meta.dirname, '../../shared/fixtures') },
    'no-san': { type: 'boolean', default: false },
    'board-every': { type: 'string', default: '5' },
  },
});
const count = Number(values.count);
const firmware = resolve(import.meta.dirname, '../firmware');
const tools = [join(firmware, 'build/host/qs-verdict')];
await buildFirmware(firmware, 'verdict');
if (!values['no-san']) {
  await buildFirmware(firmware, 'verdict-san');
  tools.push(join(firmware, 'build/san/qs-verdict'));
}
const boardEvery = Number(values['board-every']);
const vb = await VirtualBoard.start({ transport: 'stdio', args: ['--arena', String(256 << 20)] });
const board = await vb.connect();
let onBoard = 0;
const source = new MutantSource(loadSeeds(values.fixtures, 512 * 1024), Number(values.seed));
const started = performance.now();
const problems: string[] = [];
const statuses = new Map<string, number>();
for (let first = 0; first < count; first += BATCH) {
  const dir = mkdtempSync(join(tmpdir(), 'qs-mutants-'));
  try {
    const batch = Array.from({ length: Math.min(BATCH, count - first) }, (_, i) => source.mutant(first + i));
    for (const m of batch) writeFileSync(join(dir, m.file), m.bytes);
    const native = [];
    for (const tool of tools) native.push(await nativeVerdicts(tool, dir));
    for (const [i, m] of batch.entries()) {
      const host = wasmVerdict(m.bytes);
      statuses.set(host.status, (statuses.get(host.status) ?? 0) + 1);
      native.forEach((verdicts, i) => {
        const n = verdicts.get(m.file);
        if (!n || !sameVerdict(host, n))
          problems.push(`${m.file}\n  wasm:   ${show(host)}\n  ${tools[i]}: ${n ? show(n) : 'no verdict'}`);
      });
      if (host.status !== 'OK') {
        const why = appMismatch(host, appVerdict(m.bytes));
        if (why) problems.push(`${m.file}: ${why}`);
      }
      if (
        boardEvery > 0 &&
        (first + i) % boardEvery === 0 &&
        m.bytes.length > 0 &&
        m.bytes.length < 64 * 1024
      ) {
        const b = await boardVerdict(board, m.bytes);
        onBoard++;
        if (!sameVerdict(host, b)) problems.push(`${m.file}\n  wasm:   ${show(host)}\n  board:  ${show(b)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\r${Math.min(first + BATCH, count)} / ${count} mutants, ${problems.length} problems`);
}
await board.link.close();
await vb.stop();
const split = [...statuses].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`);
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(`\n${count} mutants (${onBoard} also on the virtual board) in ${seconds} s: ${split.join(', ')}`);
for (const p of problems.slice(0, 50)) console.log(p);
process.exit(problems.length ? 1 : 0);
