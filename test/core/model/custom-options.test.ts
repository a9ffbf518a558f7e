/**
 * Issue 15: the signal library's custom ops show their options (FlexBuffer maps) in the summary, the
 * CLI's layer table and the UI's layer table (both read ModelSummary.options).
 */
import { describe, expect, it } from 'vitest';
import { customOptions } from '../../../src-main/core/model/custom-options.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { summarize } from '../../../src-main/core/model/summary.ts';
import { readFixture } from '../../helpers/fixtures.ts';

const PRE = 'tensorflow__tensorflow_lite_micro_examples_micro_speech_models_audio_preprocessor_int8.tflite';

describe('custom op options', () => {
  // Rule: each signal op of TFLM's micro_speech audio preprocessor shows the options its FlexBuffer
  // holds (values as TFLM's generator wrote them: 512-point FFT, energy bins 5..241, 40 channels),
  // T as the dtype name; ops without options show none; every layer is supported.
  it('audio_preprocessor_int8: the signal ops show their options in the summary', () => {
    const s = summarize(readTflite(readFixture('field', 'models', PRE)));
    const by = (op: string) => s.layers.find((l) => l.op === op)!.options;
    expect(by('SignalWindow')).toEqual({ shift: 12 });
    expect(by('SignalRfft')).toEqual({ T: 'int16', fft_length: 512 });
    expect(by('SignalEnergy')).toEqual({ start_index: 5, end_index: 241 });
    expect(by('SignalFilterBank')).toEqual({ num_channels: 40 });
    expect(by('SignalFilterBankSpectralSubtraction')).toMatchObject({
      num_channels: 40,
      smoothing_bits: 10,
      spectral_subtraction_bits: 14,
      clamping: false,
    });
    expect(by('SignalPCAN')).toEqual({ snr_shift: 6 });
    expect(by('SignalFilterBankLog')).toEqual({ input_correction_bits: 3, output_scale: 64 });
    expect(by('SignalFftAutoScale')).toEqual({});
    expect(s.layers.filter((l) => !l.supported).map((l) => l.op)).toEqual([]);
    expect(() => JSON.stringify(s)).not.toThrow(); // no BigInt reaches `summary --json`
  });

  // Rule: bad bytes never crash the summary: a known custom op whose options are not a FlexBuffer
  // map, and an unknown custom op, show no decoded options.
  it('bad or foreign custom options give no options, never an exception', () => {
    const junk = new Uint8Array([1, 2, 3, 250, 251, 7, 9]);
    expect(customOptions({ op: 'SignalRfft', customOptions: junk })).toEqual({});
    expect(customOptions({ op: 'SignalRfft', customOptions: new Uint8Array(0) })).toEqual({});
    const m = readTflite(readFixture('field', 'models', PRE));
    const window = m.subgraphs[0].operators[0];
    expect(customOptions({ op: 'MyVendorOp', customOptions: window.customOptions })).toEqual({});
  });
});
