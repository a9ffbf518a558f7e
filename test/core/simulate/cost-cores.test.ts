/**
 * The per-core cost model (issue 18): instruction coefficients fitted per core to the executed
 * instructions of the kernels built for that core (QEMU -icount, cost-calibration.gen.ts from
 * `npm run calibrate:cost`), cycles = CPI × instructions, time = cycles / clock.
 */
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { CALIBRATION } from '../../../src-main/core/simulate/cost-calibration.gen.ts';
import { calibrationRows, features, fitOps, TERMS } from '../../../src-main/core/simulate/cost-fit.ts';
import {
  cpuProfile,
  estimateModel,
  type CpuProfileName,
} from '../../../src-main/core/simulate/cost-model.ts';
import { layerWork } from '../../../src-main/core/simulate/layer-work.ts';
import { readFixture } from '../../helpers/fixtures.ts';

/** A table model's work: fixtures/models/NAME, or fixtures/field/models/NAME for field/NAME. */
const work = (name: string) =>
  layerWork(
    readTflite(
      name.startsWith('field/')
        ? readFixture('field', 'models', `${name.slice(6)}.tflite`)
        : readFixture('models', `${name}.tflite`),
    ).subgraphs[0],
  );
/** The field models calibrated for the sequence and audio ops (scripts/calibrate-cost-model.ts FIELD). */
const FIELD = {
  keras_lstm_mnist: 'field/google-coral__keras_lstm_mnist_ptq',
  mnist_lstm_int8: 'field/tensorflow__tensorflow_lite_micro_examples_mnist_lstm_trained_lstm_int8',
  micro_speech_lstm: 'field/tensorflow__third_party_xtensa_examples_micro_speech_lstm_micro_speech_lstm',
  dtln: 'field/tensorflow__tensorflow_lite_micro_examples_dtln_dtln_noise_suppression',
  keyword_scrambled: 'field/tensorflow__tensorflow_lite_micro_models_keyword_scrambled',
  keyword_scrambled_8bit: 'field/tensorflow__tensorflow_lite_micro_models_keyword_scrambled_8bit',
  audio_preprocessor_int8:
    'field/tensorflow__tensorflow_lite_micro_examples_micro_speech_models_audio_preprocessor_int8',
};
const LSTM_MODELS = [FIELD.keras_lstm_mnist, FIELD.mnist_lstm_int8, FIELD.micro_speech_lstm, FIELD.dtln];
const EMULATED: CpuProfileName[] = ['cortex-m3', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55'];
/** Measured: the worst model is within ±6.2 % (image_example1 on the M7 and M33). */
const BOUND = 0.08;

describe('per-core cost model calibrated on the emulated boards', () => {
  // Rule: every emulated core has a calibration table covering all eight fixture models and the
  // seven field models with the sequence and audio ops (LSTM, SVDF, the signal library).
  it('the table holds every emulated core, every fixture model and the LSTM/SVDF/signal field models', () => {
    expect(Object.keys(CALIBRATION).sort()).toEqual([...EMULATED].sort());
    for (const core of EMULATED) {
      expect(Object.keys(CALIBRATION[core]).filter((m) => !m.startsWith('field/'))).toHaveLength(8);
      expect(
        Object.keys(CALIBRATION[core])
          .filter((m) => m.startsWith('field/'))
          .sort(),
      ).toEqual(Object.values(FIELD).sort());
    }
  });

  // Rule: for each emulated core, the estimate per fixture model is within ±15 % of the instructions
  // QEMU counted for that core's own kernels (estimate and measurement on one scale: instructions).
  for (const core of EMULATED)
    it(`${core}: each fixture model's estimate is within ±${BOUND * 100} % of its QEMU instruction count`, () => {
      const profile = cpuProfile(core);
      for (const [model, rows] of Object.entries(CALIBRATION[core])) {
        const w = work(model);
        // the table describes these very models, with the work the cost model computes from them
        expect(
          rows.map((r) => [r[1], r[3], r[4], r[5], r[6]]),
          model,
        ).toEqual(
          w.map((x) => [x.kernel ?? x.op, x.macs, x.outputElements, x.inputElements, x.outputPixels]),
        );
        const measured = rows.reduce((a, r) => a + r[2], 0);
        const est = estimateModel(profile, w).instructions;
        expect(Math.abs(est / measured - 1), `${model}: ${est} vs ${measured}`).toBeLessThan(BOUND);
      }
    });

  // Rule (issue 15): the cost model covers the sequence and audio ops with their own fitted
  // coefficients (not the generic seed), and on each emulated core the estimate of each field model
  // carrying them is within ±3 % of its QEMU instruction count. Measured: at most 1.0 %
  // (keyword_scrambled, SVDF with int16 state) on every core; the LSTM models within 0.5 %.
  for (const core of EMULATED)
    it(`${core}: LSTM, SVDF and signal-op field models within ±3 % of the QEMU count`, () => {
      const profile = cpuProfile(core);
      for (const op of [
        'UNIDIRECTIONAL_SEQUENCE_LSTM',
        'SVDF:int16 state',
        'SVDF:int8 state',
        'SignalRfft:int16>int16',
        'SignalFilterBank:uint32>uint64',
      ])
        expect(profile.ops[op]?.perMac, `${core} ${op}`).toBeGreaterThan(0);
      for (const model of Object.values(FIELD)) {
        const measured = CALIBRATION[core][model].reduce((a, r) => a + r[2], 0);
        const est = estimateModel(profile, work(model)).instructions;
        expect(Math.abs(est / measured - 1), `${model}: ${est} vs ${measured}`).toBeLessThan(0.03);
      }
    });

  // Rule (issue 15): the LSTM work measure scales: gate MACs (4 gates × (input + recurrent) per step ×
  // steps) plus the gate and cell updates per step and unit. Refitted without one LSTM model, its
  // LSTM layers are still within ±2 % on every core, across 1 to 49 steps, 20 to 128 units and 20 to
  // 257 inputs (measured: at most 0.7 %, micro_speech_lstm and dtln).
  it('leave one LSTM model out: its LSTM layers within ±2 % of their count', () => {
    for (const core of EMULATED)
      for (const model of LSTM_MODELS) {
        const rest = Object.fromEntries(Object.entries(CALIBRATION[core]).filter(([m]) => m !== model));
        const k = fitOps(calibrationRows(rest), () => ({ base: 100, perMac: 0, perOut: 20, perIn: 2 }))
          .UNIDIRECTIONAL_SEQUENCE_LSTM as unknown as Record<string, number>;
        let est = 0;
        let measured = 0;
        for (const r of calibrationRows({ [model]: CALIBRATION[core][model] }))
          if (r.op === 'UNIDIRECTIONAL_SEQUENCE_LSTM') {
            est += features(r).reduce((s, f, i) => s + (k[TERMS[i]] ?? 0) * f, 0);
            measured += r.instructions;
          }
        expect(measured, model).toBeGreaterThan(0);
        expect(Math.abs(est / measured - 1), `${core} ${model}`).toBeLessThan(0.02);
      }
  });

  // Rule: the fit generalizes: refitted without a model, that model's estimate is still within
  // ±12 % on the M3, M4, M7 and M33 (measured: at most 10.3 %, person_detect on the M3). The M55's
  // Helium kernels pick their layout by shape (output channels as lanes for 1×1 layers with fewer
  // than 16 input channels, 16-lane dot products otherwise, depthwise channels as lanes), so a model
  // held out takes shapes the other four barely show: measured +17.9 % (image_example1) and +28.9 %
  // (rock_paper_scissors); bound ±30 % there. Fitted on all models the M55 is within ±8 % (above). Not for
  // micro_speech_quantized (+47 to +60 %: its one DEPTHWISE_CONV_2D, depth multiplier 8 over one
  // channel with a 10x8 kernel, is unlike every other fixture's), simple_add_model and
  // autoencoder_example (ADD and some FULLY_CONNECTED shapes appear in no other model).
  it('leave one model out: each held-out model within ±12 % of its count (M55 with Helium: ±30 %)', () => {
    const held = [
      'hello_world_int8',
      'person_detect',
      'keyword_spotting_on_off',
      'image_example1',
      'rock_paper_scissors',
    ];
    for (const core of EMULATED)
      for (const model of held) {
        const rest = Object.fromEntries(Object.entries(CALIBRATION[core]).filter(([m]) => m !== model));
        const ops = fitOps(calibrationRows(rest), () => ({ base: 100, perMac: 0, perOut: 20, perIn: 2 }));
        let est = 0;
        let measured = 0;
        for (const r of calibrationRows({ [model]: CALIBRATION[core][model] })) {
          const k = ops[r.op] as unknown as Record<string, number>;
          est += features(r).reduce((s, f, i) => s + (k[TERMS[i]] ?? 0) * f, 0);
          measured += r.instructions;
        }
        expect(Math.abs(est / measured - 1), `${core} ${model}`).toBeLessThan(
          core === 'cortex-m55' ? 0.3 : 0.12,
        );
      }
  });

  // Rule: the estimate follows the kernel actually built for the core: the DSP kernels of the M4,
  // M7 and M33 need far fewer instructions on person_detect than the M3's portable C (measured 27 M
  // vs 38 M), and the M0+ (no emulated board) is the M3 fit times 1.6.
  it('DSP cores estimate fewer instructions than the portable M3; M0+ is the M3 fit x 1.6', () => {
    const w = work('person_detect');
    const m3 = estimateModel(cpuProfile('cortex-m3'), w).instructions;
    for (const core of ['cortex-m4', 'cortex-m7', 'cortex-m33'] as const)
      expect(estimateModel(cpuProfile(core), w).instructions / m3, core).toBeLessThan(0.8);
    const m0 = estimateModel(cpuProfile('cortex-m0plus'), w).instructions;
    expect(m0 / m3).toBeCloseTo(1.6, 2);
    expect(cpuProfile('cortex-m0plus').basis).toMatch(/no emulated cortex-m0plus/);
    expect(cpuProfile('cortex-m4').basis).toBe('cortex-m4 kernels on QEMU icount');
  });

  // Rule: time = cycles / clock, cycles = CPI × instructions; the clock comes from --mhz.
  it('cycles and milliseconds at the given clock', () => {
    const w = work('keyword_spotting_on_off');
    const at480 = estimateModel(cpuProfile('cortex-m7', 480), w);
    expect(at480.cycles).toBe(at480.layers.reduce((a, l) => a + Math.round(0.6 * l.instructions), 0));
    expect(at480.ms).toBeCloseTo(at480.cycles / 480_000, 9);
    expect(estimateModel(cpuProfile('cortex-m7', 240), w).ms).toBeCloseTo(2 * at480.ms, 9);
    expect(() => cpuProfile('cortex-m7', 0)).toThrow(/bad clock for CPU profile 'cortex-m7': 0 MHz/);
    expect(() => cpuProfile('cortex-m9' as CpuProfileName)).toThrow(/unknown CPU profile 'cortex-m9'/);
  });
});
