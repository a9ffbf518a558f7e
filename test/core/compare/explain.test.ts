/**
 * Differences explained: person_detect's TFLite Micro golden plays the board, with one layer's
 * bytes altered the way real faults alter them; each alteration must get its class, the Δ
 * histogram must count every element, and the tolerance must change the verdict.
 */
import { describe, expect, it } from 'vitest';
import {
  applyTolerance,
  compareRun,
  withTolerance,
  type CompareInput,
} from '../../../src-main/core/compare/index.ts';
import { parseTolerance } from '../../../src-main/core/compare/tolerance.ts';
import { goldenCase } from './cases.ts';

/** xorshift32: the same pseudo-random faults every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

const LAYER = 4; // CONV_2D int8 [1,24,24,32]: 18,432 elements, 32 channels
const base = goldenCase('person_detect');

/** The case with op LAYER's device bytes (as int8) rewritten by `f`. */
function withFault(f: (v: Int8Array) => void, layer = LAYER): CompareInput {
  const device = base.device.map((d) => ({ ...d }));
  const v = new Int8Array(device[layer].bytes.slice().buffer);
  f(v);
  device[layer] = { ...device[layer], bytes: new Uint8Array(v.buffer) };
  return { ...base, device };
}

const rounding = (v: Int8Array, seed = 7) => {
  const r = rng(seed);
  const n = Math.max(1, Math.round(v.length * 0.002));
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * v.length);
    v[i] += v[i] === 127 ? -1 : v[i] === -128 ? 1 : r() < 0.5 ? -1 : 1;
  }
};

describe('each kind of difference is classified (rule in explain.ts)', () => {
  it('±1 noise in 0.2% of the elements is scattered rounding', () => {
    // rule: max |Δ| <= 1 and mean Δ over all elements < 0.5 -> rounding
    const r = compareRun(withFault((v) => rounding(v)));
    const row = r.layers.find((l) => l.index === LAYER)!;
    expect(row.status).toBe('mismatch');
    expect(row.diff?.class).toBe('rounding');
    expect(row.mismatches).toBeGreaterThan(20);
    expect(row.mismatches).toBeLessThan(60);
    // histogram: every element counted, differences only in the -1 and +1 bins
    const h = row.diff!.histogram;
    expect(h.reduce((s, b) => s + b.count, 0)).toBe(row.elements);
    const at = (lo: number) => h.find((b) => b.lo === lo && b.hi === lo)!.count;
    expect(at(-1) + at(1)).toBe(row.mismatches);
    expect(at(0)).toBe(row.elements - row.mismatches);
  });

  it('+3 on every element is an offset', () => {
    // rule: >= half differ, mean Δ of the differing >= 1, spread <= a quarter of it -> offset
    const r = compareRun(withFault((v) => v.forEach((x, i) => (v[i] = Math.min(127, x + 3)))));
    const row = r.layers.find((l) => l.index === LAYER)!;
    expect(row.diff?.class).toBe('offset');
    expect(row.diff?.offsetLsb).toBeCloseTo(3, 0);
    expect(r.verdict?.kind).toBe('systematic');
    expect(r.verdict?.text).toMatch(/offset at layer 4 CONV_2D/);
  });

  it('one channel replaced by random bytes is a wrong channel', () => {
    // rule: <= half of the last-axis channels differ, each densely -> wrong-channel
    const r = rng(3);
    const res = compareRun(
      withFault((v) => {
        for (let i = 5; i < v.length; i += 32) v[i] = Math.floor(r() * 256) - 128;
      }),
    );
    const row = res.layers.find((l) => l.index === LAYER)!;
    expect(row.diff?.class).toBe('wrong-channel');
    expect(row.diff?.channels).toEqual([5]);
  });

  it('values clamped to the int8 rail are saturation', () => {
    // rule: >= 80% of the differing elements pinned at a dtype rail on one side -> saturation
    const host = new Int8Array(base.host[LAYER].bytes.slice().buffer);
    const sorted = [...host].sort((a, b) => a - b);
    const cut = sorted[Math.floor(sorted.length * 0.7)];
    const res = compareRun(withFault((v) => v.forEach((x, i) => (v[i] = x > cut ? 127 : x))));
    const row = res.layers.find((l) => l.index === LAYER)!;
    expect(row.mismatches).toBeGreaterThan(100);
    expect(row.diff?.class).toBe('saturation');
    expect(row.diff?.pinned).toBe('device');
  });

  it('random bytes are garbage', () => {
    // rule: >= half differ and Pearson r(host, device) < 0.5 -> garbage
    const r = rng(11);
    const res = compareRun(withFault((v) => v.forEach((_, i) => (v[i] = Math.floor(r() * 256) - 128))));
    const row = res.layers.find((l) => l.index === LAYER)!;
    expect(row.diff?.class).toBe('garbage');
    // a wide histogram: counts beyond ±16 LSB
    expect(
      row.diff!.histogram.filter((b) => (b.lo ?? -999) > 16 || (b.hi ?? 999) < -16).some((b) => b.count > 0),
    ).toBe(true);
  });
});

describe('the tolerance changes the verdict', () => {
  it('rounding only: tolerance 0 diverges, tolerance 1 matches within 1 LSB', () => {
    // rule: a layer whose max |Δ| <= tolerance counts as matching-with-rounding
    const c = withFault((v) => rounding(v));
    const strict = compareRun(c);
    expect(strict.allMatch).toBe(false);
    expect(strict.firstDivergent).toBe(LAYER);
    expect(strict.verdict?.kind).toBe('rounding');
    const lenient = compareRun({ ...c, tolerance: 1 });
    expect(lenient.allMatch).toBe(true);
    expect(lenient.firstDivergent).toBeNull();
    expect(lenient.verdict).toEqual({
      kind: 'within-tolerance',
      text: 'matches within 1 LSB: 1 layer(s) differ by scattered ±1 LSB rounding',
    });
    expect(lenient.layers.find((l) => l.index === LAYER)?.withinTolerance).toBe(true);
    // re-applying to a finished result (what the view does) gives the same answer both ways
    expect(applyTolerance(strict, 1)).toEqual(lenient);
    expect(applyTolerance(lenient, 0)).toEqual(strict);
  });

  it('the first divergent layer is the first systematic one, past earlier rounding (tolerance 1)', () => {
    // rule: firstDivergent = first layer beyond the tolerance: from 1 LSB, the first systematic one
    const c = withFault((v) => rounding(v), 2);
    const faulty = withFault((v) => v.forEach((x, i) => (v[i] = Math.min(127, x + 3))), 8);
    c.device[8] = faulty.device[8];
    const r = compareRun({ ...c, tolerance: 1 });
    expect(r.layers.find((l) => l.index === 2)?.diff?.class).toBe('rounding');
    expect(r.firstDivergent).toBe(8);
    // rule: at tolerance 0 every difference diverges: the rounding layer where they part is first
    expect(applyTolerance(r, 0).firstDivergent).toBe(2);
    expect(r.verdict?.kind).toBe('systematic');
    // an offset of 3 is within a tolerance of 3: then nothing diverges
    expect(applyTolerance(r, 3).allMatch).toBe(true);
    expect(applyTolerance(r, 2).firstDivergent).toBe(8);
  });

  it('an identical run is a match at any tolerance', () => {
    // rule: no differing layer -> verdict match
    const r = withTolerance(compareRun(base), 2);
    expect(r.verdict?.kind).toBe('match');
    expect(r.layers.every((l) => l.diff === undefined)).toBe(true);
  });

  it('a bad tolerance is refused by name', () => {
    // rule: the tolerance is a whole number of LSB, 0 or more
    expect(parseTolerance('2')).toBe(2);
    expect(() => parseTolerance('-1')).toThrow(/--tolerance expects a whole number of LSB/);
    expect(() => parseTolerance('0.5')).toThrow(/got '0.5'/);
  });
});
