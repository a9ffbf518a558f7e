/**
 * Representative data that would poison calibration (issue 14: NaN in a .npy made every scale
 * NaN) is refused at the first bad element, naming the file and where the element is: NaN, ±Inf,
 * float64 values beyond float32, empty arrays, NaN labels, and CSV cells spelled nan/inf or empty.
 */
import { describe, expect, it } from 'vitest';
import {
  datasetFromCsv,
  labelsFromArray,
  samplesFromArray,
} from '../../../src-main/core/quantize/dataset.ts';
import type { NpyArray } from '../../../src-main/core/simulate/inputs/npy.ts';

const f32 = (shape: number[], values: number[]): NpyArray => ({
  dtype: 'float32',
  shape,
  data: Float32Array.from(values),
});

describe('samplesFromArray refuses non-finite data', () => {
  it.each([
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('%s: names the element as [sample, ...] and its flat index', (bad, text) => {
    const values = Array.from({ length: 12 }, (_, i) => i / 10);
    values[7] = bad; // sample 1 (of [3, 2, 2]), element [1, 1]
    expect(() => samplesFromArray(f32([3, 2, 2], values), [2, 2], 'calib.npy')).toThrow(
      `calib.npy: element [1, 1, 1] (flat index 7) is ${text}: representative data must be finite numbers`,
    );
  });

  it('float64 beyond the float32 range is refused with the value from the file', () => {
    const arr: NpyArray = { dtype: 'float64', shape: [2, 1], data: Float64Array.of(0.5, 1e300) };
    expect(() => samplesFromArray(arr, [1], 'big.npy')).toThrow(
      'big.npy: element [1, 0] (flat index 1) is 1e+300, beyond the float32 range',
    );
  });

  it('an empty array has no samples', () => {
    expect(() => samplesFromArray(f32([0, 4], []), [4], 'empty.npy')).toThrow(
      'empty.npy: no samples (the array is empty, shape [0,4])',
    );
  });

  it('finite data still splits into samples', () => {
    const s = samplesFromArray(f32([2, 2], [1, 2, 3, 4]), [2], 'ok.npy');
    expect(s.map((x) => [...x])).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});

describe('labels and CSV', () => {
  it('a NaN label is refused', () => {
    expect(() => labelsFromArray(f32([3], [0, NaN, 1]), 3, 'data.npz:y')).toThrow(
      'data.npz:y: element [1] (flat index 1) is NaN: labels must be finite numbers',
    );
  });

  it.each([
    ['1,2\nnan,3\n', 'line 2, column 1', "'nan' is not a finite number"],
    ['1,2\n3,-inf\n', 'line 2, column 2', "'-inf' is not a finite number"],
    ['1,Infinity\n', 'line 1, column 2', "'Infinity' is not a finite number"],
    ['NaN,1\n2,3\n', 'line 1, column 1', "'NaN' is not a finite number"], // not taken for a header
    ['1,2\n3,1e999\n', 'line 2, column 2', "'1e999' is not a finite number"],
    ['1,2\n3,\n', 'line 2, column 2', 'empty cell'],
    ['1,2\n3,1e39\n', 'line 2, column 2', '1e39 is beyond the float32 range'],
  ])('%j → %s: %s', (text, where, what) => {
    expect(() => datasetFromCsv(text, 2, 'calib.csv')).toThrow(`calib.csv ${where}: ${what}`);
  });

  it('a header row is still skipped, and a header alone has no samples', () => {
    expect(datasetFromCsv('x,y\n1,2\n', 2).samples).toHaveLength(1);
    expect(() => datasetFromCsv('x,y\n', 2, 'h.csv')).toThrow('h.csv: no samples');
  });
});
