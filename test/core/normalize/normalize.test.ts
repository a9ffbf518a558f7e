/** The shared normalization definition (docs/normalization.md) on real model parameters. */
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/index.ts';
import {
  normalizationNotes,
  normalizationOf,
  NormalizeError,
  normalizeRaw,
  normalizeToFloat,
  quantizeInt8,
  rawSamples,
} from '../../../src-main/core/normalize/normalize.ts';
import type { NpyArray } from '../../../src-main/core/simulate/inputs/npy.ts';
import { arrayToInput } from '../../../src-main/core/simulate/inputs/to-input.ts';
import { RPS_QUANT, sampleData } from '../../../firmware/tests/params_cases.ts';
import { readFixture } from '../../helpers/fixtures.ts';

const rps = () => readTflite(readFixture('models', 'rock_paper_scissors.tflite'));

describe('normalization parameters of real models', () => {
  it('rock_paper_scissors: mean/std, rescale 0 (off); notes the training/device difference', () => {
    const m = rps();
    expect(normalizationOf(m.parameters)).toEqual({ rescale: 0, meanAndStd: true });
    expect(normalizationNotes(m.parameters).join(' ')).toMatch(/std \+ 1e-6.*bare std/);
  });
  it('keyword_spotting_on_off: both off -> none; image_example1: legacy keys only -> none, with a note', () => {
    expect(
      normalizationOf(readTflite(readFixture('models', 'keyword_spotting_on_off.tflite')).parameters),
    ).toBeNull();
    const img = readTflite(readFixture('models', 'image_example1.tflite')).parameters;
    expect(normalizationOf(img)).toBeNull();
    expect(normalizationNotes(img).join(' ')).toMatch(/legacy/);
  });
  it('bad parameter types are named', () => {
    expect(() => normalizationOf({ 'samplewise_norm.rescale': 'x' })).toThrow(
      /samplewise_norm.rescale must be a finite number/,
    );
    expect(() => normalizationOf({ 'samplewise_norm.mean_and_std': 'yes' })).toThrow(NormalizeError);
  });
});

describe('normalizeRaw', () => {
  const mas = { rescale: 0, meanAndStd: true };
  it('mean/std uses the population std plus 1e-6 (hand-computed)', () => {
    const z = normalizeToFloat([1, 2, 3], mas);
    expect(z[1]).toBe(0);
    expect(z[0]).toBe(Math.fround(-1 / (Math.sqrt(2 / 3) + 1e-6)));
    expect(z[2]).toBe(-z[0]);
  });
  it('a constant sample maps to exactly 0 (the zero point when int8), never NaN', () => {
    const raw = sampleData('uint16', 'constant', 84 * 84);
    expect(normalizeToFloat(raw, mas).every((v) => v === 0)).toBe(true);
    expect(normalizeRaw(raw, mas, RPS_QUANT).every((v) => v === -25)).toBe(true);
  });
  it('extremes: uint16 0/65535 -> +-1.41 (population std), int8 clamps with a small scale', () => {
    const raw = Uint16Array.from([0, 65535, 0, 65535]);
    expect([...normalizeToFloat(raw, mas)]).toEqual(
      [-1, 1, -1, 1].map((s) => Math.fround(s / (1 + 1e-6 / 32767.5))),
    );
    expect([...normalizeRaw(raw, mas, { dtype: 'int8', scale: 1e-3, zeroPoint: 0 })]).toEqual([
      -128, 127, -128, 127,
    ]);
    const big = Float32Array.from([3.4e38, -3.4e38]); // sums in float64 do not overflow
    expect([...normalizeToFloat(big, mas)].map((v) => Math.abs(v))).toEqual([
      Math.fround(1 / (1 + 1e-6 / 3.4e38)),
      Math.fround(1 / (1 + 1e-6 / 3.4e38)),
    ]);
  });
  it('rescale is one float32 multiply: 255 * fround(1/255) = 1', () => {
    expect([
      ...normalizeToFloat(Uint8Array.from([0, 255]), { rescale: Math.fround(1 / 255), meanAndStd: false }),
    ]).toEqual([0, 1]);
  });
  it('quantizes like TFLite: ties round away from zero, clamp', () => {
    expect([...quantizeInt8([0.5, -0.5, 1.5, -1.5, 2.5, 1000, -1000], 1, 0)]).toEqual([
      1, -1, 2, -2, 3, 127, -128,
    ]);
    expect(() => quantizeInt8([1], 0, 0)).toThrow(/positive scale/);
  });
  it('rejects NaN/Inf samples, rescale overflow, empty samples, no parameters, other targets', () => {
    expect(() => normalizeToFloat([1, NaN], mas)).toThrow(/raw sample 1 is NaN/);
    expect(() => normalizeToFloat([3e38], { rescale: 10, meanAndStd: false })).toThrow(/overflows float32/);
    expect(() => normalizeToFloat([], mas)).toThrow(/empty/);
    expect(() => normalizeToFloat([1], { rescale: 0, meanAndStd: false })).toThrow(
      expect.objectContaining({ code: 'NO_PARAMS' }),
    );
    expect(() => normalizeRaw([1], mas, { dtype: 'int16' as 'int8' })).toThrow(/float32 or int8/);
    expect(() => rawSamples(new Uint8Array(3), 'uint16')).toThrow(/whole number of uint16/);
  });
  it('little-endian raw bytes decode per dtype', () => {
    expect(Array.from(rawSamples(Uint8Array.from([0xff, 0xff, 0x00, 0x80]), 'int16'))).toEqual([-1, -32768]);
    expect(Array.from(rawSamples(Uint8Array.from([0xff, 0xff]), 'uint16'))).toEqual([65535]);
  });
});

describe('the simulator uses the same definition', () => {
  it('arrayToInput on rps with uint16 data = normalizeRaw to float32', () => {
    const m = rps();
    const g = m.subgraphs[0];
    const t = g.tensors[g.inputs[0]];
    const raw = sampleData('uint16', 'random', 84 * 84, 9) as Uint16Array;
    const arr: NpyArray = { dtype: 'uint16', shape: [84, 84], data: raw };
    const sim = arrayToInput(arr, t, m.parameters, 'x');
    expect(
      Buffer.from((sim as Float32Array).buffer).equals(
        Buffer.from(
          (normalizeRaw(raw, normalizationOf(m.parameters)!, { dtype: 'float32' }) as Float32Array).buffer,
        ),
      ),
    ).toBe(true);
  });
});
