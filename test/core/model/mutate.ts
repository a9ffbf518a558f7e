/** Seeded mutations of real model files for the fuzz test. */

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type MutationKind = 'bitflip' | 'byte' | 'int32' | 'uint16' | 'splice' | 'truncate';
export const MUTATION_KINDS: MutationKind[] = ['bitflip', 'byte', 'int32', 'uint16', 'splice', 'truncate'];

const INT32_SPECIALS = [0, 1, -1, 4, -4, 0x7fffffff, -0x80000000, 0x10000, 0xffff, 0x40000000, -12345678];

export interface Mutant {
  bytes: Uint8Array;
  /** Undo the in-place change (so one copy of a big file serves every case). */
  restore(): void;
  kind: MutationKind;
  describe: string;
}

/**
 * Mutate `work` in place (or return a truncated view). `hot` picks offsets in the flatbuffer
 * structure (outside constant data) most of the time: flipping weight bytes tests nothing.
 */
export function mutate(work: Uint8Array, rnd: () => number, hot: (rnd: () => number) => number): Mutant {
  const kind = MUTATION_KINDS[Math.floor(rnd() * MUTATION_KINDS.length)];
  const n = work.length;
  const saved: [number, number][] = [];
  const set = (pos: number, v: number) => {
    if (pos < 0 || pos >= n) return;
    saved.push([pos, work[pos]]);
    work[pos] = v & 0xff;
  };
  const setU32 = (pos: number, v: number) => {
    for (let i = 0; i < 4; i++) set(pos + i, v >>> (8 * i));
  };
  const restore = () => {
    for (let i = saved.length - 1; i >= 0; i--) work[saved[i][0]] = saved[i][1];
  };
  let describe: string = kind;
  switch (kind) {
    case 'bitflip': {
      const flips = 1 + Math.floor(rnd() * 4);
      for (let i = 0; i < flips; i++) {
        const p = hot(rnd);
        set(p, work[p] ^ (1 << Math.floor(rnd() * 8)));
      }
      break;
    }
    case 'byte': {
      const p = hot(rnd);
      set(p, Math.floor(rnd() * 256));
      describe += `@${p}`;
      break;
    }
    case 'int32': {
      const p = hot(rnd) & ~3;
      const r = rnd();
      const v =
        r < 0.5
          ? INT32_SPECIALS[Math.floor(rnd() * INT32_SPECIALS.length)]
          : r < 0.75
            ? n + Math.floor(rnd() * 64) - 32 // around the end of the file
            : Math.floor(rnd() * 2 ** 32);
      setU32(p, v);
      describe += `@${p}=${v}`;
      break;
    }
    case 'uint16': {
      const p = hot(rnd) & ~1;
      const v = [0, 1, 4, 0xffff, 0x8000, Math.floor(rnd() * 0x10000)][Math.floor(rnd() * 6)];
      set(p, v);
      set(p + 1, v >> 8);
      describe += `@${p}=${v}`;
      break;
    }
    case 'splice': {
      // Copy a word from elsewhere: offsets that point into the wrong table, shared or overlapping.
      const from = hot(rnd) & ~3;
      const to = hot(rnd) & ~3;
      for (let i = 0; i < 4; i++) set(to + i, work[from + i] ?? 0);
      describe += `${from}->${to}`;
      break;
    }
    case 'truncate': {
      const len = Math.floor(rnd() * n);
      return { bytes: work.subarray(0, len), restore, kind, describe: `truncate@${len}` };
    }
  }
  return { bytes: work, restore, kind, describe };
}
