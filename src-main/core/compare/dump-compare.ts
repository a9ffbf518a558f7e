/**
 * A per-layer dump in the golden JSON format (`profile --dump`, `run --dump`, TFLite Micro's
 * goldens in ../shared/fixtures/golden) compared with the host simulator: the host runs the model
 * on the dump's own inputs and every op output is compared as a board's would be. Pure: bytes and
 * text in, a CompareResult out.
 */
import { readTflite } from '../model/tflite-reader.ts';
import type { GoldenDump } from '../simulate/dump.ts';
import { prepare } from '../simulate/interpreter.ts';
import { compareRun } from './compare.ts';
import { elementReader } from './elements.ts';
import type { HostRun } from './host-run.ts';
import { hostSide, type HostSide } from './host-side.ts';
import { streamCompare } from './stream.ts';
import type { CompareResult, DeviceTensor } from './types.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function bytesOf(b64: string, where: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new Error(`${where}: data_b64 is not base64`);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** The dump's JSON, checked: `inputs` and `op_outputs` lists of {tensor, data_b64}. */
export function parseDump(text: string, fileName: string): GoldenDump {
  const s = parseDumps(text, fileName);
  if (s.invocations.length !== 1)
    throw new Error(`${fileName}: a stream of ${s.invocations.length} invocations, not one run`);
  return s.invocations[0];
}

/** A dump of one run, or of a stream (`run --dump`/`profile --dump` of several frames:
 * `invocations: [{invocation, inputs, op_outputs}]`, `reset_state`), each run checked. */
export function parseDumps(
  text: string,
  fileName: string,
): { invocations: GoldenDump[]; resetState: boolean } {
  const bad = (why: string): never => {
    throw new Error(`${fileName}: not a per-layer dump (golden JSON format): ${why}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return bad(`invalid JSON (${(e as Error).message})`);
  }
  if (!isObject(doc)) return bad('the file holds no JSON object');
  if ('invocations' in doc) {
    const list = doc.invocations;
    if (!Array.isArray(list) || list.length === 0) return bad('invocations is not a non-empty list');
    return {
      invocations: list.map((run, k) => checkRun(run, (why) => bad(`invocation ${k}: ${why}`))),
      resetState: doc.reset_state === true,
    };
  }
  return { invocations: [checkRun(doc, bad)], resetState: false };
}

function checkRun(doc: unknown, bad: (why: string) => never): GoldenDump {
  if (!isObject(doc)) return bad('not a JSON object');
  for (const key of ['inputs', 'op_outputs'] as const) {
    const list = doc[key];
    if (!Array.isArray(list)) return bad(`no ${key} list`);
    list.forEach((t, i) => {
      if (!isObject(t) || !Number.isInteger(t.tensor) || typeof t.data_b64 !== 'string')
        bad(`${key}[${i}] needs an integer tensor and a data_b64 string`);
    });
  }
  return doc as unknown as GoldenDump;
}

export interface DumpCompareOptions {
  modelName: string;
  modelBytes: Uint8Array;
  /** sha256 of the model bytes, hex (hashing is the caller's: this stage has no crypto). */
  modelSha256: string;
  dump: GoldenDump;
  dumpName: string;
  /** Cost-model profile for the estimate column, e.g. cortex-m4@80. */
  cpu?: string;
}

/**
 * A stream's dump against the host running the same frames as a stream (the state kept between
 * invocations unless `resetState`), invocation by invocation (streamCompare).
 */
export function compareDumpStream(
  o: Omit<DumpCompareOptions, 'dump'> & { dumps: GoldenDump[]; resetState: boolean },
): CompareResult {
  if (o.dumps.length === 1) return compareDump({ ...o, dump: o.dumps[0] });
  const pm = prepare(readTflite(o.modelBytes), 0, { bytes: o.modelBytes });
  const frames = o.dumps.map((d, k) => dumpInputs(pm, d, `${o.dumpName} invocation ${k}`));
  const raw = concat(frames.flat());
  const side = hostSide({
    modelBytes: o.modelBytes,
    input: { files: [{ name: `${o.dumpName} inputs.bin`, bytes: raw }] },
    uint8Mode: 'bytes',
    cpu: o.cpu,
    boardCpu: '',
    boardCpuHz: 0,
    resetState: o.resetState,
  });
  const hostFrames = side.frames ?? [{ run: side.run, inputBytes: side.inputBytes }];
  const runs = o.dumps.map((d, k) => compareWith(o, d, hostFrames[k].run, frames[k], side.estimate));
  return streamCompare(runs, o.resetState);
}

/** The dump's inputs, in the model's input order, each the exact size the model needs. */
function dumpInputs(pm: ReturnType<typeof prepare>, dump: GoldenDump, where: string): Uint8Array[] {
  return pm.inputs.map((h) => {
    const t = dump.inputs.find((d) => d.tensor === h.index);
    if (!t) throw new Error(`${where}: no data for model input tensor ${h.index} '${h.name}'`);
    const bytes = bytesOf(t.data_b64, `${where} input tensor ${h.index}`);
    const need = h.shape.reduce((a, b) => a * b, 1) * elementReader(h.dtype).size;
    if (bytes.length !== need)
      throw new Error(
        `${where}: input tensor ${h.index} '${h.name}' has ${bytes.length} bytes, the model needs ${need}`,
      );
    return bytes;
  });
}

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  parts.reduce((at, b) => (out.set(b, at), at + b.length), 0);
  return out;
};

/** Host (on the dump's inputs) vs the dump, layer by layer; the dump has no timings. */
export function compareDump(o: DumpCompareOptions): CompareResult {
  const pm = prepare(readTflite(o.modelBytes), 0, { bytes: o.modelBytes });
  // the dump's inputs, in the model's input order, as one raw file of all inputs
  const inputs = pm.inputs.map((h) => {
    const t = o.dump.inputs.find((d) => d.tensor === h.index);
    if (!t) throw new Error(`${o.dumpName}: no data for model input tensor ${h.index} '${h.name}'`);
    const bytes = bytesOf(t.data_b64, `${o.dumpName} input tensor ${h.index}`);
    const need = h.shape.reduce((a, b) => a * b, 1) * elementReader(h.dtype).size;
    if (bytes.length !== need)
      throw new Error(
        `${o.dumpName}: input tensor ${h.index} '${h.name}' has ${bytes.length} bytes, the model needs ${need}`,
      );
    return bytes;
  });
  const raw = new Uint8Array(inputs.reduce((n, b) => n + b.length, 0));
  inputs.reduce((at, b) => (raw.set(b, at), at + b.length), 0);
  const side = hostSide({
    modelBytes: o.modelBytes,
    input: { files: [{ name: `${o.dumpName} inputs.bin`, bytes: raw }] },
    uint8Mode: 'bytes',
    cpu: o.cpu,
    boardCpu: '',
    boardCpuHz: 0,
  });
  return compareWith(o, o.dump, side.run, inputs, side.estimate);
}

function compareWith(
  o: Omit<DumpCompareOptions, 'dump'>,
  dump: GoldenDump,
  run: HostRun,
  inputs: Uint8Array[],
  estimate: HostSide['estimate'],
): CompareResult {
  const byTensor = new Map(dump.op_outputs.map((t) => [t.tensor, t]));
  const device: DeviceTensor[] = run.layers.flatMap((h) => {
    const t = byTensor.get(h.tensor);
    return t
      ? [
          {
            index: h.index,
            tensor: h.tensor,
            ticks: 0,
            bytes: bytesOf(t.data_b64, `${o.dumpName} tensor ${h.tensor}`),
          },
        ]
      : [];
  });
  return compareRun({
    model: { name: o.modelName, sha256: o.modelSha256 },
    board: {
      name: dump.reference || o.dumpName,
      cpu: '',
      firmware: '',
      cpuHz: 0,
      tickHz: 1_000_000,
      tickSource: 'none (a dump has no timings)',
      arenaBytes: 0,
      port: o.dumpName,
    },
    input: `inputs of ${o.dumpName}`,
    hostInputs: run.inputs,
    deviceInputs: inputs,
    host: run.layers,
    device,
    outputs: run.outputs,
    estimate,
  });
}
