/** int8 kernels against hand-computed vectors (the goldens cover them on real models). */
import { describe, expect, it } from 'vitest';
import {
  convInt8,
  depthwiseConvInt8,
  type ConvInt8Params,
} from '../../../src-main/core/simulate/kernels/conv-int8.ts';
import { averagePoolInt8 } from '../../../src-main/core/simulate/kernels/pool-int8.ts';
import { prepareSoftmaxInt8, softmaxInt8 } from '../../../src-main/core/simulate/kernels/softmax-int8.ts';
import { addSubInt8, mulInt8 } from '../../../src-main/core/simulate/kernels/elementwise-int8.ts';
import {
  applyTable,
  dequantizeTable,
  hardSwishTable,
  leakyReluTable,
  logisticTable,
  quantizeFloatToInt8,
  requantizeTable,
  tanhTable,
} from '../../../src-main/core/simulate/kernels/unary-int8.ts';
import { quantizeMultiplier } from '../../../src-main/core/simulate/quant-math.ts';

const HALF = quantizeMultiplier(0.5);
const ONE = quantizeMultiplier(1);

function convParams(over: Partial<ConvInt8Params>): ConvInt8Params {
  return {
    batches: 1,
    inH: 3,
    inW: 3,
    inC: 1,
    outH: 2,
    outW: 2,
    outC: 1,
    filterH: 2,
    filterW: 2,
    strideH: 1,
    strideW: 1,
    dilationH: 1,
    dilationW: 1,
    padTop: 0,
    padLeft: 0,
    inputOffset: 0,
    outputOffset: 0,
    multipliers: Int32Array.of(HALF.multiplier),
    shifts: Int32Array.of(HALF.shift),
    actMin: -128,
    actMax: 127,
    ...over,
  };
}

const image = Int8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
const ones = Int8Array.of(1, 1, 1, 1);

describe('CONV_2D int8', () => {
  it('VALID 2x2 box filter, multiplier 0.5', () => {
    const out = new Int8Array(4);
    convInt8(convParams({}), image, ones, null, out);
    expect([...out]).toEqual([6, 8, 12, 14]); // sums 12 16 24 28, halved
  });

  it('input offset is added to every real tap', () => {
    const out = new Int8Array(4);
    convInt8(convParams({ inputOffset: -1 }), image, ones, null, out);
    expect([...out]).toEqual([4, 6, 10, 12]); // sums 8 12 20 24
  });

  it('SAME stride 2 skips padding taps; halves round away from zero', () => {
    const out = new Int8Array(4);
    convInt8(convParams({ strideH: 2, strideW: 2 }), image, ones, null, out);
    expect([...out]).toEqual([6, 5, 8, 5]); // sums 12, 9, 15, 9 -> 6, 4.5->5, 7.5->8, 5
  });

  it('bias, output offset and activation clamp', () => {
    const out = new Int8Array(4);
    convInt8(convParams({ outputOffset: 100, actMax: 110 }), image, ones, Int32Array.of(2), out);
    expect([...out]).toEqual([107, 109, 110, 110]); // (s+2)/2 + 100 = 107 109 113 115 -> clamp 110
  });
});

describe('DEPTHWISE_CONV_2D int8', () => {
  it('depth multiplier 2 maps input channel c to outputs 2c, 2c+1', () => {
    const p = {
      ...convParams({ inH: 1, inW: 1, inC: 2, outH: 1, outW: 1, outC: 4, filterH: 1, filterW: 1 }),
      depthMultiplier: 2,
    };
    p.multipliers = new Int32Array(4).fill(ONE.multiplier);
    p.shifts = new Int32Array(4).fill(ONE.shift);
    const out = new Int8Array(4);
    depthwiseConvInt8(p, Int8Array.of(3, -4), Int8Array.of(1, 2, 3, 4), Int32Array.of(1, 1, 1, 1), out);
    expect([...out]).toEqual([4, 7, -11, -15]);
  });
});

describe('AVERAGE_POOL_2D int8', () => {
  const p = {
    batches: 1,
    inH: 2,
    inW: 2,
    channels: 1,
    outH: 1,
    outW: 1,
    filterH: 2,
    filterW: 2,
    strideH: 2,
    strideW: 2,
    padTop: 0,
    padLeft: 0,
    actMin: -128,
    actMax: 127,
  };
  it.each([
    [[1, 2, 2, 2], 2], // 1.75
    [[-1, -2, -2, -2], -2], // -1.75
    [[1, 1, 1, 2], 1], // 1.25
    [[2, 2, 2, 0], 2], // 1.5 rounds away from zero
    [[-2, -2, -2, 0], -2], // -1.5
  ])('%j -> %d', (values, want) => {
    const out = new Int8Array(1);
    averagePoolInt8(p, Int8Array.from(values), out);
    expect(out[0]).toBe(want);
  });
});

describe('SOFTMAX int8', () => {
  it('equal inputs share probability exactly (1/4 -> -64, 1/2 -> 0)', () => {
    const out4 = new Int8Array(4);
    softmaxInt8(prepareSoftmaxInt8(1, 0.1, 4, 1), Int8Array.of(5, 5, 5, 5), out4);
    expect([...out4]).toEqual([-64, -64, -64, -64]);
    const out2 = new Int8Array(2);
    softmaxInt8(prepareSoftmaxInt8(1, 0.1, 2, 1), Int8Array.of(-7, -7), out2);
    expect([...out2]).toEqual([0, 0]);
  });

  it('tracks the float softmax within 1 LSB', () => {
    const x = Int8Array.of(-100, -20, 0, 30, 31, 90);
    const out = new Int8Array(6);
    softmaxInt8(prepareSoftmaxInt8(1, 0.05, 6, 1), x, out);
    const e = [...x].map((v) => Math.exp((v - 90) * 0.05));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, i) => expect(Math.abs(out[i] - (Math.round((v / s) * 256) - 128))).toBeLessThanOrEqual(1));
  });
});

describe('ADD / SUB / MUL int8', () => {
  const base = {
    leftShift: 20,
    input1Offset: 0,
    input2Offset: 0,
    outputOffset: 0,
    actMin: -128,
    actMax: 127,
  };
  const m = quantizeMultiplier(0.5);
  const mo = quantizeMultiplier(1 / 2 ** 20);
  const p = {
    ...base,
    input1Multiplier: m.multiplier,
    input1Shift: m.shift,
    input2Multiplier: m.multiplier,
    input2Shift: m.shift,
    outputMultiplier: mo.multiplier,
    outputShift: mo.shift,
  };
  it('ADD: 1.5 + 2.0 at scale 0.5 -> 3.5 at scale 1 rounds to 4', () => {
    const out = new Int8Array(1);
    addSubInt8({ ...p, sign: 1 }, Int8Array.of(3), Int8Array.of(4), null, null, out);
    expect(out[0]).toBe(4);
  });
  it('SUB with broadcasting of a scalar', () => {
    const out = new Int8Array(3);
    addSubInt8(
      { ...p, sign: -1 },
      Int8Array.of(10, 20, -30),
      Int8Array.of(4),
      null,
      Int32Array.of(0, 0, 0),
      out,
    );
    expect([...out]).toEqual([3, 8, -17]); // (10-4)/2, (20-4)/2, (-30-4)/2
  });
  it('MUL: offsets applied before the product', () => {
    const q = quantizeMultiplier(0.25);
    const out = new Int8Array(2);
    mulInt8(
      {
        input1Offset: 1,
        input2Offset: -1,
        outputOffset: 3,
        outputMultiplier: q.multiplier,
        outputShift: q.shift,
        actMin: -128,
        actMax: 127,
      },
      Int8Array.of(3, -5),
      Int8Array.of(5, 9),
      null,
      null,
      out,
    );
    expect([...out]).toEqual([7, -5]); // 4*4/4+3 = 7, (-4*8)/4+3 = -5
  });
});

describe('table-driven unary ops', () => {
  it('LOGISTIC: 0 -> 0.5, saturates at both ends, within 1 LSB of the float curve', () => {
    const t = logisticTable(1 / 16, 0);
    expect(t[128]).toBe(0);
    expect(t[255]).toBe(127);
    expect(t[0]).toBe(-128);
    for (let q = -128; q < 128; q++) {
      const want = Math.round(256 / (1 + Math.exp(-q / 16))) - 128;
      expect(Math.abs(t[q + 128] - Math.min(127, want))).toBeLessThanOrEqual(1);
    }
  });

  it('TANH: odd, within 1 LSB of the float curve', () => {
    const t = tanhTable(1 / 32, 0);
    expect(t[128]).toBe(0);
    for (let q = -128; q < 128; q++) {
      const want = Math.max(-128, Math.min(127, Math.round(Math.tanh(q / 32) * 128)));
      expect(Math.abs(t[q + 128] - want)).toBeLessThanOrEqual(1);
    }
  });

  it('QUANTIZE int8->int8 requantizes with rounding', () => {
    const t = requantizeTable(1, 0, 2, 1);
    const out = new Int8Array(3);
    applyTable(t, Int8Array.of(5, -5, 127), out);
    // 2.5 -> 3, -2.5 -> -2 (SRDHM's nudge rounds negative ties toward +inf), 63.5 -> 64; then +1.
    expect([...out]).toEqual([4, -1, 65]);
  });

  it('DEQUANTIZE and float QUANTIZE', () => {
    expect(dequantizeTable(0.5, -1)[3 + 128]).toBe(2);
    const out = new Int8Array(4);
    quantizeFloatToInt8(0.5, 0, Float32Array.of(1.25, -1.25, 100, -0.2), out);
    expect([...out]).toEqual([3, -3, 127, 0]);
  });

  it('LEAKY_RELU uses alpha below zero', () => {
    const t = leakyReluTable(0.1, 0.1, 0, 0.1, 0);
    expect(t[-50 + 128]).toBe(-5);
    expect(t[50 + 128]).toBe(50);
  });

  it('HARD_SWISH within 1 LSB of x * relu6(x + 3) / 6', () => {
    const inScale = 0.05;
    const outScale = 0.03;
    const t = hardSwishTable(inScale, -10, outScale, 20);
    for (let q = -128; q < 128; q++) {
      const x = (q + 10) * inScale;
      const want = Math.max(
        -128,
        Math.min(127, Math.round((x * Math.min(6, Math.max(0, x + 3))) / 6 / outScale) + 20),
      );
      expect(Math.abs(t[q + 128] - want)).toBeLessThanOrEqual(1);
    }
  });
});
