import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseNpy } from '../../../src-main/core/simulate/inputs/npy.ts';
import {
  datasetFromCsv,
  labelsFromArray,
  readNpz,
  samplesFromArray,
} from '../../../src-main/core/quantize/index.ts';
import { readFixture } from '../../helpers/fixtures.ts';

const PERSON = 'tflm_person_gray_u8_96x96.npy';
const NO_PERSON = 'tflm_no_person_gray_u8_96x96.npy';

/** A minimal ZIP writer (local headers + central directory), stored or deflated entries. */
function zip(entries: [string, Uint8Array][], deflate: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = new TextEncoder().encode(name);
    const body = deflate ? new Uint8Array(deflateRawSync(data)) : data;
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, deflate ? 8 : 0, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const cd = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, deflate ? 8 : 0, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    cd.set(nameBytes, 46);
    parts.push(local, body);
    central.push(cd);
    offset += local.length + body.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const all = [...parts, ...central, end];
  const out = new Uint8Array(all.reduce((a, c) => a + c.length, 0));
  let p = 0;
  for (const c of all) (out.set(c, p), (p += c.length));
  return out;
}

describe('representative data', () => {
  it('reads the fixture photos from stored and deflated .npz archives', () => {
    for (const deflate of [false, true]) {
      const bytes = zip(
        [
          ['x.npy', readFixture('data', PERSON)],
          ['y.npy', readFixture('data', NO_PERSON)],
        ],
        deflate,
      );
      const arrays = readNpz(bytes, (d) => new Uint8Array(inflateRawSync(d)));
      expect([...arrays.keys()]).toEqual(['x', 'y']);
      const direct = parseNpy(readFixture('data', PERSON));
      expect(arrays.get('x')!.shape).toEqual(direct.shape);
      expect(Array.from(arrays.get('x')!.data)).toEqual(Array.from(direct.data));
      const [sample] = samplesFromArray(arrays.get('x')!, [96, 96, 1]);
      expect(sample.length).toBe(9216);
      expect(sample[100]).toBe(direct.data[100]);
    }
    const compressed = zip([['x.npy', readFixture('data', PERSON)]], true);
    expect(() => readNpz(compressed)).toThrow(/x\.npy is compressed/);
    expect(() => readNpz(readFixture('data', PERSON))).toThrow(/not a ZIP archive/);
  });

  it('splits N × input-shape arrays and rejects shapes that do not fit', () => {
    const data = new Float32Array(3 * 4 * 2).map((_, i) => i);
    const arr = { dtype: 'float32' as const, shape: [3, 4, 2], data };
    const s = samplesFromArray(arr, [4, 2]);
    expect(s).toHaveLength(3);
    expect(Array.from(s[2])).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
    expect(() => samplesFromArray(arr, [5])).toThrow(/does not split into samples of shape \[5\]/);
    expect(labelsFromArray({ dtype: 'int32', shape: [3], data: Int32Array.of(2, 0, 1) }, 3)).toEqual([
      2, 0, 1,
    ]);
    const onehot = { dtype: 'float32' as const, shape: [2, 3], data: Float32Array.of(0, 1, 0, 0, 0, 1) };
    expect(labelsFromArray(onehot, 2)).toEqual([1, 2]);
  });

  it('reads CSV rows with an optional header and label column, naming bad cells', () => {
    const withLabels = datasetFromCsv('x0,x1,label\n0.5,1,2\n-1,0.25,0\n', 2);
    expect(withLabels.samples.map((s) => Array.from(s))).toEqual([
      [0.5, 1],
      [-1, 0.25],
    ]);
    expect(withLabels.labels).toEqual([2, 0]);
    expect(datasetFromCsv('1;2\n3;4', 2).labels).toBeUndefined();
    expect(() => datasetFromCsv('1,2\n3,abc\n', 2)).toThrow(/line 2, column 2: 'abc'/);
    expect(() => datasetFromCsv('1,2,3,4\n', 2)).toThrow(/4 values, the model input needs 2/);
  });
});
