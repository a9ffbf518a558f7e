import { describe, expect, it } from 'vitest';
import { boardsAtOnce, inPool } from '../../src-main/shared/pool.ts';

describe('inPool', () => {
  // rule: never more than `limit` calls run at once, every item runs once, results keep the items' order
  it('runs at most limit at a time and keeps the order', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const out = await inPool([5, 1, 4, 2, 3, 0, 6], 2, async (ms) => {
      running++;
      peak = Math.max(peak, running);
      seen.push(ms);
      await new Promise((r) => setTimeout(r, ms * 3));
      running--;
      return ms * 10;
    });
    expect(peak).toBe(2);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
  });

  // rule: a limit above the item count starts them all; no items, no calls
  it('handles few or no items', async () => {
    expect(await inPool([1, 2], 8, async (x) => x + 1)).toEqual([2, 3]);
    expect(await inPool([], 2, async () => 1)).toEqual([]);
  });
});

describe('boardsAtOnce', () => {
  // rule: one board per core, never fewer than two (a real board beside an emulated one)
  it('follows the cores, at least two', () => {
    expect(boardsAtOnce(1)).toBe(2);
    expect(boardsAtOnce(2)).toBe(2);
    expect(boardsAtOnce(8)).toBe(8);
    expect(boardsAtOnce(Number.NaN)).toBe(2);
  });
});
