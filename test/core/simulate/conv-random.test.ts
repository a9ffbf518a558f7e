/**
 * The optimized CONV_2D / DEPTHWISE_CONV_2D paths (im2col, packed weights, 2-pixel passes, 3x3
 * row path, per-channel patches) against a plain transcription of TFLite's reference loops, on
 * random shapes, strides, dilations, paddings, depth multipliers and data.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convInt8,
  depthwiseConvInt8,
  packFilterPairs,
  type ConvInt8Params,
} from '../../../src-main/core/simulate/kernels/conv-int8.ts';
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from '../../../src-main/core/simulate/quant-math.ts';

interface Case {
  p: ConvInt8Params & { depthMultiplier: number };
  input: Int8Array;
  filter: Int8Array;
  bias: Int32Array;
}

/** reference_integer_ops::ConvPerChannel / DepthwiseConvPerChannel, written out plainly. */
function reference(c: Case, depthwise: boolean): Int8Array {
  const p = c.p;
  const out = new Int8Array(p.batches * p.outH * p.outW * p.outC);
  for (let b = 0; b < p.batches; b++)
    for (let oy = 0; oy < p.outH; oy++)
      for (let ox = 0; ox < p.outW; ox++)
        for (let oc = 0; oc < p.outC; oc++) {
          let acc = 0;
          for (let fy = 0; fy < p.filterH; fy++)
            for (let fx = 0; fx < p.filterW; fx++) {
              const iy = oy * p.strideH - p.padTop + fy * p.dilationH;
              const ix = ox * p.strideW - p.padLeft + fx * p.dilationW;
              if (iy < 0 || iy >= p.inH || ix < 0 || ix >= p.inW) continue;
              if (depthwise) {
                const ic = Math.floor(oc / p.depthMultiplier);
                const xv = c.input[((b * p.inH + iy) * p.inW + ix) * p.inC + ic];
                acc += c.filter[(fy * p.filterW + fx) * p.outC + oc] * (xv + p.inputOffset);
              } else {
                for (let ic = 0; ic < p.inC; ic++) {
                  const xv = c.input[((b * p.inH + iy) * p.inW + ix) * p.inC + ic];
                  acc +=
                    c.filter[((oc * p.filterH + fy) * p.filterW + fx) * p.inC + ic] * (xv + p.inputOffset);
                }
              }
            }
          acc += c.bias[oc];
          const v = multiplyByQuantizedMultiplier(acc, p.multipliers[oc], p.shifts[oc]) + p.outputOffset;
          out[((b * p.outH + oy) * p.outW + ox) * p.outC + oc] = Math.max(p.actMin, Math.min(p.actMax, v));
        }
  return out;
}

const caseArb = (depthwise: boolean) =>
  fc
    .record({
      inH: fc.integer({ min: 1, max: 9 }),
      inW: fc.integer({ min: 1, max: 9 }),
      inC: fc.integer({ min: 1, max: 6 }),
      dm: fc.integer({ min: 1, max: 3 }),
      outCConv: fc.integer({ min: 1, max: 11 }),
      filterH: fc.constantFrom(1, 2, 3),
      filterW: fc.constantFrom(1, 3),
      stride: fc.integer({ min: 1, max: 2 }),
      dilation: fc.integer({ min: 1, max: 2 }),
      same: fc.boolean(),
      inZp: fc.integer({ min: -128, max: 127 }),
      outZp: fc.integer({ min: -128, max: 127 }),
      scale: fc.double({ min: 1e-4, max: 0.05, noNaN: true }),
      relu6: fc.boolean(),
      seed: fc.integer({ min: 1, max: 1e9 }),
    })
    .map((r): Case => {
      const effH = (r.filterH - 1) * r.dilation + 1;
      const effW = (r.filterW - 1) * r.dilation + 1;
      const outH = r.same
        ? Math.ceil(r.inH / r.stride)
        : Math.max(1, Math.floor((r.inH - effH) / r.stride) + 1);
      const outW = r.same
        ? Math.ceil(r.inW / r.stride)
        : Math.max(1, Math.floor((r.inW - effW) / r.stride) + 1);
      const pad = (inS: number, eff: number, outS: number) =>
        r.same ? Math.max(0, Math.floor(((outS - 1) * r.stride + eff - inS) / 2)) : 0;
      const outC = depthwise ? r.inC * r.dm : r.outCConv;
      let s = r.seed;
      const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s >>> 8);
      const input = Int8Array.from({ length: r.inH * r.inW * r.inC }, () => (rnd() & 255) - 128);
      const filter = Int8Array.from(
        { length: depthwise ? r.filterH * r.filterW * outC : outC * r.filterH * r.filterW * r.inC },
        () => (rnd() & 255) - 128,
      );
      const bias = Int32Array.from({ length: outC }, () => (rnd() % 20001) - 10000);
      const q = Array.from({ length: outC }, (_, i) => quantizeMultiplier(r.scale * (1 + i / 7)));
      return {
        input,
        filter,
        bias,
        p: {
          batches: 1,
          inH: r.inH,
          inW: r.inW,
          inC: r.inC,
          outH,
          outW,
          outC,
          filterH: r.filterH,
          filterW: r.filterW,
          strideH: r.stride,
          strideW: r.stride,
          dilationH: r.dilation,
          dilationW: r.dilation,
          padTop: pad(r.inH, effH, outH),
          padLeft: pad(r.inW, effW, outW),
          inputOffset: -r.inZp,
          outputOffset: r.outZp,
          multipliers: Int32Array.from(q, (m) => m.multiplier),
          shifts: Int32Array.from(q, (m) => m.shift),
          actMin: r.relu6 ? Math.max(-128, r.outZp) : -128,
          actMax: r.relu6 ? Math.min(127, r.outZp + 60) : 127,
          depthMultiplier: depthwise ? r.dm : 1,
        },
      };
    });

describe('optimized conv kernels equal the plain reference loops', () => {
  it('CONV_2D (packed and unpacked)', () => {
    fc.assert(
      fc.property(caseArb(false), (c) => {
        const want = reference(c, false);
        const k = c.p.filterH * c.p.filterW * c.p.inC;
        for (const packed of [packFilterPairs(c.filter, c.p.outC, k), null]) {
          const got = new Int8Array(want.length);
          convInt8({ ...c.p, packed, scratch: {} }, c.input, c.filter, c.bias, got);
          expect([...got]).toEqual([...want]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('DEPTHWISE_CONV_2D (3x3 row path, border pixels, general patch path)', () => {
    fc.assert(
      fc.property(caseArb(true), (c) => {
        const want = reference(c, true);
        const got = new Int8Array(want.length);
        depthwiseConvInt8({ ...c.p, scratch: {} }, c.input, c.filter, c.bias, got);
        expect([...got]).toEqual([...want]);
      }),
      { numRuns: 2000 },
    );
  });
});
