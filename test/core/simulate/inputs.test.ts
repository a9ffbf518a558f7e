/** Inputs: .npy, raw .bin, images, MLTK normalization and the xorshift seed, on the real fixtures. */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../../src-main/core/model/ir.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { decodeBmp } from '../../../src-main/core/simulate/inputs/bmp.ts';
import { buildInputs, rawInputs } from '../../../src-main/core/simulate/inputs/load.ts';
import { normalizeSample } from '../../../src-main/core/simulate/inputs/normalize.ts';
import { parseNpy } from '../../../src-main/core/simulate/inputs/npy.ts';
import { arrayToInput } from '../../../src-main/core/simulate/inputs/to-input.ts';
import { toBytes } from '../../../src-main/core/simulate/tensor-data.ts';
import { goldenBytes, listFixtures, readFixture, readGolden } from '../../helpers/fixtures.ts';

const file = (name: string) => ({ name, bytes: readFixture('data', name) });

function tensor(dtype: Tensor['dtype'], shape: number[], scale = 0.5, zeroPoint = 0): Tensor {
  return {
    index: 0,
    name: 'in',
    dtype,
    shape,
    buffer: 0,
    data: null,
    quantization: { scale: [scale], zeroPoint: [zeroPoint], axis: 0 },
    isVariable: false,
  };
}

function npyBytes(descr: string, shape: number[], payload: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const out = new Uint8Array(10 + header.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(payload, 10 + header.length);
  return out;
}

describe('--seed reproduces the golden inputs', () => {
  for (const name of listFixtures('golden', '.json').map((f) => f.replace('.json', ''))) {
    it(name, () => {
      const g = readGolden(name);
      const pm = prepare(readTflite(readFixture(g.model)));
      const inputs = buildInputs({ seed: 1 }, pm.inputs, {});
      g.inputs.forEach((gi, i) =>
        expect(Buffer.from(toBytes(inputs[i])).equals(Buffer.from(goldenBytes(gi)))).toBe(true),
      );
    });
  }
});

describe('real .npy inputs', () => {
  it('person_detect: person vs no-person images give different top classes (npy bytes are int8 pixels)', () => {
    const pm = prepare(readTflite(readFixture('models', 'person_detect.tflite')));
    const run = (n: string) =>
      invoke(pm, buildInputs({ files: [file(n)], uint8Mode: 'bytes' }, pm.inputs, {}), { taps: false })
        .outputs[0].data;
    const person = run('tflm_person_gray_u8_96x96.npy');
    const noPerson = run('tflm_no_person_gray_u8_96x96.npy');
    expect(person[1]).toBeGreaterThan(person[0]); // index 1 = person
    expect(noPerson[0]).toBeGreaterThan(noPerson[1]);
  });

  it('micro_speech: yes / no feature arrays (49x40 into [1,1960]) are recognised', () => {
    const pm = prepare(readTflite(readFixture('models', 'micro_speech_quantized.tflite')));
    const top = (n: string) => {
      const out = invoke(pm, buildInputs({ files: [file(n)] }, pm.inputs, {}), { taps: false }).outputs[0]
        .data as Int8Array;
      return out.indexOf(Math.max(...out));
    };
    expect(top('mltk_yes_features_int8_49x40.npy')).toBe(2); // silence, unknown, yes, no
    expect(top('mltk_no_features_int8_49x40.npy')).toBe(3);
  });

  it('parses dtype and shape', () => {
    const a = parseNpy(readFixture('data', 'tflm_person_gray_u8_96x96.npy'));
    expect(a.dtype).toBe('uint8');
    expect(a.shape).toEqual([96, 96]);
    expect(a.data.length).toBe(9216);
  });
});

describe('input conversion rules and errors', () => {
  it("uint8 into int8: affine (p - 128) by default, two's complement bytes on request", () => {
    const arr = parseNpy(npyBytes('|u1', [3], Uint8Array.of(0, 200, 255)));
    expect([...arrayToInput(arr, tensor('int8', [3]), {}, 'x')]).toEqual([-128, 72, 127]);
    expect([...arrayToInput(arr, tensor('int8', [3]), {}, 'x', 'bytes')]).toEqual([0, -56, -1]);
  });

  it('float data is quantized with the input scale / zero point', () => {
    const arr = parseNpy(npyBytes('<f4', [3], new Uint8Array(Float32Array.of(1.25, -1.25, 100).buffer)));
    expect([...arrayToInput(arr, tensor('int8', [1, 3], 0.5, 1), {}, 'x')]).toEqual([4, -2, 127]);
  });

  it('rejects NaN, wrong shape, mismatched integer dtypes, bad files', () => {
    const nan = parseNpy(npyBytes('<f4', [2], new Uint8Array(Float32Array.of(1, NaN).buffer)));
    expect(() => arrayToInput(nan, tensor('int8', [1, 2]), {}, 'nan.npy')).toThrow(
      /nan\.npy: element 1 is NaN/,
    );
    const i16 = parseNpy(npyBytes('<i2', [2], new Uint8Array(4)));
    expect(() => arrayToInput(i16, tensor('int8', [1, 2]), {}, 'a.npy')).toThrow(
      /int16 data cannot feed input 'in' of type int8/,
    );
    const wrong = parseNpy(npyBytes('|i1', [3, 2], new Uint8Array(6)));
    expect(() => arrayToInput(wrong, tensor('int8', [1, 2, 3, 1]), {}, 'w.npy')).toThrow(
      /shape \(3, 2\) does not fit input 'in' of shape \[1,2,3,1\]/,
    );
    expect(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'junk.npy')).toThrow(
      /junk\.npy: not a NumPy/,
    );
    expect(() => parseNpy(npyBytes('>f4', [1], new Uint8Array(4)))).toThrow(/dtype '>f4' is not supported/);
    expect(() => rawInputs(new Uint8Array(5), [tensor('int8', [1, 4])], 'x.bin')).toThrow(
      /x\.bin: raw input has 5 bytes, the model's inputs need 4/,
    );
    expect(() =>
      buildInputs({ files: [{ name: 'a.txt', bytes: new Uint8Array(20) }] }, [tensor('int8', [4])], {}),
    ).toThrow(/not a \.npy file/);
  });

  it('raw .bin splits bytes across inputs in order', () => {
    const [a, b] = rawInputs(
      Uint8Array.of(1, 2, 255, 0, 0, 128, 63),
      [tensor('int8', [3]), tensor('float32', [1])],
      'r.bin',
    );
    expect([...a]).toEqual([1, 2, -1]);
    expect(b[0]).toBe(1);
  });
});

describe('images', () => {
  const rgba = new Uint8Array(4 * 4 * 4);
  for (let i = 0; i < 16; i++) rgba.set([200, 100, 50, 255], i * 4);

  it('PNG and JPEG are resized and converted to grey or RGB', () => {
    const png = new PNG({ width: 4, height: 4 });
    png.data.set(rgba);
    const pngBytes = new Uint8Array(PNG.sync.write(png));
    const grey = buildInputs(
      { files: [{ name: 'a.png', bytes: pngBytes }] },
      [tensor('int8', [1, 2, 2, 1], 1, -128)],
      {},
    );
    const luma = Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50);
    expect([...grey[0]]).toEqual([luma - 128, luma - 128, luma - 128, luma - 128]);
    const rgb = buildInputs(
      { files: [{ name: 'a.png', bytes: pngBytes }] },
      [tensor('float32', [1, 2, 2, 3])],
      {},
    );
    expect([...rgb[0].slice(0, 3)]).toEqual([200, 100, 50]);
    const jpg = jpeg.encode({ width: 4, height: 4, data: rgba }, 100).data;
    const fromJpeg = buildInputs(
      { files: [{ name: 'a.jpg', bytes: new Uint8Array(jpg) }] },
      [tensor('float32', [1, 4, 4, 3])],
      {},
    );
    expect(Math.abs((fromJpeg[0][0] as number) - 200)).toBeLessThanOrEqual(3);
  });

  it('BMP (24-bit, bottom-up) decodes', () => {
    const w = 2;
    const h = 2;
    const row = 8; // 2 px * 3 B, padded to 4
    const bmp = new Uint8Array(54 + row * h);
    const v = new DataView(bmp.buffer);
    bmp.set([0x42, 0x4d]);
    v.setUint32(2, bmp.length, true);
    v.setUint32(10, 54, true);
    v.setUint32(14, 40, true);
    v.setInt32(18, w, true);
    v.setInt32(22, h, true);
    v.setUint16(26, 1, true);
    v.setUint16(28, 24, true);
    bmp.set([0, 0, 255, 0, 255, 0], 54); // bottom row: red, green (BGR)
    bmp.set([255, 0, 0, 9, 9, 9], 54 + row); // top row: blue, grey 9
    const img = decodeBmp(bmp);
    expect([...img.data.slice(0, 4)]).toEqual([0, 0, 255, 255]); // top-left blue
    expect([...img.data.slice(8, 12)]).toEqual([255, 0, 0, 255]); // bottom-left red
  });

  it('wrong channel count is a clear error', () => {
    const png = new PNG({ width: 4, height: 4 });
    png.data.set(rgba);
    const bytes = new Uint8Array(PNG.sync.write(png));
    expect(() =>
      buildInputs({ files: [{ name: 'a.png', bytes }] }, [tensor('int8', [1, 4, 4, 2])], {}),
    ).toThrow(/a\.png: the model input has 2 channels/);
  });
});

describe('MLTK normalization', () => {
  it('rock_paper_scissors (samplewise_norm.mean_and_std) gets a zero-mean, unit-std image input', () => {
    const model = readTflite(readFixture('models', 'rock_paper_scissors.tflite'));
    expect(model.parameters['samplewise_norm.mean_and_std']).toBe(true);
    const pm = prepare(model);
    const png = new PNG({ width: 8, height: 8 });
    for (let i = 0; i < 64; i++) png.data.set([i * 4, i * 4, i * 4, 255], i * 4);
    const bytes = new Uint8Array(PNG.sync.write(png));
    const [x] = buildInputs(
      { files: [{ name: 'g.png', bytes }] },
      pm.inputs,
      model.parameters,
    ) as Float32Array[];
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
    expect(Math.abs(mean)).toBeLessThan(1e-5);
    expect(std).toBeCloseTo(1, 4);
    const out = invoke(pm, [x], { taps: false }).outputs[0].data as Float32Array;
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 1); // dequantized softmax
  });

  it('rescale multiplies, mean_and_std centres and scales', () => {
    expect([...normalizeSample([0, 255], { rescale: 1 / 255, meanAndStd: false })]).toEqual([0, 1]);
    const z = normalizeSample([1, 2, 3], { rescale: 0, meanAndStd: true });
    const std = Math.sqrt(2 / 3) + 1e-6;
    expect(z[0]).toBeCloseTo(-1 / std, 6);
    expect(z[1]).toBe(0);
  });

  it('is applied before quantizing when the model carries the parameter', () => {
    const arr = parseNpy(npyBytes('|u1', [2], Uint8Array.of(0, 255)));
    const out = arrayToInput(
      arr,
      tensor('int8', [1, 2], 1 / 128, 0),
      { 'samplewise_norm.rescale': 1 / 255 },
      'x',
    );
    expect([...out]).toEqual([0, 127]); // 1.0 / (1/128) = 128 -> clamp 127
  });
});
