import { describe, expect, it } from 'vitest';
import {
  ModelFormatError,
  decodeParameters,
  encodeParameters,
  readParameters,
  readTflite,
  readTypedParameters,
  summarize,
  withParameters,
  writeTflite,
  type TypedParam,
} from '../../../src-main/core/model/index.ts';
import { readFixture } from '../../helpers/fixtures.ts';
import { loadTfliteWasm, xorshiftInput } from '../../helpers/tflite-wasm.ts';

const rps = () => readTflite(readFixture('models', 'rock_paper_scissors.tflite'));

describe('SL_PARAMSv1 (MLTK model parameters)', () => {
  it('rock_paper_scissors: every entry with its stored type', () => {
    expect(readTypedParameters(rps())).toEqual({
      name: { type: 'str', value: 'rock_paper_scissors' },
      version: { type: 'uint8', value: 1 },
      classes: { type: 'str_list', value: ['rock', 'paper', 'scissor', '_unknown_'] },
      hash: { type: 'str', value: '98d61f12a1193cae1cc479fea98bdf8d' },
      date: { type: 'str', value: '2022-05-03T15:55:13.369Z' },
      runtime_memory_size: { type: 'uint32', value: 137176 },
      detection_threshold: { type: 'uint8', value: 175 },
      average_window_duration_ms: { type: 'uint16', value: 500 },
      minimum_count: { type: 'uint8', value: 2 },
      suppression_count: { type: 'uint8', value: 1 },
      'samplewise_norm.rescale': { type: 'double', value: 0 },
      'samplewise_norm.mean_and_std': { type: 'bool', value: true },
    });
  });

  it('readTflite fills Model.parameters and the summary shows them', () => {
    const m = rps();
    expect(m.parameters['samplewise_norm.mean_and_std']).toBe(true);
    expect(m.parameters['samplewise_norm.rescale']).toBe(0);
    expect(m.parametersError).toBeUndefined();
    const s = summarize(m);
    expect(s.metadata.parameters).toMatchObject({
      'samplewise_norm.mean_and_std': true,
      classes: ['rock', 'paper', 'scissor', '_unknown_'],
    });
    expect(s.metadata.entries).toContain('SL_PARAMSv1');
  });

  it('keyword_spotting_on_off: floats and audio front-end keys', () => {
    const p = readParameters(readTflite(readFixture('models', 'keyword_spotting_on_off.tflite')));
    expect(p['fe.sample_rate_hz']).toBe(8000);
    expect(p['fe.filterbank_upper_band_limit']).toBe(3999);
    expect(p['fe.pcan_strength']).toBeCloseTo(0.95, 6);
    expect(p.classes).toEqual(['on', 'off', '_unknown_', '_silence_']);
    expect(p.verbose_model_output_logs).toBe(false);
  });

  it('models without the entry have no parameters', () => {
    expect(readTflite(readFixture('models', 'person_detect.tflite')).parameters).toEqual({});
  });

  it('encode → decode keeps every type and value', () => {
    const typed = readTypedParameters(rps());
    expect(decodeParameters(encodeParameters(typed))).toEqual(typed);
    const all: Record<string, TypedParam> = {
      b: { type: 'bool', value: true },
      i8: { type: 'int8', value: -5 },
      u8: { type: 'uint8', value: 200 },
      i16: { type: 'int16', value: -300 },
      u16: { type: 'uint16', value: 60000 },
      i32: { type: 'int32', value: -70000 },
      u32: { type: 'uint32', value: 4e9 },
      i64: { type: 'int64', value: -(2 ** 40) },
      u64: { type: 'uint64', value: 2 ** 50 },
      f: { type: 'float', value: 0.5 },
      d: { type: 'double', value: 0.1 },
      s: { type: 'str', value: 'héllo' },
      sl: { type: 'str_list', value: ['a', ''] },
      il: { type: 'int32_list', value: [1, -2, 3] },
      fl: { type: 'float_list', value: [0.25, -1.5] },
      bin: { type: 'bin', value: new Uint8Array([0, 1, 255]) },
    };
    expect(decodeParameters(encodeParameters(all))).toEqual(all);
  });

  it('withParameters: new values keep the stored type when they fit; new keys get an inferred type', () => {
    const m = rps();
    const next = withParameters(m, {
      ...m.parameters,
      minimum_count: 3,
      'samplewise_norm.rescale': 0.5,
      my_key: -2,
      note: 'x',
    });
    const typed = readTypedParameters(next);
    expect(typed.minimum_count).toEqual({ type: 'uint8', value: 3 });
    expect(typed['samplewise_norm.rescale']).toEqual({ type: 'double', value: 0.5 });
    expect(typed.my_key).toEqual({ type: 'int8', value: -2 });
    expect(typed.note).toEqual({ type: 'str', value: 'x' });
    expect(typed.classes.type).toBe('str_list');
    expect(m.parameters.minimum_count).toBe(2); // input untouched

    // A value that no longer fits the stored type gets a wider one.
    expect(readTypedParameters(withParameters(m, { minimum_count: 1000 })).minimum_count).toEqual({
      type: 'uint16',
      value: 1000,
    });
  });

  it('write → read round trip through the .tflite, and the result still runs in TFLite', async () => {
    const m = withParameters(rps(), {
      ...rps().parameters,
      'samplewise_norm.mean_and_std': false,
      extra: [1.5, 2.5],
    });
    const bytes = writeTflite(m);
    const again = readTflite(bytes);
    expect(again.parameters).toEqual({
      ...rps().parameters,
      'samplewise_norm.mean_and_std': false,
      extra: [1.5, 2.5],
    });
    expect(readTypedParameters(again)).toEqual(readTypedParameters(m));

    const a = await loadTfliteWasm(readFixture('models', 'rock_paper_scissors.tflite'));
    const b = await loadTfliteWasm(bytes);
    const input = xorshiftInput('float32', 84 * 84);
    expect(Array.from(b.predict([input])[0])).toEqual(Array.from(a.predict([input])[0]));
    a.dispose();
    b.dispose();
  });

  it('adds the entry to a model that had none', () => {
    const m = readTflite(readFixture('models', 'hello_world_int8.tflite'));
    const again = readTflite(writeTflite(withParameters(m, { 'samplewise_norm.rescale': 0.25 })));
    expect(again.parameters).toEqual({ 'samplewise_norm.rescale': 0.25 });
    expect(again.metadata.map((e) => e.name)).toEqual([
      'min_runtime_version',
      'CONVERSION_METADATA',
      'SL_PARAMSv1',
    ]);
  });

  it('a corrupt dictionary is a clear error, and does not stop the model from opening', () => {
    expect(() => decodeParameters(new Uint8Array([200, 0, 0, 0]))).toThrow(ModelFormatError);
    expect(() => decodeParameters(new Uint8Array([200, 0, 0, 0]))).toThrow(
      /^Bad SL_PARAMSv1 metadata: dictionary points past end of file/,
    );
    const m = rps();
    const entry = m.metadata.find((e) => e.name === 'SL_PARAMSv1')!;
    m.buffers[entry.buffer] = new Uint8Array([1, 2, 3]);
    const again = readTflite(writeTflite(m));
    expect(again.parameters).toEqual({});
    expect(again.parametersError).toMatch(/^Bad SL_PARAMSv1 metadata/);
    expect(again.subgraphs[0].operators.length).toBe(12);
  });
});
