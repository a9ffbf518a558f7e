/** Graph overlays (issue 19 item 6): per-layer values drawn as colour, and "no data" said plainly. */
import { describe, expect, it } from 'vitest';
import type { CompareResult, LayerComparison } from '../../src-main/core/compare/types.ts';
import { summarize } from '../../src-main/core/model/summary.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { buildOverlay, overlayColor } from '../../src-renderer/lib/graph-overlay.ts';
import { readFixture } from '../helpers/fixtures.ts';

const summary = summarize(readTflite(readFixture('models', 'hello_world_int8.tflite')));

/** A hand-made comparison of hello_world's 3 FULLY_CONNECTED layers plus its input row. */
function comparison(): CompareResult {
  const row = (index: number, status: LayerComparison['status'], lsb: number, us?: number, est?: number) =>
    ({ index, status, maxAbsDiffLsb: lsb, measuredUs: us, estCycles: est }) as LayerComparison;
  return {
    layers: [
      row(-1, 'match', 0),
      row(0, 'match', 0, 2, 100),
      row(1, 'mismatch', 3, 5, 300),
      row(2, 'not-compared', 9),
    ],
    firstDivergent: 1,
    timing: {
      totalTicks: 7,
      totalUs: 7,
      measuredUnit: 'cycles',
      clockSource: 'DWT_CYCCNT at 80 MHz',
      profile: 'cortex-m4@80',
    },
  } as unknown as CompareResult;
}

describe('buildOverlay', () => {
  // rule: an overlay without data says why instead of drawing nothing
  it('no profile, no simulation', () => {
    for (const kind of ['mismatch', 'measured', 'estimated'] as const) {
      const o = buildOverlay(kind, { summary, compare: null, simulate: null });
      expect(o.values.size).toBe(0);
      expect(o.empty).toMatch(/No (board profile|cycle estimate)/);
    }
  });
  // rule: mismatch = max |Δ| LSB per op; model-input rows and not-compared layers are not drawn;
  // the first divergent layer is carried for the marker
  it('mismatch', () => {
    const o = buildOverlay('mismatch', { summary, compare: comparison(), simulate: null });
    expect([...o.values]).toEqual([
      [0, 0],
      [1, 3],
    ]);
    expect([o.min, o.max, o.firstDivergent, o.empty]).toEqual([0, 3, 1, null]);
    expect(o.format(3)).toBe('3 LSB');
  });
  // rule: measured time names its unit and clock source; the estimate falls back to the profile's
  it('measured and estimated carry their source', () => {
    const m = buildOverlay('measured', { summary, compare: comparison(), simulate: null });
    expect(m.values.get(1)).toBe(5);
    expect(m.source).toBe('cycles, DWT_CYCCNT at 80 MHz');
    const e = buildOverlay('estimated', { summary, compare: comparison(), simulate: null });
    expect(e.values.get(1)).toBe(300);
    expect(e.source).toBe('cortex-m4@80');
  });
  // rule: tensor size = output elements × dtype bytes (hello_world int8 FC outputs: 16, 16, 1)
  it('size', () => {
    const o = buildOverlay('size', { summary, compare: null, simulate: null });
    expect([...o.values.values()]).toEqual(
      summary.layers.map((l) => l.outputs[0].shape.reduce((a, b) => a * b)),
    );
    expect(o.values.get(2)).toBe(1);
  });
  // rule: the colour ramp runs pale yellow (min) to red (max); a constant overlay is all min colour
  it('colour ramp', () => {
    expect(overlayColor(0, 0, 10)).toBe('hsl(55 90% 85%)');
    expect(overlayColor(10, 0, 10)).toBe('hsl(0 90% 50%)');
    expect(overlayColor(4, 4, 4)).toBe(overlayColor(0, 0, 1));
  });
});
