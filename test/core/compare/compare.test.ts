import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRun, deviceDump } from '../../../src-main/core/compare/index.ts';
import { profileAndCompare } from '../../../src-main/services/board/profile-compare.ts';
import type { BoardSession } from '../../../src-main/services/board/session.ts';
import { VirtualBoard } from '../../../src-main/services/board/virtual-board.ts';
import { readFixture, readGolden } from '../../helpers/fixtures.ts';
import { goldenCase } from './cases.ts';

describe('compareRun on fixture models against TFLite Micro goldens', () => {
  it.each(['micro_speech_quantized', 'person_detect', 'keyword_spotting_on_off'])(
    '%s: every layer matches',
    (name) => {
      const c = goldenCase(name);
      const r = compareRun(c);
      expect(r.allMatch).toBe(true);
      expect(r.firstDivergent).toBeNull();
      expect(r.layers[0]).toMatchObject({ index: -1, op: 'INPUT', status: 'match' });
      const ops = r.layers.filter((l) => l.index >= 0);
      expect(ops).toHaveLength(c.host.length);
      expect(ops.every((l) => l.status === 'match' && l.mismatches === 0 && l.maxAbsDiffLsb === 0)).toBe(
        true,
      );
      for (const o of r.outputs) {
        expect(o.rmse).toBe(0);
        expect(o.cosine).toBeCloseTo(1, 12);
        expect(o.top1Agree).toBe(true);
      }
      // ticks at the CPU clock: cycles = ticks, µs = ticks / 25
      expect(ops[1].measuredCycles).toBe(2000);
      expect(ops[1].measuredUs).toBeCloseTo(80, 9);
      expect(ops.reduce((s, l) => s + (l.share ?? 0), 0)).toBeCloseTo(1, 12);
      expect(r.timing.estCycles).toBe(ops.reduce((s, l) => s + (l.estCycles ?? 0), 0));
      expect(r.timing.estCycles).toBeGreaterThan(0);
    },
  );
});

describe('compareRun finds the first divergent layer', () => {
  it('a single flipped LSB in a middle layer of person_detect', () => {
    const c = goldenCase('person_detect');
    const k = 17;
    const bytes = c.device[k].bytes.slice();
    bytes[123] = (bytes[123] + 1) & 0xff; // +1 LSB (int8 wraps only at 127, not hit here)
    c.device[k] = { ...c.device[k], bytes };
    const r = compareRun(c);
    expect(r.allMatch).toBe(false);
    expect(r.firstDivergent).toBe(k);
    const row = r.layers.find((l) => l.index === k)!;
    expect(row).toMatchObject({ status: 'mismatch', mismatches: 1, maxDiffAt: 123 });
    expect(row.maxAbsDiffLsb).toBe(bytes[123] === 0x80 ? 255 : 1);
  });

  it('divergence from layer 2 onward: the first one is reported, later ones counted, outputs scored', () => {
    const c = goldenCase('micro_speech_quantized');
    for (let k = 2; k < c.device.length; k++) {
      const bytes = c.device[k].bytes.map((b) => (b ^ 0x04) & 0xff); // ±4 LSB everywhere
      c.device[k] = { ...c.device[k], bytes };
    }
    const r = compareRun(c);
    expect(r.firstDivergent).toBe(2);
    expect(r.layers.filter((l) => l.status === 'mismatch').map((l) => l.index)).toEqual(
      c.device.slice(2).map((d) => d.index),
    );
    expect(r.layers.find((l) => l.index === 2)!.maxAbsDiffLsb).toBe(4);
    expect(r.outputs[0].rmse).toBeGreaterThan(0);
  });

  it('a layer the board did not send is "missing" and counts as divergent', () => {
    const c = goldenCase('micro_speech_quantized');
    c.device = c.device.filter((d) => d.index !== 1);
    const r = compareRun(c);
    expect(r.firstDivergent).toBe(1);
    expect(r.layers.find((l) => l.index === 1)!.status).toBe('missing');
  });

  it('rejects a device tensor of the wrong size or identity with a clear error', () => {
    const c = goldenCase('micro_speech_quantized');
    c.device[0] = { ...c.device[0], bytes: c.device[0].bytes.subarray(1) };
    expect(() => compareRun(c)).toThrow(/layer 0 .*bytes, device sent/);
    const d = goldenCase('micro_speech_quantized');
    d.device[0] = { ...d.device[0], tensor: 999 };
    expect(() => compareRun(d)).toThrow(/board sent tensor 999.*different models/);
  });

  it('device dump is in the golden format and equals the TFLite Micro golden', () => {
    const c = goldenCase('micro_speech_quantized');
    const dump = deviceDump('micro_speech_quantized', 'test', c.hostInputs!, c.host, c.device);
    const golden = readGolden('micro_speech_quantized');
    const rows = (ts: typeof golden.op_outputs) =>
      ts.map((t) => [t.tensor, t.dtype, t.shape, t.data_b64]).sort((a, b) => +a[0] - +b[0]);
    expect(rows(dump.op_outputs)).toEqual(rows(golden.op_outputs));
    expect(dump.inputs[0].data_b64).toBe(golden.inputs[0].data_b64);
  });
});

describe('simulator vs the virtual board (real profile over the pty)', () => {
  let vb: VirtualBoard;
  let session: BoardSession;
  beforeAll(async () => {
    vb = await VirtualBoard.start();
    session = await vb.connect();
  }, 300_000);
  afterAll(async () => {
    await session?.link.close();
    await vb?.stop();
  });

  it.each(['hello_world_int8', 'micro_speech_quantized', 'person_detect'])(
    '%s: all layers match, ticks → µs',
    async (name) => {
      const fractions: number[] = [];
      const r = await profileAndCompare(session, {
        modelName: name,
        modelBytes: readFixture('models', `${name}.tflite`),
        input: { seed: 1 },
        onProgress: (f) => fractions.push(f),
      });
      const c = r.compare;
      expect(c.allMatch).toBe(true);
      expect(c.firstDivergent).toBeNull();
      expect(c.board.name).toBe('QuantScope virtual board');
      expect(c.board.tickHz).toBe(1e9);
      expect(c.model.sha256).toMatch(/^[0-9a-f]{64}$/);
      const ops = c.layers.filter((l) => l.index >= 0);
      expect(
        ops.every((l) => l.measuredTicks! > 0 && l.measuredUs! > 0 && l.measuredCycles === undefined),
      ).toBe(true);
      expect(c.timing.totalUs).toBeCloseTo(c.timing.totalTicks / 1000, 6);
      expect(fractions.at(-1)).toBe(1);
      const sorted = (ts: { tensor: number; data_b64: string }[]) =>
        ts.map((t) => [t.tensor, t.data_b64]).sort((a, b) => +a[0] - +b[0]);
      expect(sorted(r.deviceDump.op_outputs)).toEqual(sorted(readGolden(name).op_outputs));
    },
    120_000,
  );
});
