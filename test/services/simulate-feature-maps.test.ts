/**
 * The numbers behind the Simulate view's feature-map grid, on a real layer output: person_detect's
 * first CONV_2D from the TFLite Micro golden (48×48×16 int8, NHWC).
 */
import { describe, expect, it } from 'vitest';
import {
  cellAt,
  elementIndex,
  layerRange,
  legendGradient,
  realValue,
  thumbWidth,
} from '../../src-renderer/views/simulate/feature-maps.ts';
import { goldenBytes, readGolden } from '../helpers/fixtures.ts';

const golden = readGolden('person_detect');
const conv = golden.op_outputs.find((o) => o.shape.length === 4 && o.shape[1] === 48 && o.shape[3] === 16)!;
const values = new Int8Array(goldenBytes(conv).buffer.slice(0));
const g = { h: conv.shape[1], w: conv.shape[2], c: conv.shape[3] };

describe('feature maps', () => {
  it('one colour range for the whole layer, from its real min and max', () => {
    expect(layerRange(values)).toEqual([Math.min(...values), Math.max(...values)]);
    expect(layerRange(new Int8Array([5, 5, 5]))).toEqual([5, 6]); // constant: unit span
    expect(layerRange(new Float32Array([]))).toEqual([0, 1]);
  });

  it('maps a pointer position to the (y, x) cell and the NHWC element', () => {
    const box = { width: 96, height: 96 }; // each cell 2×2 px
    expect(cellAt(0, 0, box, g)).toEqual({ y: 0, x: 0 });
    expect(cellAt(5, 3, box, g)).toEqual({ y: 1, x: 2 });
    expect(cellAt(96, 96, box, g)).toEqual({ y: 47, x: 47 }); // the far edge stays inside
    expect(cellAt(-3, 200, box, g)).toEqual({ y: 47, x: 0 });
    // (y, x, c) → the element the CLI dump holds at that position.
    expect(elementIndex(g, 0, 0, 2)).toBe(2);
    expect(elementIndex(g, 1, 2, 3)).toBe((48 + 2) * 16 + 3);
    expect(values[elementIndex(g, 47, 47, 15)]).toBe(values[values.length - 1]);
  });

  it('real values, legend and thumbnail size', () => {
    expect(realValue(-128, { scale: 0.5, zeroPoint: -128 })).toBe(0);
    expect(realValue(10, { scale: 0.25, zeroPoint: 2 })).toBe(2);
    expect(realValue(10, undefined)).toBeNull();
    expect(legendGradient(4)).toBe(
      'linear-gradient(to right, rgb(68 1 84) 0.0%, rgb(59 82 139) 25.0%, rgb(33 145 140) 50.0%, rgb(94 201 98) 75.0%, rgb(253 231 37) 100.0%)',
    );
    expect(thumbWidth(g)).toBe(48);
    expect(thumbWidth({ h: 3, w: 3, c: 256 })).toBe(40);
    expect(thumbWidth({ h: 96, w: 96, c: 8 })).toBe(72);
  });
});
