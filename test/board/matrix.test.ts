/**
 * The several-board matrix (core/compare/matrix.ts) on real boards: the virtual board and the test
 * build whose FULLY_CONNECTED rounds down (`make -C firmware host-broken`), profiled with the same
 * input. The host and the good board are identical; the broken board differs from both from the
 * first FULLY_CONNECTED on, by 1 LSB; and the matrix's files (JSON round trip, HTML) say the same.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareMatrix, type MatrixBoardRun } from '../../src-main/core/compare/matrix.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { findPair, matrixHtml, matrixJson, parseMatrixJson } from '../../src-main/core/report/matrix.ts';
import { buildFirmware, firmwareDir } from '../../src-main/services/board/firmware.ts';
import {
  profileAndCompare,
  type ProfileCompareResult,
} from '../../src-main/services/board/profile-compare.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { readFixture } from '../helpers/fixtures.ts';

const run = promisify(execFile);
const NAME = 'keyword_spotting_on_off.tflite';

async function profileOn(executable: string): Promise<ProfileCompareResult> {
  const vb = await VirtualBoard.start({ executable });
  try {
    const session = await vb.connect();
    try {
      return await profileAndCompare(session, {
        modelName: NAME,
        modelBytes: readFixture('models', NAME),
        input: { seed: 1 },
      });
    } finally {
      await session.link.close();
    }
  } finally {
    await vb.stop();
  }
}

describe('comparison matrix of a good and a broken board', () => {
  let good: ProfileCompareResult;
  let broken: ProfileCompareResult;
  beforeAll(async () => {
    await run('make', ['-s', '-C', firmwareDir(), 'host-broken'], { timeout: 300_000 });
    [good, broken] = await Promise.all([
      profileOn(await buildFirmware('host')),
      profileOn(join(firmwareDir(), 'build', 'host-broken', 'qs-board')),
    ]);
  }, 300_000);

  // rule: pairs compare every op output; identical sets say so, a wrong kernel is found at its first layer
  it('host = virtual; broken differs from both at the first FULLY_CONNECTED by 1 LSB', () => {
    const ops = readTflite(readFixture('models', NAME)).subgraphs[0].operators.map((o) => o.op);
    const firstFc = ops.indexOf('FULLY_CONNECTED');
    const runs: MatrixBoardRun[] = [
      { id: 'virtual', seconds: 1, result: { compare: good.compare, device: good.device } },
      { id: 'broken', seconds: 1, result: { compare: broken.compare, device: broken.device } },
      { id: 'gone', seconds: 0.5, error: 'cannot open serial port /dev/ttyACM9' },
    ];
    const m = compareMatrix(good.host.layers, runs);
    expect(m.pairs.map((p) => `${p.a}/${p.b}`)).toEqual(['host/virtual', 'host/broken', 'virtual/broken']);
    expect(findPair(m, 'virtual', 'host')).toEqual({
      a: 'host',
      b: 'virtual',
      identicalLayers: ops.length,
      differingLayers: 0,
      firstDivergent: null,
      maxAbsDiff: 0,
    });
    for (const other of ['host', 'virtual']) {
      const p = findPair(m, other, 'broken')!;
      expect(p.firstDivergent).toBe(firstFc);
      expect(p.maxAbsDiff).toBe(1);
      // the same count as the board's own comparison with the host (every layer before firstFc and any after it that happens to agree)
      const matching = broken.compare.layers.filter((l) => l.index >= 0 && l.status === 'match').length;
      expect(matching).toBeGreaterThanOrEqual(firstFc);
      expect(p.identicalLayers).toBe(matching);
      expect(p.identicalLayers + p.differingLayers).toBe(ops.length);
    }
    // the broken board's own host comparison agrees with its pair against the host
    expect(m.boards[1]).toMatchObject({ id: 'broken', allMatch: false, firstDivergent: firstFc });
    expect(m.boards[2]).toEqual({ id: 'gone', seconds: 0.5, error: 'cannot open serial port /dev/ttyACM9' });
    expect(m.layers.map((l) => l.op)).toEqual(ops);
    expect(m.layers.every((l) => l.us[0] !== null && l.us[1] !== null && l.us[2] === null)).toBe(true);

    // rule: what the JSON file says is what the compare view reads back
    const meta = { generatedAt: '2026-01-01T00:00:00Z', tool: 'QuantScope test' };
    expect(parseMatrixJson(matrixJson(m, meta), 'm.json')).toEqual(JSON.parse(JSON.stringify(m)));
    const html = matrixHtml(m, meta);
    expect(html).toContain(`<td class="diff">differ from layer ${firstFc}: `);
    expect(html).toContain('cannot open serial port /dev/ttyACM9');
  });
});
