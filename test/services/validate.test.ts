/**
 * Boundary validation under arbitrary input: whatever a renderer or a browser sends, `dispatch`
 * answers with an ApiResult carrying a contract error code — it never throws, never reports an
 * INTERNAL error, and never reaches a handler with an argument of the wrong shape.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import { CHANNELS } from '../../src-main/shared/api.ts';

const services = createServices({ configDir: mkdtempSync(join(tmpdir(), 'qs-config-')) });
const handlers = createHandlers(services, { host: 'web', startupModel: null });
afterAll(() => services.close());

// MALFORMED_MODEL: a well-formed {name, bytes} whose bytes are not a model.
const EXPECTED = new Set([
  'BAD_ARGUMENT',
  'UNKNOWN_CHANNEL',
  'NOT_FOUND',
  'NOT_AVAILABLE',
  'MALFORMED_MODEL',
  'FORBIDDEN_PATH',
]);

/** Values shaped like the real arguments, with wrong types and extra keys mixed in. */
const nearValid = fc.oneof(
  fc.anything(),
  fc.record({ path: fc.oneof(fc.string(), fc.anything()) }, { requiredKeys: [] }),
  fc.record({ name: fc.anything(), bytes: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.anything()) }),
  fc.record({ id: fc.oneof(fc.string(), fc.anything()) }),
  fc.record({
    jobId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), fc.anything()),
    modelId: fc.oneof(fc.uuid(), fc.anything()),
    input: fc.oneof(fc.record({ seed: fc.anything() }), fc.record({ files: fc.anything() }), fc.anything()),
    cpu: fc.oneof(fc.constantFrom('cortex-m4', 'cortex-m7@480', 'x'), fc.anything()),
  }),
);

describe('dispatch under arbitrary arguments', () => {
  it('answers every channel with a contract error, never a crash', async () => {
    const channels = fc.oneof(fc.constantFrom(...CHANNELS.filter((c) => c !== 'app.info')), fc.string());
    await fc.assert(
      fc.asyncProperty(channels, nearValid, async (channel, args) => {
        const r = await dispatch(handlers, channel, args);
        if (r.ok) {
          // Only calls whose validated argument is harmless can succeed with random input.
          expect(['model.recent', 'model.examples', 'model.close', 'jobs.cancel']).toContain(channel);
          return;
        }
        expect(EXPECTED, `${channel} ${r.error.code}: ${r.error.message}`).toContain(r.error.code);
        expect(typeof r.error.message).toBe('string');
      }),
      { numRuns: 1500 },
    );
  });

  it('boards.profile: resetState must be a boolean', async () => {
    // rule: the stream option crosses the boundary as true/false only, named when it is not
    const args = { jobId: 'j1', board: 'virtual', modelId: 'm1', input: { seed: 1 }, resetState: 'yes' };
    const r = await dispatch(handlers, 'boards.profile', args);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('BAD_ARGUMENT');
      expect(r.error.message).toMatch(/"resetState" must be true or false/);
    }
  });
});
