/**
 * Raw sensor input through `boards.profile` (as Electron IPC and the WebSocket host call it) and
 * through profileAndCompare on a virtual board: the "input" row compares the host's normalization
 * with the tensor the board computed itself (READ_INPUT), so a host that normalized a different
 * sample must show up as an input mismatch.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostSide } from '../../src-main/core/compare/index.ts';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import { profileAndCompare, rawProfileInputs } from '../../src-main/services/board/profile-compare.ts';
import type { BoardSession } from '../../src-main/services/board/session.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import type { ApiResult, BoardProfileResult, OpenedModel } from '../../src-main/shared/api.ts';
import { FIXTURES, fixturePath } from '../helpers/fixtures.ts';
import { hostInputTensor, rawInput, rpsModel } from './raw-input-check.ts';
import { constantFrame, npy, personFrame } from './raw-profile-samples.ts';

// The fixtures stand in for files given on the command line (readable through the API).
const services = createServices({
  configDir: mkdtempSync(join(tmpdir(), 'qs-config-')),
  grantRead: [FIXTURES],
});
const handlers = createHandlers(services, { host: 'web', startupModel: null });

async function call<T>(channel: string, args?: unknown): Promise<T> {
  const r = (await dispatch(handlers, channel, args)) as ApiResult<T>;
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value;
}

const m = rpsModel();

describe('boards.profile with raw samples', () => {
  let rps: OpenedModel;
  beforeAll(async () => {
    rps = await call<OpenedModel>('model.open', {
      path: fixturePath('models', 'rock_paper_scissors.tflite'),
    });
  }, 60_000);
  afterAll(() => services.close());

  it.each([
    ['a camera frame as .npy', 'person.npy', () => npy('|u1', [84, 84], personFrame()), undefined, 'uint8'],
    [
      'constant uint16 bare samples',
      'const.u16',
      () => rawInput(m.model, 'uint16', 'constant').data,
      'uint16',
      'uint16',
    ],
  ] as const)(
    'rps, %s: the input row and all 12 ops match; the board tensor is the host normalization',
    async (_what, name, bytes, dtype, sampleType) => {
      const sample = { name, bytes: bytes(), ...(dtype ? { dtype } : {}) };
      const r = await call<BoardProfileResult>('boards.profile', {
        jobId: `raw-${name.replace('.', '-')}`,
        board: 'virtual',
        modelId: rps.id,
        input: { raw: [sample] },
      });
      const c = r.compare;
      expect(c.input).toContain(`raw ${name} (${sampleType}): (x - mean) / (population std + 1e-6)`);
      expect(c.layers[0]).toMatchObject({ index: -1, op: 'INPUT', status: 'match', mismatches: 0 });
      expect(c.layers).toHaveLength(13);
      expect(c.allMatch).toBe(true);
      const samples = dtype ? sample.bytes : personFrame();
      const want = hostInputTensor(m.model, { dtype: sampleType, data: samples });
      expect(r.tensors[0].index).toBe(-1);
      expect(Buffer.from(r.tensors[0].device).equals(Buffer.from(want))).toBe(true);
      expect(Buffer.from(r.tensors[0].host).equals(Buffer.from(want))).toBe(true);
    },
    240_000,
  );

  it('names the problem: no normalization parameters, a bad dtype, not a .npy', async () => {
    const hello = await call<OpenedModel>('model.open', {
      path: fixturePath('models', 'hello_world_int8.tflite'),
    });
    const args = (modelId: string, sample: object) => ({
      jobId: 'raw-bad',
      board: 'virtual',
      modelId,
      input: { raw: [sample] },
    });
    await expect(
      call('boards.profile', args(hello.id, { name: 'x.npy', bytes: npy('|u1', [1], new Uint8Array(1)) })),
    ).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringContaining('this model has neither'),
    });
    await expect(
      call('boards.profile', args(rps.id, { name: 'x', bytes: new Uint8Array(4), dtype: 'int32' })),
    ).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringContaining('"input.raw[0].dtype"'),
    });
    await expect(
      call('boards.profile', args(rps.id, { name: 'x.bin', bytes: new Uint8Array(7056) })),
    ).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: 'x.bin: raw input must be a .npy file (or give the dtype of bare samples)',
    });
  }, 60_000);
});

describe('profileAndCompare with raw samples', () => {
  let vb: VirtualBoard;
  let board: BoardSession;
  beforeAll(async () => {
    vb = await VirtualBoard.start();
    board = await vb.connect();
  }, 300_000);
  afterAll(async () => {
    await board?.link.close();
    await vb?.stop();
  });

  it('the input row is the board’s own tensor: a host that normalized another sample mismatches', async () => {
    const sent = [{ name: 'person.npy', bytes: npy('|u1', [84, 84], personFrame()) }];
    // the host side normalizes a constant frame instead (all zeros after mean/std)
    const other = rawProfileInputs(m.bytes, [
      { name: 'c.npy', bytes: npy('|u1', [84, 84], constantFrame(7)) },
    ]);
    const r = await profileAndCompare(
      board,
      { modelName: 'rps', modelBytes: m.bytes, input: { raw: sent } },
      async (spec) => hostSide({ ...spec, input: { files: [other.hostBin] } }),
    );
    const input = r.compare.layers[0];
    expect(input).toMatchObject({ index: -1, op: 'INPUT', status: 'mismatch' });
    expect(input.mismatches).toBeGreaterThan(7000); // nearly every one of 7056 elements differs
    const want = hostInputTensor(m.model, { dtype: 'uint8', data: personFrame() });
    expect(Buffer.from(r.deviceInputs[0]).equals(Buffer.from(want))).toBe(true);
  }, 120_000);
});
