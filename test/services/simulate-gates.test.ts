/**
 * `simulate.run` on an LSTM model through the contract: the result carries, per
 * UNIDIRECTIONAL_SEQUENCE_LSTM layer, its gates and cell state at every time step (what the layer
 * detail shows) and the saturated fraction per gate.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import type { ApiResult, OpenedModel, SimulateResult } from '../../src-main/shared/api.ts';
import { FIXTURES, fixturePath } from '../helpers/fixtures.ts';

const services = createServices({
  configDir: mkdtempSync(join(tmpdir(), 'qs-config-')),
  grantRead: [FIXTURES],
});
const handlers = createHandlers(services, { host: 'web', startupModel: null });
afterAll(() => services.close());

function ok<T>(r: ApiResult<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

async function simulate(file: string): Promise<SimulateResult> {
  const m = ok<OpenedModel>(
    await dispatch(handlers, 'model.open', { path: fixturePath('field', 'models', file) }),
  );
  return ok<SimulateResult>(
    await dispatch(handlers, 'simulate.run', {
      jobId: `gates-${file.length}`,
      modelId: m.id,
      input: { seed: 3 },
    }),
  );
}

describe('simulate.run: LSTM gates', () => {
  it('mnist_lstm int8: 28 steps x 20 units per gate, sigmoid gates in [0, 1], saturation counted', async () => {
    const r = await simulate(
      'tensorflow__tensorflow_lite_micro_examples_mnist_lstm_trained_lstm_int8.tflite',
    );
    // rule: one entry per LSTM layer, each gate steps x units values (batch row 0, time-major)
    expect(r.gates?.map((g) => [g.index, g.steps, g.units])).toEqual([[0, 28, 20]]);
    const g = r.gates![0];
    for (const k of ['forget', 'input', 'cell', 'output', 'cellState'] as const)
      expect(g[k].length).toBe(28 * 20);
    // rule: sigmoid gates are fractions, the tanh cell gate lies in [-1, 1]
    for (const k of ['forget', 'input', 'output'] as const)
      expect(g[k].every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(g.cell.every((v) => Math.abs(v) <= 1)).toBe(true);
    // rule: saturation is the fraction of activations at the rails, per gate
    const railed = g.forget.filter((v) => v < 0.01 || v > 0.99).length;
    expect(g.saturation.forget).toBeCloseTo(railed / (28 * 20), 12);
  });

  it('a model without LSTM layers has no gates in its result', async () => {
    const r = await simulate(
      'tensorflow__tensorflow_lite_micro_examples_hello_world_models_hello_world_int8.tflite',
    );
    // rule: gates are reported only for UNIDIRECTIONAL_SEQUENCE_LSTM layers
    expect(r.gates).toBeUndefined();
  });
});
