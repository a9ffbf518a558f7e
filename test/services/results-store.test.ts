/**
 * The session's results (issue 19 "results stay") through the contract: simulations, board
 * profiles (virtual board) and quantization reports are kept by model content, listed, fetched
 * whole and compared two at a time with the compare core's element diff; the store is bounded.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, createServices, dispatch } from '../../src-main/services/api/handlers.ts';
import { ResultsStore } from '../../src-main/services/results/results-store.ts';
import type {
  ApiError,
  ApiResult,
  BoardProfileResult,
  OpenedModel,
  QuantizeRunResult,
  ResultsComparison,
  ResultsList,
  SimulateLayerTensor,
  SimulateResult,
  StoredResult,
} from '../../src-main/shared/api.ts';
import { augmentedPhotos } from '../core/quantize/calibration-data.ts';
import { FIXTURES, fixturePath, readFixture } from '../helpers/fixtures.ts';

const services = createServices({
  configDir: mkdtempSync(join(tmpdir(), 'qs-config-')),
  grantRead: [FIXTURES],
});
const handlers = createHandlers(services, { host: 'web', startupModel: null });
afterAll(() => services.close());

async function call<T>(channel: string, args?: unknown): Promise<T> {
  const r = (await dispatch(handlers, channel, args)) as ApiResult<T>;
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value;
}

async function failure(channel: string, args?: unknown): Promise<ApiError> {
  const r = await dispatch(handlers, channel, args);
  if (r.ok) throw new Error(`${channel} succeeded`);
  return r.error;
}

const SPEECH = { path: fixturePath('models', 'micro_speech_quantized.tflite') };
const open = (args: unknown) => call<OpenedModel>('model.open', args);
const simulate = (modelId: string, seed: number, cpu: string) =>
  call<SimulateResult>('simulate.run', {
    jobId: `sim-${seed}-${cpu.replace(/\W/g, '-')}`,
    modelId,
    input: { seed },
    cpu,
  });
const profile = (modelId: string, seed: number) =>
  call<BoardProfileResult>('boards.profile', {
    jobId: `prof-${seed}`,
    board: 'virtual',
    modelId,
    input: { seed },
  });
const idOf = (list: ResultsList, kind: string, label: RegExp) =>
  list.entries.find((e) => e.kind === kind && label.test(e.label))!.id;

describe('results of simulations and profiles', () => {
  let speech: OpenedModel;
  let sim1: SimulateResult;
  let sim2: SimulateResult;
  let prof: BoardProfileResult;
  let list: ResultsList;

  beforeAll(async () => {
    speech = await open(SPEECH);
    sim1 = await simulate(speech.id, 1, 'cortex-m4@80');
    sim2 = await simulate(speech.id, 2, 'cortex-m7');
    prof = await profile(speech.id, 1);
    await profile(speech.id, 1);
    // another model, then the first one again: a new id, the same bytes
    await call('model.close', { id: speech.id });
    const other = await open({ path: fixturePath('models', 'hello_world_int8.tflite') });
    await simulate(other.id, 1, 'cortex-m4');
    speech = await open(SPEECH);
    list = await call<ResultsList>('results.list', { modelId: speech.id });
  }, 120_000);

  it('keeps every result of a model by content, across a model switch, newest first', () => {
    // rule: results survive a model switch (kept by the model's sha256, not by its open id)
    const mine = list.entries.filter((e) => e.forModel);
    expect(mine.map((e) => e.kind)).toEqual(['profile', 'profile', 'simulation', 'simulation']);
    expect(mine.every((e) => e.modelName === 'micro_speech_quantized.tflite')).toBe(true);
    expect(new Set(mine.map((e) => e.modelSha256))).toEqual(new Set([list.modelSha256]));
    // rule: other models' results are listed too, not marked as this model's
    const others = list.entries.filter((e) => !e.forModel);
    expect(others.map((e) => [e.kind, e.modelName])).toEqual([['simulation', 'hello_world_int8.tflite']]);
    expect(list.entries[0].id).toBe(others[0].id); // newest first
    // rule: the summary carries where it ran, on what input and its headline
    const p = mine[0];
    expect(p.input).toBe('seed 1');
    expect(p.headline).toBe(prof.compare.verdict?.text);
    expect(mine.find((e) => /cortex-m7/.test(e.label))).toMatchObject({ where: 'host', input: 'seed 2' });
  });

  it('gives a kept result back whole', async () => {
    // rule: results.get returns what the call returned (reopened in its view as it was)
    const s = await call<StoredResult>('results.get', { id: idOf(list, 'simulation', /cortex-m4@80/) });
    expect(s.kind).toBe('simulation');
    if (s.kind !== 'simulation') return;
    expect(s.simulation.outputs).toEqual(sim1.outputs);
    expect(s.simulation.layers.map((l) => l.est_cycles)).toEqual(sim1.layers.map((l) => l.est_cycles));
    const p = await call<StoredResult>('results.get', {
      id: list.entries.find((e) => e.kind === 'profile')!.id,
    });
    if (p.kind !== 'profile') throw new Error(p.kind);
    expect(p.profile.compare.layers.map((l) => l.status)).toEqual(prof.compare.layers.map((l) => l.status));
    // rule: an unknown or evicted result is NOT_FOUND with its id
    expect(await failure('results.get', { id: 'res-999' })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('compares a simulation with a profile of the same input: every layer identical, timing not comparable', async () => {
    const c = await call<ResultsComparison>('results.compare', {
      a: idOf(list, 'simulation', /cortex-m4@80/),
      b: list.entries.find((e) => e.kind === 'profile')!.id,
    });
    // rule: the virtual board runs the host's core, so its outputs equal the simulation's on every layer
    expect(prof.compare.allMatch).toBe(true);
    expect(c.layers.map((l) => l.op)).toEqual(sim1.layers.map((l) => l.op));
    expect(c.layers.every((l) => l.outputs?.mismatches === 0 && l.outputs.unit === 'LSB')).toBe(true);
    expect([c.identicalLayers, c.differingLayers, c.firstDivergent]).toEqual([sim1.layers.length, 0, null]);
    // rule: estimated M4 cycles and host µs are not on one scale — no ratio, a note naming both
    expect(c.timing.comparable).toBe(false);
    expect(c.timing.note).toBe(`not comparable: ${c.timing.unitA} vs ${c.timing.unitB}`);
    expect(c.timing.unitA).toBe('cortex-m4@80 cycles (estimate)');
    expect(c.timing.unitB).toMatch(/host µs/);
    expect(c.layers.some((l) => l.timeRatio !== undefined)).toBe(false);
    // each side's own numbers: the estimate on A, the measured time and host verdict on B
    expect(c.layers.map((l) => l.a?.estCycles)).toEqual(sim1.layers.map((l) => l.est_cycles));
    expect(c.layers.map((l) => l.b?.status)).toEqual(c.layers.map(() => 'match'));
  });

  it('compares two inputs: the output layer differs by what the two outputs differ by', async () => {
    const c = await call<ResultsComparison>('results.compare', {
      a: idOf(list, 'simulation', /cortex-m4@80/),
      b: idOf(list, 'simulation', /cortex-m7/),
    });
    // rule: per-layer output differences are |A − B| over the layer's elements (LSB, same quantization)
    const a = sim1.outputs[0].values;
    const b = sim2.outputs[0].values;
    const last = c.layers.at(-1)!;
    expect(last.outputs).toMatchObject({
      elements: a.length,
      mismatches: a.filter((v, i) => v !== b[i]).length,
      maxAbsDiff: Math.max(...a.map((v, i) => Math.abs(v - b[i]))),
      unit: 'LSB',
    });
    expect(c.differingLayers).toBeGreaterThan(0);
    expect(c.firstDivergent).toBe(c.layers.find((l) => l.outputs!.mismatches > 0)!.index);
    // rule: two estimates from different CPU profiles are not one scale either
    expect(c.timing.comparable).toBe(false);
  });

  it('compares two profiles on one board: one scale, so per-layer time ratios', async () => {
    const [p2, p1] = list.entries.filter((e) => e.kind === 'profile');
    const c = await call<ResultsComparison>('results.compare', { a: p1.id, b: p2.id });
    expect(c.timing.comparable).toBe(true);
    expect(c.timing.unitA).toBe(c.timing.unitB);
    const timed = c.layers.filter((l) => (l.a?.measuredUs ?? 0) > 0 && l.b?.measuredUs !== undefined);
    expect(timed.length).toBeGreaterThan(0);
    // rule: the ratio is B's time over A's, only when both are on one scale
    for (const l of timed) expect(l.timeRatio).toBeCloseTo(l.b!.measuredUs! / l.a!.measuredUs!, 9);
    expect(c.differingLayers).toBe(0);
    expect(c.crossModel).toBe(false);
    // rule: a result is not compared with itself
    expect(await failure('results.compare', { a: p1.id, b: p1.id })).toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  it('answers simulate.layer for a kept run after the tap store let it go', async () => {
    const first = await simulate(speech.id, 3, 'cortex-m4');
    const want = await call<SimulateLayerTensor>('simulate.layer', { runId: first.runId, layer: 2 });
    for (let i = 0; i < 9; i++) await simulate(speech.id, 10 + i, 'cortex-m4');
    // rule: the tap store keeps 8 runs; the session's results still hold the evicted run's outputs
    expect(services.simulate.taps.has(first.runId!)).toBe(false);
    const got = await call<SimulateLayerTensor>('simulate.layer', { runId: first.runId, layer: 2 });
    expect(got.data).toEqual(want.data);
  }, 60_000);

  it('names bad and unknown arguments', async () => {
    // rule: bad input is a clear BAD_ARGUMENT naming the field; an unknown model is NOT_FOUND
    expect(await failure('results.list', {})).toMatchObject({
      code: 'BAD_ARGUMENT',
      detail: { field: 'modelId' },
    });
    expect(await failure('results.list', { modelId: 'no-such-model' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await failure('results.compare', { a: 'res-1' })).toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});

function npyImages(n: number): { name: string; bytes: Uint8Array }[] {
  return augmentedPhotos(96, n, 9).map((p, i) => {
    let h = "{'descr': '<f4', 'fortran_order': False, 'shape': (96, 96, 1), }";
    h += ' '.repeat((64 - ((11 + h.length) % 64)) % 64) + '\n';
    const b = new Uint8Array(10 + h.length + p.byteLength);
    b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]);
    b.set(new TextEncoder().encode(h), 10);
    b.set(new Uint8Array(p.buffer), 10 + h.length);
    return { name: `s${i}.npy`, bytes: b };
  });
}

describe('results of quantization', () => {
  it('keeps reports under the float model and the int8 model made; compares two by layer name', async () => {
    const float = await open({ path: fixturePath('float', 'image_example1.float32.tflite') });
    const data = { files: npyImages(6) };
    const q = (method: string) =>
      call<QuantizeRunResult>('quantize.run', {
        jobId: `q-${method}`,
        model: { modelId: float.id },
        data,
        method,
      });
    const minmax = await q('minmax');
    const pct = await q('percentile');
    // rule: the int8 model a quantize run made finds its report when opened
    const int8 = await open({ name: minmax.name, bytes: minmax.bytes });
    const forInt8 = (await call<ResultsList>('results.list', { modelId: int8.id })).entries.filter(
      (e) => e.forModel,
    );
    expect(forInt8.map((e) => e.label)).toEqual(['quantized · minmax']);
    const forFloat = (await call<ResultsList>('results.list', { modelId: float.id })).entries.filter(
      (e) => e.forModel,
    );
    expect(forFloat.map((e) => e.label)).toEqual(['quantized · percentile', 'quantized · minmax']);
    expect(forFloat[0].headline).toBe(
      `output rmse ${pct.report.outputs.rmse.toPrecision(3)}${
        pct.report.outputs.top1_agreement !== undefined
          ? ` · top-1 agreement ${(pct.report.outputs.top1_agreement * 100).toFixed(1)} %`
          : ''
      }`,
    );

    // rule: two reports pair by layer name; each side shows its own rmse/scale and scale
    const c = await call<ResultsComparison>('results.compare', { a: forFloat[1].id, b: forFloat[0].id });
    expect(c.layers).toHaveLength(minmax.report.layers.length);
    for (const l of c.layers) {
      const ra = minmax.report.layers.find((r) => r.tensor_name === l.name)!;
      const rb = pct.report.layers.find((r) => r.tensor_name === l.name)!;
      expect([l.a?.rmseOverScale, l.a?.scale]).toEqual([ra.rmse_over_scale, ra.scale]);
      expect([l.b?.rmseOverScale, l.b?.scale]).toEqual([rb.rmse_over_scale, rb.scale]);
      expect(l.outputs).toBeNull(); // reports keep no tensors
    }
    // rule: a report compares only with another report
    const sim = await simulate(int8.id, 1, 'cortex-m4');
    const simId = (await call<ResultsList>('results.list', { modelId: int8.id })).entries.find(
      (e) => e.kind === 'simulation' && e.forModel,
    )!.id;
    expect(sim.layers.length).toBeGreaterThan(0);
    const e = await failure('results.compare', { a: forFloat[0].id, b: simId });
    expect(e.code).toBe('BAD_ARGUMENT');
    expect(e.message).toMatch(/a quantization report compares with another report, not with a simulation/);
  }, 180_000);
});

describe('before vs after re-quantization', () => {
  it('pairs the two int8 models by op and compares their outputs in real values when the scales differ', async () => {
    const float = await open({ path: fixturePath('float', 'image_example1.float32.tflite') });
    const data = { files: npyImages(6) };
    const made = await Promise.all(
      ['minmax', 'percentile'].map((method) =>
        call<QuantizeRunResult>('quantize.run', {
          jobId: `rq-${method}`,
          model: { modelId: float.id },
          data,
          method,
        }),
      ),
    );
    const [before, after] = await Promise.all(
      made.map((m, i) => open({ name: `v${i}.tflite`, bytes: m.bytes })),
    );
    const runs = [await simulate(before.id, 5, 'cortex-m4'), await simulate(after.id, 5, 'cortex-m4')];
    const ids = await Promise.all(
      [before, after].map(
        async (m) =>
          (await call<ResultsList>('results.list', { modelId: m.id })).entries.find(
            (e) => e.forModel && e.kind === 'simulation',
          )!.id,
      ),
    );
    const c = await call<ResultsComparison>('results.compare', { a: ids[0], b: ids[1] });
    // rule: two different models (before/after) pair layer by layer by op index
    expect(c.crossModel).toBe(true);
    expect(c.layers.map((l) => l.op)).toEqual(runs[0].layers.map((l) => l.op));
    // rule: the same CPU profile on both sides is one scale: a ratio per layer
    expect(c.timing.comparable).toBe(true);
    for (const l of c.layers) {
      const [ta, tb] = await Promise.all(
        runs.map((r) => call<SimulateLayerTensor>('simulate.layer', { runId: r.runId, layer: l.index })),
      );
      const qa = new Int8Array(ta.data.buffer, ta.data.byteOffset, ta.data.length);
      const qb = new Int8Array(tb.data.buffer, tb.data.byteOffset, tb.data.length);
      const same = ta.quant?.scale === tb.quant?.scale && ta.quant?.zeroPoint === tb.quant?.zeroPoint;
      // rule: integer steps only when both sides quantize alike; else |A − B| of the real values
      const real = (q: Int8Array, p = ta.quant!) => Array.from(q, (v) => (v - p.zeroPoint) * p.scale);
      const ra = same ? Array.from(qa) : real(qa, ta.quant!);
      const rb = same ? Array.from(qb) : real(qb, tb.quant!);
      expect(l.outputs!.unit).toBe(same ? 'LSB' : 'real');
      expect(l.outputs!.mismatches).toBe(ra.filter((v, i) => v !== rb[i]).length);
      expect(l.outputs!.maxAbsDiff).toBeCloseTo(Math.max(0, ...ra.map((v, i) => Math.abs(v - rb[i]))), 12);
    }
    expect(c.layers.some((l) => l.outputs!.unit === 'real')).toBe(true);
  }, 120_000);
});

describe('ResultsStore bounds', () => {
  it('evicts the oldest result beyond its count and names the limit', async () => {
    const store = new ResultsStore({ maxResults: 2 });
    const model = {
      name: 'micro_speech_quantized.tflite',
      bytes: readFixture('models', 'micro_speech_quantized.tflite'),
    };
    const run = await simulate((await open(SPEECH)).id, 1, 'cortex-m4');
    const ids = [1, 2, 3].map((seed) => store.addSimulation(model, { input: { seed } }, run, []).id);
    // rule: at most maxResults are kept; the oldest goes first and says how many are kept
    expect(store.size).toBe(2);
    expect(() => store.get(ids[0])).toThrow(/No kept result "res-1" \(the session keeps the last 2 results/);
    expect(store.list(model.bytes).entries.map((e) => e.id)).toEqual([ids[2], ids[1]]);
  });
});
