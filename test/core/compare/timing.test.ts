import { describe, expect, it } from 'vitest';
import {
  calibrateFromMeasurements,
  profileFor,
  profileLabel,
  ticksToTime,
  timingScales,
} from '../../../src-main/core/compare/index.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { cpuProfile, estimateModel } from '../../../src-main/core/simulate/cost-model.ts';
import { layerWork } from '../../../src-main/core/simulate/layer-work.ts';
import { readFixture } from '../../helpers/fixtures.ts';

describe('ticks → time', () => {
  it('converts with the tick clock and, when known, the CPU clock', () => {
    expect(ticksToTime(25_000, 25e6, 25e6)).toEqual({ ticks: 25_000, us: 1000, cycles: 25_000 });
    // SysTick at 1 MHz on an 80 MHz core: one tick is 80 cycles
    expect(ticksToTime(10, 1e6, 80e6)).toEqual({ ticks: 10, us: 10, cycles: 800 });
    expect(ticksToTime(1500, 1e9, 0)).toEqual({ ticks: 1500, us: 1.5 });
    expect(() => ticksToTime(1, 0, 0)).toThrow(/tick rate of 0 Hz/);
  });

  it('picks the board CPU profile at its clock, falling back for unknown CPUs', () => {
    expect(profileLabel(profileFor('cortex-m3', 25e6))).toBe('cortex-m3@25');
    expect(profileLabel(profileFor('host', 0))).toBe('cortex-m4@80');
    expect(profileLabel(profileFor('cortex-m7@480', 0))).toBe('cortex-m7@480');
    expect(() => profileFor('cortex-m4@abc', 0)).toThrow(/bad clock/);
  });
});

describe('calibrating the cost model from measurements', () => {
  const work = layerWork(readTflite(readFixture('models', 'person_detect.tflite')).subgraphs[0]);

  it('recovers per-op coefficients of a board that differs from the seed profile (person_detect)', () => {
    // A "board" whose depthwise and pointwise kernels are 35% / 20% slower than the seed model,
    // with per-layer overhead: measurements from that ground truth plus ±1% deterministic noise.
    const seed = cpuProfile('cortex-m3', 25);
    const truth = structuredClone(seed);
    // (a board calibration fits base, perMac and perOut: the truth has no per-position terms)
    const flat = { perPixel: 0, perGather: 0 };
    truth.ops.DEPTHWISE_CONV_2D = { ...truth.ops.DEPTHWISE_CONV_2D, ...flat, perMac: 42.3 * 1.35, base: 900 };
    truth.ops.CONV_2D = { ...truth.ops.CONV_2D, ...flat, perMac: 9.06 * 1.2, base: 700 };
    const measured = estimateModel(truth, work).layers.map((l, i) =>
      Math.round(l.cycles * (1 + 0.01 * Math.sin(i * 7))),
    );
    const cal = calibrateFromMeasurements(seed, work, measured);
    expect(cal.before.totalRelError).toBeGreaterThan(0.15);
    expect(cal.after.totalRelError).toBeLessThan(0.02);
    expect(cal.after.meanRelError).toBeLessThan(cal.before.meanRelError);
    expect(cal.profile.ops.DEPTHWISE_CONV_2D.perMac).toBeCloseTo(42.3 * 1.35, 0);
    expect(cal.profile.ops.CONV_2D.perMac).toBeCloseTo(9.06 * 1.2, 0);
    const dw = cal.perOp.find((p) => p.op === 'DEPTHWISE_CONV_2D')!;
    expect(dw.layers).toBe(14);
    expect(dw.meanRelError).toBeLessThan(0.03);
    expect(cal.estCycles).toHaveLength(work.length);
  });

  it('rejects mismatched inputs', () => {
    expect(() => calibrateFromMeasurements(cpuProfile('cortex-m3'), work, [1, 2])).toThrow(
      /layers but 2 measurements/,
    );
  });
});

describe('timing scales (issue 19: estimate vs measured compared only on one scale)', () => {
  // Rule: each side carries its unit and clock; "not comparable" names both units when they differ.
  it('virtual board: host µs vs M4 cycles is not comparable', () => {
    const virtual = {
      name: 'QuantScope virtual board',
      cpu: 'host',
      cpuHz: 0,
      tickSource: 'CLOCK_MONOTONIC',
    };
    expect(timingScales(virtual, profileFor('host', 0))).toEqual({
      measuredUnit: 'host µs',
      clockSource: 'host clock CLOCK_MONOTONIC',
      estUnit: 'M4 cycles',
      comparable: false,
      note: 'not comparable: host µs vs M4 cycles',
    });
  });
  // Rule: QEMU icount counts instructions; the M3 model (CPI 1) counts instructions: one scale.
  it('QEMU: instructions vs M3 instructions is comparable, vs M7 cycles is not', () => {
    const qemu = { name: 'mps2-an385 (QEMU)', cpu: 'cortex-m3', cpuHz: 1e9, tickSource: 'SysTick' };
    expect(timingScales(qemu, profileFor('cortex-m3', 1e9))).toMatchObject({
      measuredUnit: 'instructions',
      clockSource: 'QEMU icount',
      estUnit: 'M3 instructions',
      comparable: true,
    });
    expect(timingScales(qemu, profileFor('cortex-m7@216', 0)).note).toBe(
      'not comparable: QEMU M3 instructions vs M7 instructions',
    );
  });
  // Rule (issue 18): every emulated core is costed in its own instructions (fitted to its QEMU
  // counts), so a QEMU M4 profile with --cpu cortex-m4 is comparable whatever the clock given.
  it('QEMU M4: instructions vs M4 instructions is comparable at any --mhz', () => {
    const m4 = { name: 'mps2-an386 (QEMU)', cpu: 'cortex-m4', cpuHz: 1e9, tickSource: 'SysTick' };
    expect(timingScales(m4, profileFor('cortex-m4@168', 0))).toEqual({
      measuredUnit: 'instructions',
      clockSource: 'QEMU icount',
      estUnit: 'M4 instructions',
      comparable: true,
    });
    expect(timingScales(m4, profileFor('cortex-m4', 1e9)).comparable).toBe(true);
  });
  // Rule: a real board's cycles compare with an estimate for its own CPU only.
  it('hardware: M4 cycles vs M4 cycles is comparable, vs M0+ cycles is not', () => {
    const nucleo = { name: 'NUCLEO-F446RE', cpu: 'cortex-m4', cpuHz: 180e6, tickSource: 'DWT_CYCCNT' };
    expect(timingScales(nucleo, profileFor('cortex-m4', 180e6))).toMatchObject({
      measuredUnit: 'cycles',
      clockSource: 'DWT_CYCCNT at 180 MHz',
      comparable: true,
    });
    expect(timingScales(nucleo, profileFor('cortex-m0plus@48', 0)).note).toBe(
      'not comparable: M4 cycles vs M0+ cycles',
    );
  });
});
