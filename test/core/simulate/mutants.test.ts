/**
 * Host simulator and virtual board judge every model alike: a corpus of mutated fixture models
 * (scripts/mutants: byte flips, 32-bit writes, truncations, structural graph edits) gets the same
 * verdict (status, op, tensor) from the WebAssembly core (CoreEngine.verdict) and from the native
 * core built with the virtual board's flags (make -C firmware verdict), every refused mutant is
 * refused by the app's prepare() naming the core's layer and tensor, no verdict but ARENA depends on
 * the arena size, and a sample goes through the real virtual board over its protocol. The long
 * campaign is `npm run fuzz:mutants`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MutantSource, type Mutant } from '../../../scripts/mutants/generate.ts';
import { loadSeeds } from '../../../scripts/mutants/seeds.ts';
import {
  appMismatch,
  appVerdict,
  boardVerdict,
  buildFirmware,
  nativeVerdicts,
  sameVerdict,
  show,
  wasmVerdict,
  type Verdict,
} from '../../../scripts/mutants/verdicts.ts';
import { firmwareDir } from '../../../src-main/services/board/firmware.ts';
import { VirtualBoard } from '../../../src-main/services/board/virtual-board.ts';
import { FIXTURES } from '../../helpers/fixtures.ts';

const COUNT = 2000;
const SEED = 1;
const FIRMWARE = firmwareDir();

describe(`mutant corpus (${COUNT} models): one verdict on host and virtual board`, () => {
  let dir: string;
  let corpus: Mutant[];
  let native: Map<string, Verdict>;
  const host = new Map<string, Verdict>();

  beforeAll(async () => {
    const built = buildFirmware(FIRMWARE, 'verdict');
    const source = new MutantSource(loadSeeds(FIXTURES, 512 * 1024), SEED);
    dir = mkdtempSync(join(tmpdir(), 'qs-mutants-'));
    corpus = Array.from({ length: COUNT }, (_, i) => source.mutant(i));
    for (const m of corpus) writeFileSync(join(dir, m.file), m.bytes);
    await built;
    native = await nativeVerdicts(join(FIRMWARE, 'build/host/qs-verdict'), dir);
    for (const m of corpus) host.set(m.file, wasmVerdict(m.bytes));
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has distinct mutants, both accepted and refused ones, structural and byte-level', () => {
    expect(new Set(corpus.map((m) => m.file)).size).toBe(COUNT);
    const accepted = corpus.filter((m) => host.get(m.file)!.status === 'OK').length;
    console.log(`${COUNT} mutants: ${accepted} accepted, ${COUNT - accepted} refused`);
    expect(accepted).toBeGreaterThan(COUNT / 10);
    expect(COUNT - accepted).toBeGreaterThan(COUNT / 2);
    const refusedKinds = new Set(corpus.filter((m) => host.get(m.file)!.status !== 'OK').map((m) => m.kind));
    for (const kind of [
      'flip',
      'truncate',
      'reorder-ops',
      'cycle',
      'output-unwritten',
      'write-constant',
      'quant-count',
      'dtype',
    ])
      expect(refusedKinds).toContain(kind);
  });

  it('the WebAssembly core and the native core give the same status, op and tensor', () => {
    const differ = corpus.filter(
      (m) => !native.has(m.file) || !sameVerdict(host.get(m.file)!, native.get(m.file)!),
    );
    const lines = differ
      .slice(0, 10)
      .map(
        (m) =>
          `${m.file}\n  wasm:   ${show(host.get(m.file)!)}\n  native: ${native.has(m.file) ? show(native.get(m.file)!) : 'no verdict'}`,
      );
    expect(lines.join('\n'), `${differ.length} of ${COUNT} mutants judged differently`).toBe('');
  });

  it("every refused mutant is refused by prepare() (or the reader), naming the core's layer and tensor", () => {
    const problems: string[] = [];
    let byReader = 0;
    let readerRefusesAccepted = 0;
    for (const m of corpus) {
      const core = host.get(m.file)!;
      if (core.status === 'OK') {
        // The reader also checks parts the core never reads (signature defs, names, unused buffers).
        readerRefusesAccepted += appVerdict(m.bytes).by === 'reader' ? 1 : 0;
        continue;
      }
      const app = appVerdict(m.bytes);
      if (app.by === 'reader') byReader++;
      const why = appMismatch(core, app);
      if (why) problems.push(`${m.file}: ${why}`);
    }
    console.log(
      `refused by the reader before the core: ${byReader}; accepted by the core but refused by the reader: ${readerRefusesAccepted}`,
    );
    expect(problems.slice(0, 10).join('\n'), `${problems.length} refusals do not match`).toBe('');
  });

  it('the verdict does not depend on the arena: a small fixed one only turns some verdicts into ARENA', async () => {
    const tool = join(FIRMWARE, 'build/host/qs-verdict');
    for (const arena of [4096, 8 << 20]) {
      const fixed = await nativeVerdicts(tool, dir, arena);
      const differ = corpus
        .filter(
          (m) =>
            fixed.get(m.file)!.status !== 'ARENA' && !sameVerdict(fixed.get(m.file)!, native.get(m.file)!),
        )
        .map(
          (m) =>
            `${m.file}\n  arena ${arena}: ${show(fixed.get(m.file)!)}\n  grown: ${show(native.get(m.file)!)}`,
        );
      expect(differ.slice(0, 10).join('\n'), `${differ.length} verdicts change with the arena`).toBe('');
    }
  });

  it('the real virtual board, over its protocol, gives the verdict tool the same verdicts (40 mutants)', async () => {
    const sample = boardSample(corpus, native);
    expect(sample).toHaveLength(40);
    // An arena as large as the host's would grow to for these models, so ARENA is no excuse.
    const vb = await VirtualBoard.start({ transport: 'stdio', args: ['--arena', String(256 << 20)] });
    try {
      const board = await vb.connect();
      const differ: string[] = [];
      for (const m of sample) {
        const b = await boardVerdict(board, m.bytes);
        const n = native.get(m.file)!;
        if (!sameVerdict(b, n)) differ.push(`${m.file}\n  board:  ${show(b)}\n  native: ${show(n)}`);
      }
      await board.link.close();
      expect(differ.join('\n')).toBe('');
    } finally {
      await vb.stop();
    }
  }, 60_000);
});

/** 20 accepted mutants spread over the corpus and 20 refused ones of different kinds, index edits
 * first (their error records carry the numbers most likely to be mangled on the wire). Small ones
 * only: uploads take time. */
function boardSample(corpus: Mutant[], native: Map<string, Verdict>): Mutant[] {
  const small = corpus.filter((m) => m.bytes.length > 0 && m.bytes.length < 64 * 1024);
  const accepted = small.filter((m) => native.get(m.file)!.status === 'OK');
  const step = Math.max(1, Math.floor(accepted.length / 20));
  const firstOfKind = new Map<string, Mutant>();
  for (const m of small)
    if (native.get(m.file)!.status !== 'OK' && !firstOfKind.has(m.kind)) firstOfKind.set(m.kind, m);
  const first = ['index-out-of-range', 'swap-tensor-index', 'flip', 'set32', 'truncate'];
  const rank = (k: string) => (first.includes(k) ? first.indexOf(k) : first.length);
  const kinds = [...firstOfKind.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  return [
    ...accepted.filter((_, i) => i % step === 0).slice(0, 20),
    ...kinds.slice(0, 20).map((k) => firstOfKind.get(k)!),
  ];
}
