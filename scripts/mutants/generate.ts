/**
 * The mutant corpus: deterministic (seed, index) → one mutated model. Byte-level mutants (random
 * bytes, 32-bit values at aligned offsets, truncations) test the flatbuffer checks; structural
 * mutants (scripts/mutants/structural.ts, edited through the graph IR and written back) test the
 * graph and op checks. No I/O here: the caller hands in the seed models' bytes.
 */
import type { Model } from '../../src-main/core/model/ir.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { mutantRng, type Rng } from './rng.ts';
import { EDITS, cloneModel } from './structural.ts';

export interface SeedModel {
  /** Short name for mutant file names, e.g. 'person_detect'. */
  name: string;
  bytes: Uint8Array;
  /** Whether the core accepts the seed itself. Mutants of a refused seed mostly stop at the same
   * first error, so accepted seeds get most of the corpus. */
  accepted: boolean;
}

export interface Mutant {
  /** File name: index, seed model, what was done (e.g. '00042_person_detect_cycle_op3.in0=op5.out.tflite'). */
  file: string;
  /** 'flip', 'truncate', 'set32' or a structural edit (EDITS key, e.g. 'cycle'). */
  kind: string;
  bytes: Uint8Array;
  /** The validation rule a structural edit broke when the mutant is invalid by construction (the
   * core must refuse it naming an op or tensor); absent when it may be valid. */
  breaks?: string;
}

type Made = { kind: string; what: string; bytes: Uint8Array; breaks?: string };

/** Share of mutants made from seeds the core accepts (when there are any). */
const ACCEPTED_SHARE = 85;

/** Seeds grouped by family (name without trailing digits: seanet add0..add15 are one family), so a
 * set of near-identical fixtures does not dominate the corpus. */
export class MutantSource {
  private readonly accepted: SeedModel[][];
  private readonly refused: SeedModel[][];
  private readonly ir = new Map<SeedModel, Model | null>();
  private readonly edits = Object.keys(EDITS).sort();

  constructor(
    seeds: readonly SeedModel[],
    private readonly seed: number,
  ) {
    if (!seeds.length) throw new Error('no seed models');
    this.accepted = families(seeds.filter((s) => s.accepted));
    this.refused = families(seeds.filter((s) => !s.accepted));
  }

  /** Mutant `index` of this campaign (independent of how many are made). */
  mutant(index: number): Mutant {
    const r = mutantRng(this.seed, index);
    const fromAccepted = this.accepted.length && (!this.refused.length || r.int(100) < ACCEPTED_SHARE);
    const seed = r.pick(r.pick(fromAccepted ? this.accepted : this.refused));
    const roll = r.int(100);
    let made: Made | null = null;
    if (roll >= 45) made = this.structural(seed, r);
    if (!made && roll < 12) made = truncate(seed.bytes, r);
    if (!made && roll < 22) made = set32(seed.bytes, r);
    if (!made) made = flipBytes(seed.bytes, r);
    const file = `${String(index).padStart(5, '0')}_${seed.name}_${made.kind}_${made.what}`;
    return {
      file: `${file.replace(/[^\w.=+@,()-]/g, '-').slice(0, 200)}.tflite`,
      kind: made.kind,
      bytes: made.bytes,
      ...(made.breaks ? { breaks: made.breaks } : {}),
    };
  }

  private model(seed: SeedModel): Model | null {
    if (!this.ir.has(seed)) {
      let m: Model | null = null;
      try {
        m = readTflite(seed.bytes);
      } catch {
        m = null; // a seed the reader refuses gets byte mutants only
      }
      this.ir.set(seed, m);
    }
    return this.ir.get(seed)!;
  }

  private structural(seed: SeedModel, r: Rng): Made | null {
    const source = this.model(seed);
    if (!source) return null;
    for (let attempt = 0; attempt < 6; attempt++) {
      const kind = r.pick(this.edits);
      const m = cloneModel(source);
      const edited = EDITS[kind](m, r);
      if (edited === null) continue;
      const { what, breaks } = typeof edited === 'string' ? { what: edited, breaks: undefined } : edited;
      try {
        return { kind, what, bytes: writeTflite(m, { allowLossy: true }), ...(breaks ? { breaks } : {}) };
      } catch {
        continue; // an edit the writer cannot express (e.g. an option value it refuses)
      }
    }
    return null;
  }
}

function families(seeds: readonly SeedModel[]): SeedModel[][] {
  const byFamily = new Map<string, SeedModel[]>();
  for (const s of seeds) {
    const family = s.name.replace(/\d+$/, '');
    byFamily.set(family, [...(byFamily.get(family) ?? []), s]);
  }
  const byName = (a: SeedModel, b: SeedModel) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return [...byFamily.keys()].sort().map((k) => byFamily.get(k)!.sort(byName));
}

/** Positions biased to the flatbuffer tables (file start and end), where one byte changes the most. */
function position(len: number, r: Rng): number {
  switch (r.int(3)) {
    case 0:
      return r.int(len);
    case 1:
      return r.int(Math.min(len, 4096));
    default:
      return len - 1 - r.int(Math.min(len, 8192));
  }
}

function flipBytes(src: Uint8Array, r: Rng): Made {
  const bytes = src.slice();
  const n = 1 + r.int(8);
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = position(bytes.length, r);
    bytes[p] = r.int(2) ? bytes[p] ^ (1 << r.int(8)) : r.int(256);
    at.push(p);
  }
  return { kind: 'flip', what: `${n}-bytes@${at.join('+')}`, bytes };
}

function truncate(src: Uint8Array, r: Rng): Made {
  const len = r.int(3) ? position(src.length, r) : r.int(64);
  return { kind: 'truncate', what: `to-${len}-bytes`, bytes: src.slice(0, len) };
}

const INTERESTING = [
  0, 1, 2, 4, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc,
];

/** A 32-bit value (offset, length, index) written at an aligned position. */
function set32(src: Uint8Array, r: Rng): Made | null {
  if (src.length < 8) return null;
  const bytes = src.slice();
  const p = position(bytes.length - 3, r) & ~3;
  const v = r.pick(INTERESTING);
  new DataView(bytes.buffer).setUint32(p, v, true);
  return { kind: 'set32', what: `0x${v.toString(16)}@${p}`, bytes };
}
