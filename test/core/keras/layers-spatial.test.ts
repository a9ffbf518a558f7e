/**
 * Layers that move or repeat values: ZeroPadding1D/2D (PAD), UpSampling2D and Resizing
 * (RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR, half-pixel centres as tf.image.resize under Keras),
 * Permute (TRANSPOSE), RepeatVector (RESHAPE + BROADCAST_TO), Dropout / SpatialDropout removed.
 * float32 against tfjs-layers where it computes what Keras does, else against the definition
 * computed here; int8 keeps the input's scale, so every value is within one step.
 */
import { describe, expect, it } from 'vitest';
import { checkLayer, expectInt8, input, ops, samples, sequentialModel, tfjs } from './layer-harness.ts';

/** tf.image.resize with half_pixel_centers (Keras 2.x / 3 UpSampling2D and Resizing), NHWC, batch 1. */
function resizeRef(
  x: Float32Array,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
  bilinear: boolean,
) {
  const out = new Float32Array(oh * ow * c);
  const axis = (o: number, n: number, on: number) => {
    const pos = (o + 0.5) * (n / on) - (bilinear ? 0.5 : 0);
    if (!bilinear) {
      const i = Math.min(Math.floor(pos), n - 1);
      return { lo: i, hi: i, t: 0 };
    }
    const f = Math.floor(pos);
    return { lo: Math.max(f, 0), hi: Math.min(Math.ceil(pos), n - 1), t: pos - f };
  };
  for (let y = 0; y < oh; y++)
    for (let xx = 0; xx < ow; xx++) {
      const a = axis(y, h, oh);
      const b = axis(xx, w, ow);
      for (let k = 0; k < c; k++) {
        const at = (yy: number, xi: number) => x[(yy * w + xi) * c + k];
        const top = at(a.lo, b.lo) + (at(a.lo, b.hi) - at(a.lo, b.lo)) * b.t;
        const bottom = at(a.hi, b.lo) + (at(a.hi, b.hi) - at(a.hi, b.lo)) * b.t;
        out[(y * ow + xx) * c + k] = top + (bottom - top) * a.t;
      }
    }
  return out;
}

describe('Keras spatial layers → TFLite, float32 and int8 in the core', () => {
  const viaTfjs: [string, string, Record<string, unknown>, number[], string[]][] = [
    [
      'ZeroPadding2D',
      'ZeroPadding2D',
      {
        padding: [
          [1, 2],
          [0, 3],
        ],
      },
      [4, 5, 3],
      ['PAD'],
    ],
    [
      'UpSampling2D nearest',
      'UpSampling2D',
      { size: [2, 3], interpolation: 'nearest' },
      [3, 4, 2],
      ['RESIZE_NEAREST_NEIGHBOR'],
    ],
    ['Permute', 'Permute', { dims: [2, 1, 3] }, [3, 5, 2], ['TRANSPOSE']],
    ['RepeatVector', 'RepeatVector', { n: 4 }, [6], ['RESHAPE', 'BROADCAST_TO']],
  ];
  for (const [label, cls, cfg, shape, expected] of viaTfjs) {
    // rule: the layer is the op(s) listed, equal to tfjs-layers as float32, within one int8 step
    it(label, async () => {
      const keras = await sequentialModel([
        input('x', shape),
        { class_name: cls, config: { name: 'l', ...cfg } },
      ]);
      const n = shape.reduce((a, b) => a * b, 1);
      const r = await checkLayer(keras, samples([n], 16, 1), samples([n], 4, 2), tfjs(keras));
      expect(ops(r.float)).toEqual(expected);
      expectInt8(r);
    });
  }

  // rule: ZeroPadding1D is PAD on the time axis (tfjs has no ZeroPadding1D: the definition here)
  it('ZeroPadding1D', async () => {
    const keras = await sequentialModel([
      input('x', [5, 3]),
      { class_name: 'ZeroPadding1D', config: { name: 'l', padding: [2, 1] } },
    ]);
    const ref = (xs: Float32Array[][]) =>
      xs.map(([x]) => Float32Array.from([...new Array(6).fill(0), ...x, ...new Array(3).fill(0)]));
    const r = await checkLayer(keras, samples([15], 16, 1), samples([15], 4, 2), ref);
    expect(ops(r.float)).toEqual(['PAD']);
    expectInt8(r);
  });

  const viaDefinition: [string, string, Record<string, unknown>, number[], number[], boolean][] = [
    // tfjs' UpSampling2D bilinear leaves half-pixel centres off, its Resizing turns align_corners on;
    // Keras uses tf.image.resize (half-pixel centres, no align_corners)
    [
      'UpSampling2D bilinear',
      'UpSampling2D',
      { size: [2, 2], interpolation: 'bilinear' },
      [3, 4, 2],
      [6, 8],
      true,
    ],
    [
      'Resizing bilinear',
      'Resizing',
      { height: 5, width: 7, interpolation: 'bilinear' },
      [4, 3, 2],
      [5, 7],
      true,
    ],
    [
      'Resizing nearest',
      'Resizing',
      { height: 3, width: 5, interpolation: 'nearest' },
      [6, 4, 2],
      [3, 5],
      false,
    ],
  ];
  for (const [label, cls, cfg, [h, w, c], [oh, ow], bilinear] of viaDefinition) {
    // rule: resizing with half-pixel centres as TensorFlow does under Keras, float32 exact to 1e-5,
    // int8 within one step (bilinear rounds once, nearest copies)
    it(label, async () => {
      const keras = await sequentialModel([
        input('x', [h, w, c]),
        { class_name: cls, config: { name: 'l', ...cfg } },
      ]);
      const ref = (xs: Float32Array[][]) => xs.map(([x]) => resizeRef(x, h, w, c, oh, ow, bilinear));
      const r = await checkLayer(keras, samples([h * w * c], 16, 1), samples([h * w * c], 4, 2), ref);
      expect(ops(r.float)).toEqual([bilinear ? 'RESIZE_BILINEAR' : 'RESIZE_NEAREST_NEIGHBOR']);
      expect(r.float.subgraphs[0].operators[0].options.half_pixel_centers).toBe(true);
      expectInt8(r);
    });
  }

  // rule: Dropout and SpatialDropout are inference no-ops and leave no op behind
  it('Dropout / SpatialDropout1D / SpatialDropout2D are removed', async () => {
    for (const [cls, shape] of [
      ['Dropout', [6]],
      ['SpatialDropout1D', [4, 3]],
      ['SpatialDropout2D', [2, 2, 3]],
    ] as const) {
      const keras = await sequentialModel([
        input('x', [...shape]),
        { class_name: cls, config: { name: 'drop', rate: 0.5 } },
        { class_name: 'Activation', config: { name: 'a', activation: 'tanh' } },
      ]);
      const n = shape.reduce((a, b) => a * b, 1);
      const r = await checkLayer(keras, samples([n], 8, 1), samples([n], 2, 2), (xs) =>
        xs.map(([x]) => x.map(Math.tanh)),
      );
      expect(ops(r.float)).toEqual(['TANH']);
      expectInt8(r);
    }
  });
});
