import { describe, expect, it } from 'vitest';
import { ModelFormatError, detectFormat, requireFormat } from '../../../src-main/core/model/index.ts';
import { readFixture } from '../../helpers/fixtures.ts';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe('detectFormat', () => {
  it('by content, whatever the name', () => {
    expect(detectFormat(readFixture('models', 'person_detect.tflite'), 'x.bin')).toBe('tflite');
    expect(detectFormat(readFixture('float', 'image_example1.h5'), 'model.tflite')).toBe('keras-h5');
    expect(detectFormat(readFixture('float', 'rock_paper_scissors.h5'))).toBe('keras-h5');
  });

  it('by name when the content says nothing (so the reader can explain what is wrong)', () => {
    expect(detectFormat(PNG, 'photo.tflite')).toBe('tflite');
    expect(detectFormat(new Uint8Array(0), 'empty.h5')).toBe('keras-h5');
    expect(detectFormat(PNG, 'photo.png')).toBeNull();
  });

  it('requireFormat names unknown files', () => {
    expect(() => requireFormat(PNG, 'photo.png')).toThrow(ModelFormatError);
    expect(() => requireFormat(PNG, 'photo.png')).toThrow(
      "Not a model: photo.png is neither a TFLite flatbuffer (identifier 'TFL3' at offset 4) nor a Keras HDF5 file",
    );
    expect(() => requireFormat(new Uint8Array(0), 'a.bin')).toThrow('Not a model: a.bin is empty');
  });
});
