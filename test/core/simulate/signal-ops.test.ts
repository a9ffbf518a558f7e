/**
 * TFLite Micro's signal library (the audio front end as custom ops: SignalWindow, SignalRfft,
 * SignalFilterBank, SignalPCAN, ...) beyond the golden test's bit-exactness: the model reader knows
 * the ops, the compare stage reads their uint32 / uint64 outputs exactly, layer stats summarize
 * them. The kernels themselves: firmware/tests/test_signal.c and the field goldens.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareDump, parseDump } from '../../../src-main/core/compare/dump-compare.ts';
import { summarize } from '../../../src-main/core/model/summary.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { layerStats } from '../../../src-main/core/simulate/stats.ts';
import { fixturePath } from '../../helpers/fixtures.ts';

const NAME = 'tensorflow__tensorflow_lite_micro_examples_micro_speech_models_audio_preprocessor_int8';
const modelBytes = () => new Uint8Array(readFileSync(fixturePath('field', 'models', `${NAME}.tflite`)));
const goldenText = () => readFileSync(fixturePath('field', 'golden', `${NAME}.json`), 'utf8');

function compare(text: string) {
  return compareDump({
    modelName: `${NAME}.tflite`,
    modelBytes: modelBytes(),
    modelSha256: '0',
    dump: parseDump(text, 'golden.json'),
    dumpName: 'golden.json',
  });
}

describe('signal-library models', () => {
  it('the model reader knows every signal op of the micro_speech front end', () => {
    // rule: a custom op the core has (CUSTOM_OP_CODES) is known, so the summary does not call it unsupported
    const ops = readTflite(modelBytes()).subgraphs[0].operators.filter((o) => o.op.startsWith('Signal'));
    expect(ops.map((o) => o.op)).toEqual([
      'SignalWindow',
      'SignalFftAutoScale',
      'SignalRfft',
      'SignalEnergy',
      'SignalFilterBank',
      'SignalFilterBankSquareRoot',
      'SignalFilterBankSpectralSubtraction',
      'SignalPCAN',
      'SignalFilterBankLog',
    ]);
    expect(ops.every((o) => o.known)).toBe(true);
  });

  it('compares the front end with its TFLite Micro golden: every layer matches', () => {
    // rule: uint32 and uint64 op outputs are compared element by element (compare stage readers)
    const r = compare(goldenText());
    const ops = r.layers.filter((l) => l.index >= 0); // the input row aside: 24 outputs of 22 ops
    expect(ops.length).toBe(24);
    expect(ops.filter((l) => l.dtype === 'uint64').map((l) => [l.op, l.mismatches])).toEqual([
      ['SignalFilterBank', 0],
    ]);
    expect(ops.filter((l) => l.dtype === 'uint32').length).toBe(6);
    expect(r.firstDivergent).toBeNull();
    expect(r.allMatch).toBe(true);
  });

  it('finds one changed filter-bank channel (uint64) at its layer', () => {
    // rule: a uint64 value off by one is a mismatch at that layer (no precision lost below 2^53)
    const g = JSON.parse(goldenText()) as { op_outputs: { tensor: number; data_b64: string }[] };
    const bank = g.op_outputs.find((t) => t.tensor === 29)!; // SignalFilterBank's output, layer 9
    const bytes = Buffer.from(bank.data_b64, 'base64');
    const v = bytes.readBigUInt64LE(8 * 3) + 1n;
    bytes.writeBigUInt64LE(v, 8 * 3);
    bank.data_b64 = bytes.toString('base64');
    const r = compare(JSON.stringify(g));
    expect(r.firstDivergent).toBe(9);
    expect(r.allMatch).toBe(false);
  });

  it('counts the multiply-accumulates of the window, the FFT and the filter bank', () => {
    // rule (layer-cost.ts): window one per sample (480); RFFT of 512: 256 complex points, four
    // radix-4 stages of 3/4 * 256 twiddle products plus 128 post-twiddles = 896, 4 real each; filter
    // bank 2 per bin of each channel (its 316 weights: one per bin)
    const layers = summarize(readTflite(modelBytes())).layers;
    const macs = Object.fromEntries(layers.filter((l) => l.macs > 0).map((l) => [l.op, l.macs]));
    expect(macs).toEqual({ SignalWindow: 480, SignalRfft: 3584, SignalFilterBank: 632 });
  });

  it('summarizes uint32 and uint64 layer outputs', () => {
    // rule: layer stats take every simulator tensor type (BigUint64Array included)
    const s = layerStats(BigUint64Array.of(1n, 2n ** 40n, 3n));
    expect([s.min, s.max]).toEqual([1, 2 ** 40]);
    expect(layerStats(Uint32Array.of(4294967295, 0)).max).toBe(4294967295);
  });
});
