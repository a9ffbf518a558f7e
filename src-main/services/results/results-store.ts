/**
 * The session's results (issue 19 "results stay"): every simulation, board profile and
 * quantization report, kept in memory for the app session under the model it is of — by content
 * (sha256 of the model bytes), so the results come back when the same model is opened again under
 * a new id. Listed newest first, fetched whole, compared two at a time (core/compare/side-by-side).
 * Bounded: at most `maxResults` results and `maxBytes` of tensors and model bytes; the oldest go
 * first (the newest is always kept).
 */
import { createHash } from 'node:crypto';
import type {
  BoardProfileResult,
  KeptTaps,
  QuantizeReportResult,
  QuantizeRunResult,
  ResultKind,
  ResultsComparison,
  ResultsList,
  ResultSummary,
  SimulateInput,
  SimulateLayerTensor,
  SimulateResult,
  StoredResult,
} from '../../shared/api.ts';
import { sideBySide, sideOf, summaryOf } from '../../core/compare/side-by-side.ts';
import { ServiceError } from '../errors.ts';

export interface ResultsStoreOptions {
  maxResults?: number;
  maxBytes?: number;
}

/** A model as the store needs it: its file name and bytes (hashed once per bytes object). */
export interface ModelRef {
  name: string;
  bytes: Uint8Array;
}

interface Kept {
  result: StoredResult;
  taps: KeptTaps;
  bytes: number;
}

const hashes = new WeakMap<Uint8Array, string>();

/** sha256 of a model's bytes (hex), computed once per bytes object. */
export function modelSha256(bytes: Uint8Array): string {
  let h = hashes.get(bytes);
  if (!h) hashes.set(bytes, (h = createHash('sha256').update(bytes).digest('hex')));
  return h;
}

export function describeInput(input: SimulateInput | { raw: { name: string }[] }): string {
  if ('seed' in input) return `seed ${input.seed}`;
  const files = 'files' in input ? input.files : input.raw;
  return files.map((f) => f.name).join(', ');
}

function topLine(r: SimulateResult): string {
  const out = r.outputs[0];
  const top = out?.top_k[0];
  if (!out || !top) return `${r.layers.length} layers`;
  const label = out.labels?.[top.index];
  return `top: ${label ? `${label} (${top.index})` : `class ${top.index}`} · ${top.real.toPrecision(3)}`;
}

export class ResultsStore {
  private readonly kept = new Map<string, Kept>();
  private readonly maxResults: number;
  private readonly maxBytes: number;
  private seq = 0;

  constructor(opts: ResultsStoreOptions = {}) {
    this.maxResults = opts.maxResults ?? 64;
    this.maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  }

  /** A host simulation and its per-layer outputs (`taps`, the first output of each op). */
  addSimulation(
    model: ModelRef,
    run: { input: SimulateInput; cpu?: string },
    result: SimulateResult,
    taps: readonly SimulateLayerTensor[],
  ): ResultSummary {
    const input = describeInput(run.input);
    const cpu = result.estimate?.cpu ?? run.cpu;
    return this.add(
      {
        kind: 'simulation',
        model,
        label: ['host', cpu, input].filter(Boolean).join(' · '),
        where: 'host',
        input,
        headline: topLine(result),
        layers: result.layers.length,
        payload: { simulation: result },
      },
      [...taps],
      taps.reduce((n, t) => n + t.data.byteLength, 0),
    );
  }

  /** A board profile (its comparison with the host and the board's per-layer outputs). */
  addProfile(model: ModelRef, result: BoardProfileResult): ResultSummary {
    const c = result.compare;
    const where =
      c.board.port && c.board.port !== c.board.name ? `${c.board.name} (${c.board.port})` : c.board.name;
    const mismatched = c.layers.filter((l) => l.status === 'mismatch' || l.status === 'missing').length;
    return this.add(
      {
        kind: 'profile',
        model,
        label: `${c.board.name} · ${c.input}`,
        where,
        input: c.input,
        headline: c.verdict?.text ?? (c.allMatch ? 'every layer matches' : `${mismatched} layers differ`),
        layers: c.layers.filter((l) => l.index >= 0).length,
        payload: { profile: result },
      },
      [],
      result.tensors.reduce((n, t) => n + t.host.byteLength + t.device.byteLength, 0),
    );
  }

  /**
   * A quantization report: of `model` (the float model quantized, or the int8 model reported on),
   * and also of `int8` — the model a quantize run produced — when given.
   */
  addQuantization(
    model: ModelRef,
    result: QuantizeRunResult | QuantizeReportResult,
    int8?: Uint8Array,
  ): ResultSummary {
    const r = result.report;
    const made = 'bytes' in result;
    const kept = r.precision?.length ?? 0;
    const what = made
      ? ['quantized', r.method, kept ? `${kept} layers not int8` : ''].filter(Boolean).join(' · ')
      : `report of ${r.model}`;
    const alsoFor = int8 ? [modelSha256(int8)] : [];
    return this.add(
      {
        kind: 'quantization',
        model,
        alsoFor,
        label: what,
        where: 'quantizer',
        input: `${r.samples} samples`,
        headline: `output rmse ${r.outputs.rmse.toPrecision(3)}${
          r.outputs.top1_agreement !== undefined
            ? ` · top-1 agreement ${(r.outputs.top1_agreement * 100).toFixed(1)} %`
            : ''
        }`,
        layers: r.layers.length,
        payload: { quantization: result },
      },
      [],
      made ? result.bytes.byteLength : 0,
    );
  }

  /** Every result, newest first; those of `model` (by content) marked. */
  list(model: Uint8Array): ResultsList {
    const sha = modelSha256(model);
    const entries = [...this.kept.values()].reverse().map(({ result }) => ({
      ...summaryOf(result),
      forModel: result.modelSha256 === sha || result.alsoFor.includes(sha),
    }));
    return { modelSha256: sha, entries };
  }

  get(id: string): StoredResult {
    return this.find(id).result;
  }

  /** A simulation's output at one layer (for `simulate.layer` once the run left the tap store). */
  simulationLayer(runId: string, layer: number): SimulateLayerTensor | undefined {
    for (const k of this.kept.values())
      if (k.result.kind === 'simulation' && k.result.simulation.runId === runId)
        return k.taps.find((t) => t.index === layer);
    return undefined;
  }

  compare(a: string, b: string): ResultsComparison {
    if (a === b)
      throw new ServiceError('BAD_ARGUMENT', `results.compare: A and B are the same result (${a})`);
    const x = this.find(a);
    const y = this.find(b);
    const runs = (k: ResultKind) => k !== 'quantization';
    if (runs(x.result.kind) !== runs(y.result.kind))
      throw new ServiceError(
        'BAD_ARGUMENT',
        `results.compare: a quantization report compares with another report, not with a ${
          x.result.kind === 'quantization' ? y.result.kind : x.result.kind
        } (${a}, ${b})`,
      );
    return sideBySide(sideOf(x.result, x.taps), sideOf(y.result, y.taps));
  }

  get size(): number {
    return this.kept.size;
  }

  private find(id: string): Kept {
    const k = this.kept.get(id);
    if (!k)
      throw new ServiceError(
        'NOT_FOUND',
        `No kept result "${id}" (the session keeps the last ${this.maxResults} results, at most ${Math.round(
          this.maxBytes / 2 ** 20,
        )} MiB)`,
        { id },
      );
    return k;
  }

  private add(
    e: {
      kind: ResultKind;
      model: ModelRef;
      alsoFor?: string[];
      label: string;
      where: string;
      input: string;
      headline: string;
      layers: number;
      payload: object;
    },
    taps: KeptTaps,
    bytes: number,
  ): ResultSummary {
    const summary: ResultSummary = {
      id: `res-${++this.seq}`,
      kind: e.kind,
      createdAt: new Date().toISOString(),
      modelName: e.model.name,
      modelSha256: modelSha256(e.model.bytes),
      alsoFor: e.alsoFor ?? [],
      label: e.label,
      where: e.where,
      input: e.input,
      headline: e.headline,
      layers: e.layers,
    };
    const result = { ...summary, ...e.payload } as StoredResult;
    this.kept.set(summary.id, { result, taps, bytes });
    this.evict();
    return summary;
  }

  private evict(): void {
    const total = () => [...this.kept.values()].reduce((n, k) => n + k.bytes, 0);
    while (this.kept.size > 1 && (this.kept.size > this.maxResults || total() > this.maxBytes))
      this.kept.delete(this.kept.keys().next().value as string);
  }
}
