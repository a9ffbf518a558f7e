/** Number formatting in one place (issue 19): SI prefixes for durations, thousands separators. */
import { describe, expect, it } from 'vitest';
import { formatCompact, formatDuration, formatInt, formatPercent } from '../../src-renderer/lib/format.ts';

describe('formatDuration (µs in, SI prefix out, 3 significant digits)', () => {
  // rule: every duration carries its unit, with the prefix that keeps 1-3 integer digits
  it.each([
    [0, '0 µs'],
    [0.5, '500 ns'],
    [0.0123, '12.3 ns'],
    [1, '1 µs'],
    [12.34, '12.3 µs'],
    [999.4, '999 µs'],
    [1234.5, '1.23 ms'],
    [48_913.2, '48.9 ms'],
    [2.5e6, '2.5 s'],
    [123_456_789, '123 s'],
    [4.2e9, '4,200 s'],
    [-12.34, '-12.3 µs'],
  ])('%s µs → %s', (us, text) => expect(formatDuration(us)).toBe(text));
});

describe('counts', () => {
  // rule: thousands separators on whole numbers; compact SI for dense columns
  it('formatInt and formatCompact', () => {
    expect(formatInt(1234567)).toBe('1,234,567');
    expect(formatCompact(1234567)).toBe('1.23 M');
    expect(formatCompact(999)).toBe('999');
  });
  // rule: percentages with one decimal
  it('formatPercent', () => {
    expect(formatPercent(0.1234)).toBe('12.3%');
    expect(formatPercent(1)).toBe('100.0%');
  });
});
