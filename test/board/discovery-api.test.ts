/**
 * The board calls of the API contract through `dispatch` (as Electron IPC and the WebSocket host
 * call them): boards.list, boards.profile as a job (progress events, cancel), report.export.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import type {
  ApiResult,
  BoardProfileResult,
  DiscoveredBoard,
  JobProgress,
  OpenedModel,
  ReportExportResult,
} from '../../src-main/shared/api.ts';
import { FIXTURES, fixturePath } from '../helpers/fixtures.ts';

// The fixtures stand in for files given on the command line (readable through the API).
const services = createServices({
  configDir: mkdtempSync(join(tmpdir(), 'qs-config-')),
  grantRead: [FIXTURES],
});
const handlers = createHandlers(services, { host: 'web', startupModel: null });
const progress: JobProgress[] = [];
services.jobs.onProgress((p) => progress.push(p));

async function call<T>(channel: string, args?: unknown): Promise<T> {
  const r = (await dispatch(handlers, channel, args)) as ApiResult<T>;
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value;
}

describe('boards.* and report.export over the API', () => {
  let micro: OpenedModel;
  let person: OpenedModel;
  beforeAll(async () => {
    micro = await call<OpenedModel>('model.open', {
      path: fixturePath('models', 'micro_speech_quantized.tflite'),
    });
    person = await call<OpenedModel>('model.open', { path: fixturePath('models', 'person_detect.tflite') });
  }, 60_000);
  afterAll(() => services.close());

  it('boards.list offers the virtual board', async () => {
    const boards = await call<DiscoveredBoard[]>('boards.list', { paths: [] });
    expect(boards[0]).toMatchObject({ id: 'virtual', kind: 'virtual', status: 'available' });
  });

  it('boards.profile runs as a job with progress; report.export writes or returns every format', async () => {
    const r = await call<BoardProfileResult>('boards.profile', {
      jobId: 'prof-1',
      board: 'virtual',
      modelId: micro.id,
      input: { seed: 1 },
    });
    expect(r.compare.allMatch).toBe(true);
    expect(r.compare.layers.map((l) => l.status)).toEqual(['match', 'match', 'match', 'match', 'match']);
    expect(r.tensors).toHaveLength(5);
    expect(
      r.tensors.every((t) => t.host.length === t.device.length && t.host.every((v, i) => v === t.device[i])),
    ).toBe(true);
    expect(r.upload.bytes).toBe(micro.sizeBytes);
    const mine = progress.filter((p) => p.id === 'prof-1');
    expect(mine.length).toBeGreaterThan(2);
    expect(mine.at(-1)).toMatchObject({ fraction: 1, message: 'All layers match' });

    const html = await call<ReportExportResult>('report.export', { reportId: r.reportId, format: 'html' });
    expect(html.fileName).toBe('micro_speech_quantized-virtual.html');
    expect(new TextDecoder().decode(html.data)).toContain('All 4 layers match bit for bit.');
    const path = join(mkdtempSync(join(tmpdir(), 'qs-api-')), 'out.csv');
    services.paths.grantWrite(path, { overwrite: false }); // as the save dialog does
    const csv = await call<ReportExportResult>('report.export', {
      reportId: r.reportId,
      format: 'csv',
      path,
    });
    expect(csv.path).toBe(path);
    expect(readFileSync(path, 'utf8').split('\r\n')[0]).toMatch(
      /^index,op,shape,mismatches,max_abs_diff_lsb,est_cycles,measured_cycles,measured_us/,
    );
  }, 120_000);

  it('jobs.cancel stops a profile mid-upload with CANCELLED; the board is usable right after', async () => {
    const started = progress.length;
    const p = call<BoardProfileResult>('boards.profile', {
      jobId: 'prof-2',
      board: 'virtual',
      modelId: person.id,
      input: { seed: 1 },
    });
    while (!progress.slice(started).some((x) => x.id === 'prof-2' && x.message.startsWith('Uploading')))
      await new Promise((ok) => setTimeout(ok, 5));
    expect(await call<boolean>('jobs.cancel', { id: 'prof-2' })).toBe(true);
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    const again = await call<BoardProfileResult>('boards.profile', {
      jobId: 'prof-3',
      board: 'virtual',
      modelId: person.id,
      input: { seed: 1 },
    });
    expect(again.compare.allMatch).toBe(true);
    expect(again.compare.layers).toHaveLength(32);
  }, 120_000);

  it('bad arguments and unknown ids are contract errors', async () => {
    await expect(
      call('boards.profile', { jobId: 'x', modelId: micro.id, input: { seed: 1 } }),
    ).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('"board"') });
    await expect(call('boards.list', undefined)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(call('report.export', { reportId: 'r999', format: 'html' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(call('report.export', { reportId: 'r1', format: 'docx' })).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
    });
    await expect(
      call('report.export', { reportId: 'r1', format: 'pdf', path: 'relative.pdf' }),
    ).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('absolute') });
    await expect(
      call('boards.profile', { jobId: 'y', board: '/dev/nope', modelId: micro.id, input: { seed: 1 } }),
    ).rejects.toMatchObject({
      code: 'IO',
      message: expect.stringContaining('cannot open serial port /dev/nope'),
    });
  }, 30_000);
});
