/** Layer statistics, top-k, and the cost model (seeded from the measured Cortex-M3 anchors). */
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import {
  calibrate,
  cpuProfile,
  CPU_PROFILES,
  estimateModel,
} from '../../../src-main/core/simulate/cost-model.ts';
import { layerWork } from '../../../src-main/core/simulate/layer-work.ts';
import { layerStats, topK } from '../../../src-main/core/simulate/stats.ts';
import { readFixture } from '../../helpers/fixtures.ts';

describe('layerStats / topK', () => {
  it('int8: raw and real statistics, saturation, 256-bin histogram', () => {
    const s = layerStats(Int8Array.of(-128, -128, 0, 127), { scale: 0.5, zeroPoint: -128 });
    expect(s.min).toBe(-128);
    expect(s.max).toBe(127);
    expect(s.mean).toBe(-32.25);
    expect(s.saturatedLowPct).toBe(50);
    expect(s.saturatedHighPct).toBe(25);
    expect(s.real.min).toBe(0);
    expect(s.real.max).toBe(127.5);
    expect(s.histogram.counts.length).toBe(256);
    expect(s.histogram.counts[0]).toBe(2);
    expect(s.histogram.counts[255]).toBe(1);
    expect(s.std).toBeCloseTo(Math.sqrt((95.75 ** 2 * 2 + 32.25 ** 2 + 159.25 ** 2) / 4), 10);
  });

  it('float: histogram over [min, max]', () => {
    const s = layerStats(Float32Array.of(0, 1, 2, 3), null, 4);
    expect(s.histogram).toEqual({ lo: 0, hi: 3, counts: [1, 1, 1, 1] });
    expect(s.saturatedHighPct).toBe(0);
  });

  it('topK sorts descending, ties by index, with real values', () => {
    expect(topK(Int8Array.of(5, 9, 9, -3), 3, { scale: 0.5, zeroPoint: 1 })).toEqual([
      { index: 1, value: 9, real: 4 },
      { index: 2, value: 9, real: 4 },
      { index: 0, value: 5, real: 2 },
    ]);
  });
});

describe('cost model', () => {
  const work = (name: string) => layerWork(readTflite(readFixture('models', `${name}.tflite`)).subgraphs[0]);

  // Rule (issue 18): the M3 profile estimates the kernels QuantScope builds for the M3 (calibrated on
  // its emulated board: 37.9 M instructions), not TFLM's reference kernels (94.4 M, ANCHORS.md).
  it('person_detect on Cortex-M3: our portable kernels (~37.9 M instructions), under half of TFLM reference', () => {
    const est = estimateModel(cpuProfile('cortex-m3'), work('person_detect'));
    expect(Math.abs(est.instructions - 37.9e6) / 37.9e6).toBeLessThan(0.05);
    expect(est.instructions).toBeLessThan(94_433_600 / 2);
  });

  it('TRANSPOSE_CONV on Cortex-M3: each seanet transpose_conv field model within 15% of its measured instructions', () => {
    // rule: TRANSPOSE_CONV is costed per MAC (in_elems * kh * kw * out_c), fitted to the core's own
    // kernel: QEMU mps2-an385 SysTick ticks (1 tick = 40 instructions under -icount shift=0) from
    // make -C firmware core-bench-m3 with these models embedded
    const measuredTicks = [35844, 35671, 40268, 54278, 47517];
    measuredTicks.forEach((ticks, i) => {
      const name = `tensorflow__tensorflow_lite_micro_integration_tests_seanet_transpose_conv_transpose_conv${i}.tflite`;
      const w = layerWork(readTflite(readFixture('field', 'models', name)).subgraphs[0]);
      const est = estimateModel(cpuProfile('cortex-m3'), w);
      expect(Math.abs(est.cycles - ticks * 40) / (ticks * 40), name).toBeLessThan(0.15);
    });
  });

  it('every profile estimates every fixture model; faster cores need fewer cycles than M0+', () => {
    for (const p of CPU_PROFILES) {
      const est = estimateModel(cpuProfile(p, 100), work('keyword_spotting_on_off'));
      expect(est.cycles).toBeGreaterThan(0);
      expect(est.layers.length).toBe(7);
      expect(est.ms).toBeCloseTo(est.cycles / 100_000, 6);
    }
    const m0 = estimateModel(cpuProfile('cortex-m0plus'), work('image_example1')).cycles;
    const m7 = estimateModel(cpuProfile('cortex-m7'), work('image_example1')).cycles;
    expect(m7).toBeLessThan(m0);
  });

  it('calibrate recovers per-op coefficients from measurements', () => {
    const p = cpuProfile('cortex-m4');
    const truth = { base: 500, perMac: 3.3, perOut: 12 };
    const ms = [1e4, 5e4, 2e5, 7e5].map((macs, i) => {
      const outputElements = [100, 800, 1500, 4000][i];
      return {
        op: 'CONV_2D',
        macs,
        outputElements,
        inputElements: 0,
        cycles: p.cpi * (truth.base + truth.perMac * macs + truth.perOut * outputElements),
      };
    });
    const cal = calibrate(p, ms);
    expect(cal.ops.CONV_2D.perMac).toBeCloseTo(3.3, 6);
    expect(cal.ops.CONV_2D.perOut).toBeCloseTo(12, 4);
    expect(cal.ops.CONV_2D.base).toBeCloseTo(500, 2);
    expect(cal.ops.DEPTHWISE_CONV_2D).toEqual(p.ops.DEPTHWISE_CONV_2D);
    // one measurement: only perMac is refitted, base, perOut and perIn keep the profile's values
    const fc = p.ops.FULLY_CONNECTED;
    const one = calibrate(p, [
      {
        op: 'FULLY_CONNECTED',
        macs: 1000,
        outputElements: 10,
        inputElements: 100,
        cycles: p.cpi * (fc.base + 2 * 1000 + fc.perOut * 10 + fc.perIn * 100),
      },
    ]);
    expect(one.ops.FULLY_CONNECTED.perMac).toBeCloseTo(2, 6);
  });
});
