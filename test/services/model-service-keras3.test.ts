/**
 * The model service (what the UI's open dialog and drag-and-drop call) opens Keras 3 `.keras`
 * files by path and as dropped bytes, and turns a corrupt one into a typed error naming the file
 * and the problem.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import type { ApiResult, OpenedModel } from '../../src-main/shared/api.ts';
import { FIXTURES, fixturePath, readFixture } from '../helpers/fixtures.ts';

const config = mkdtempSync(join(tmpdir(), 'qs-config-'));
const services = createServices({ configDir: config, grantRead: [FIXTURES] });
const handlers = createHandlers(services, { host: 'web', startupModel: null });
afterAll(() => services.close());

function value<T>(r: ApiResult<unknown>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

describe('model service: Keras 3 .keras', () => {
  // Rule: every keras3 fixture opens (summary with layer table; the graph view draws from it),
  // format "keras", the Keras version in the description.
  it('opens every keras3 fixture by path', async () => {
    const expected: [string, number, string][] = [
      ['kws_cnn.keras', 13, 'keras 3.8.0'],
      ['har_lstm.keras', 3, 'keras 3.14.1'],
      ['effnetv2_cifar10.keras', 52, 'keras 3.8.0'],
    ];
    for (const [file, layers, version] of expected) {
      const m = value<OpenedModel>(
        await dispatch(handlers, 'model.open', { path: fixturePath('keras3', file) }),
      );
      expect(m.format).toBe('keras');
      expect(m.summary.layers).toHaveLength(layers);
      expect(m.summary.metadata.description).toContain(version);
      // The verdict beside the summary: the float conversion runs in the core (har_lstm's LSTMs as
      // UNIDIRECTIONAL_SEQUENCE_LSTM).
      expect(m.summary.interpreter?.runs).toBe(true);
    }
  });

  // Rule: dropped bytes open the same way as a path.
  it('opens dropped .keras bytes', async () => {
    const bytes = readFixture('keras3', 'kws_cnn.keras');
    const m = value<OpenedModel>(await dispatch(handlers, 'model.open', { name: 'kws_cnn.keras', bytes }));
    expect(m.summary.totals.params).toBe(25_772);
  });

  // Rule: a truncated .keras is MALFORMED_MODEL with the file name and the zip problem.
  it('a truncated .keras is a MALFORMED_MODEL error naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-bad-keras-'));
    const path = join(dir, 'cut.keras');
    writeFileSync(path, readFixture('keras3', 'kws_cnn.keras').subarray(0, 100_000));
    services.paths.grantRead(dir);
    const r = await dispatch(handlers, 'model.open', { path });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('MALFORMED_MODEL');
    expect(r.error.message).toMatch(
      /^cut\.keras: Not a Keras \.keras model: the zip archive is truncated or corrupt/,
    );
  });
});
