/**
 * Boundary validation: one hand-written validator per call. Arguments arrive from the renderer
 * (IPC) or a browser (WebSocket) and are untrusted; a validator returns the typed argument or
 * throws BAD_ARGUMENT naming the field.
 */
import type {
  ArgsOf,
  BoardProfileArgs,
  BoardsListArgs,
  BoardInstallArgs,
  BoardRestartArgs,
  Channel,
  OpenModelArgs,
  RawSampleInput,
  ReportExportArgs,
  ResultsCompareArgs,
  ResultsListArgs,
  SaveDialogArgs,
  SimulateLayerArgs,
  SimulateRunArgs,
} from '../../shared/api.ts';
import { CPU_PROFILES } from '../../core/simulate/cost-model.ts';
import { ServiceError } from '../errors.ts';
import { quantizeExport, quantizeReport, quantizeRun } from '../quantize/validate-quantize.ts';

const MAX_MODEL_BYTES = 512 * 1024 * 1024;
const MAX_PATH = 4096;
const MAX_NAME = 255;
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function bad(channel: string, message: string, field?: string): never {
  throw new ServiceError('BAD_ARGUMENT', `${channel}: ${message}`, field ? { field } : undefined);
}

function plainObject(channel: string, v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    bad(channel, 'expected an object argument');
  }
  return v as Record<string, unknown>;
}

function onlyKeys(channel: string, o: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) bad(channel, `unexpected field "${k}"`, k);
  }
}

function str(channel: string, o: Record<string, unknown>, key: string, max: number): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) bad(channel, `"${key}" must be a non-empty string`, key);
  if (v.length > max) bad(channel, `"${key}" is longer than ${max} characters`, key);
  if (v.includes('\0')) bad(channel, `"${key}" contains a NUL character`, key);
  return v;
}

function noArgs(channel: string) {
  return (v: unknown): void => {
    if (v !== undefined && v !== null) bad(channel, 'takes no argument');
  };
}

function idArg(channel: string) {
  return (v: unknown): { id: string } => {
    const o = plainObject(channel, v);
    onlyKeys(channel, o, ['id']);
    const id = str(channel, o, 'id', 64);
    if (!ID_PATTERN.test(id)) bad(channel, '"id" must be 1–64 characters of [A-Za-z0-9_-]', 'id');
    return { id };
  };
}

function openModel(v: unknown): OpenModelArgs {
  const ch = 'model.open';
  const o = plainObject(ch, v);
  if ('path' in o) {
    onlyKeys(ch, o, ['path']);
    return { path: str(ch, o, 'path', MAX_PATH) };
  }
  if ('bytes' in o) {
    onlyKeys(ch, o, ['name', 'bytes']);
    const name = str(ch, o, 'name', MAX_NAME);
    const bytes = o.bytes;
    if (!(bytes instanceof Uint8Array)) bad(ch, '"bytes" must be a Uint8Array', 'bytes');
    if (bytes.byteLength > MAX_MODEL_BYTES) {
      bad(ch, `"bytes" is larger than ${MAX_MODEL_BYTES} bytes`, 'bytes');
    }
    return { name, bytes };
  }
  return bad(ch, 'expected {path} or {name, bytes}');
}

const MAX_INPUT_FILES = 16;

function uniqueId(channel: string, o: Record<string, unknown>, key: string): string {
  const id = str(channel, o, key, 64);
  if (!ID_PATTERN.test(id)) bad(channel, `"${key}" must be 1–64 characters of [A-Za-z0-9_-]`, key);
  return id;
}

function simulateRun(v: unknown): SimulateRunArgs {
  const ch = 'simulate.run';
  const o = plainObject(ch, v);
  onlyKeys(ch, o, ['jobId', 'modelId', 'input', 'cpu', 'uint8Mode']);
  return runArgs(ch, o);
}

function simulateLayer(v: unknown): SimulateLayerArgs {
  const ch = 'simulate.layer';
  const o = plainObject(ch, v);
  onlyKeys(ch, o, ['runId', 'layer']);
  const runId = uniqueId(ch, o, 'runId');
  const layer = o.layer;
  if (typeof layer !== 'number' || !Number.isSafeInteger(layer) || layer < 0) {
    bad(ch, '"layer" must be a non-negative integer (an op index)', 'layer');
  }
  return { runId, layer };
}

/** jobId, modelId, input, cpu, uint8Mode: shared by simulate.run and boards.profile. */
function runArgs(ch: Channel, o: Record<string, unknown>): SimulateRunArgs {
  const jobId = uniqueId(ch, o, 'jobId');
  const modelId = uniqueId(ch, o, 'modelId');
  const input = plainObject(ch, o.input);
  let parsed: SimulateRunArgs['input'];
  if ('seed' in input) {
    onlyKeys(ch, input, ['seed']);
    const seed = input.seed;
    // xorshift32 needs a non-zero 32-bit state
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 1 || seed > 0xffffffff) {
      bad(ch, '"input.seed" must be an integer in 1..4294967295', 'input.seed');
    }
    parsed = { seed };
  } else if ('files' in input) {
    onlyKeys(ch, input, ['files']);
    const files = input.files;
    if (!Array.isArray(files) || files.length === 0 || files.length > MAX_INPUT_FILES) {
      bad(ch, `"input.files" must be 1–${MAX_INPUT_FILES} files`, 'input.files');
    }
    parsed = {
      files: files.map((f: unknown, i: number) => {
        const fo = plainObject(ch, f);
        onlyKeys(ch, fo, ['name', 'bytes']);
        const name = str(ch, fo, 'name', MAX_NAME);
        if (!(fo.bytes instanceof Uint8Array))
          bad(ch, `"input.files[${i}].bytes" must be a Uint8Array`, 'input.files');
        if (fo.bytes.byteLength > MAX_MODEL_BYTES) bad(ch, `"input.files[${i}]" is too large`, 'input.files');
        return { name, bytes: fo.bytes };
      }),
    };
  } else {
    return bad(ch, '"input" must be {seed} or {files}', 'input');
  }
  const out: SimulateRunArgs = { jobId, modelId, input: parsed };
  if (o.cpu !== undefined) {
    const cpu = str(ch, o, 'cpu', 40);
    const m = /^([a-z0-9-]+)(?:@(\d+(?:\.\d+)?))?$/.exec(cpu);
    if (
      !m ||
      !(CPU_PROFILES as readonly string[]).includes(m[1]) ||
      (m[2] !== undefined && !(Number(m[2]) > 0))
    ) {
      bad(ch, `"cpu" must be one of ${CPU_PROFILES.join(', ')}, optionally with @MHz`, 'cpu');
    }
    out.cpu = cpu;
  }
  if (o.uint8Mode !== undefined) {
    if (o.uint8Mode !== 'affine' && o.uint8Mode !== 'bytes')
      bad(ch, '"uint8Mode" must be "affine" or "bytes"', 'uint8Mode');
    out.uint8Mode = o.uint8Mode;
  }
  return out;
}

const MAX_TYPED_PATHS = 16;

function boardsList(v: unknown): BoardsListArgs {
  const ch = 'boards.list';
  const o = plainObject(ch, v);
  onlyKeys(ch, o, ['paths']);
  const paths = o.paths;
  if (!Array.isArray(paths) || paths.length > MAX_TYPED_PATHS)
    bad(ch, `"paths" must be an array of at most ${MAX_TYPED_PATHS} port paths`, 'paths');
  for (const p of paths) {
    if (typeof p !== 'string' || p.length === 0 || p.length > MAX_PATH || p.includes('\0'))
      bad(ch, `"paths" entries must be port paths of 1–${MAX_PATH} characters`, 'paths');
  }
  return { paths: paths as string[] };
}

function boardsInstall(v: unknown): BoardInstallArgs {
  const ch = 'boards.installFirmware';
  const o = plainObject(ch, v);
  onlyKeys(ch, o, ['board', 'drive', 'confirmed']);
  const board = str(ch, o, 'board', MAX_PATH);
  const drive = str(ch, o, 'drive', MAX_PATH);
  if (typeof o.confirmed !== 'boolean') bad(ch, '"confirmed" must be true or false', 'confirmed');
  return { board, drive, confirmed: o.confirmed as boolean };
}

function boardsRestart(v: unknown): BoardRestartArgs {
  const ch = 'boards.restart';
  const o = plainObject(ch, v);
  onlyKeys(ch, o, ['jobId', 'board']);
  return { jobId: uniqueId(ch, o, 'jobId'), board: str(ch, o, 'board', MAX_PATH) };
}

function boardProfile(v: unknown): BoardProfileArgs {
  const ch = 'boards.profile';
  const o = plainObject(ch, v);
  onlyKeys(ch, o, ['jobId', 'board', 'modelId', 'input', 'cpu', 'uint8Mode', 'resetState']);
  const board = str(ch, o, 'board', MAX_PATH);
  if (o.resetState !== undefined && typeof o.resetState !== 'boolean')
    bad(ch, '"resetState" must be true or false', 'resetState');
  const reset = o.resetState === true ? { resetState: true } : {};
  const rest: Record<string, unknown> = { ...o };
  delete rest.board;
  delete rest.resetState;
  const input = o.input;
  if (input !== null && typeof input === 'object' && 'raw' in input) {
    // raw samples: checked here, the rest as for simulate.run (with a stand-in input)
    return { board, ...runArgs(ch, { ...rest, input: { seed: 1 } }), input: rawSamples(ch, input), ...reset };
  }
  return { board, ...runArgs(ch, rest), ...reset };
}

const RAW_DTYPES = ['int8', 'uint8', 'int16', 'uint16', 'float32'];

/** `{raw: [{name, bytes, dtype?}]}`: one .npy (or little-endian samples of dtype) per model input. */
function rawSamples(ch: Channel, v: object): { raw: RawSampleInput[] } {
  const input = plainObject(ch, v);
  onlyKeys(ch, input, ['raw']);
  const raw = input.raw;
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_INPUT_FILES)
    bad(ch, `"input.raw" must be 1–${MAX_INPUT_FILES} samples`, 'input.raw');
  return {
    raw: raw.map((r: unknown, i: number) => {
      const ro = plainObject(ch, r);
      onlyKeys(ch, ro, ['name', 'bytes', 'dtype']);
      const name = str(ch, ro, 'name', MAX_NAME);
      if (!(ro.bytes instanceof Uint8Array))
        bad(ch, `"input.raw[${i}].bytes" must be a Uint8Array`, 'input.raw');
      if (ro.bytes.byteLength > MAX_MODEL_BYTES) bad(ch, `"input.raw[${i}]" is too large`, 'input.raw');
      if (ro.dtype !== undefined && !RAW_DTYPES.includes(ro.dtype as string))
        bad(ch, `"input.raw[${i}].dtype" must be one of ${RAW_DTYPES.join(', ')}`, 'input.raw');
      const out: RawSampleInput = { name, bytes: ro.bytes };
      if (ro.dtype !== undefined) out.dtype = ro.dtype as RawSampleInput['dtype'];
      return out;
    }),
  };
}

const REPORT_FORMATS = ['html', 'csv', 'json', 'pdf', 'model-explorer'];

function reportExport(v: unknown): ReportExportArgs {
  const ch = 'report.export';
  const o = plainObject(ch, v);
  onlyKeys(ch, o, ['reportId', 'format', 'path']);
  const reportId = uniqueId(ch, o, 'reportId');
  if (typeof o.format !== 'string' || !REPORT_FORMATS.includes(o.format))
    bad(ch, '"format" must be html, csv, json, pdf or model-explorer', 'format');
  const out: ReportExportArgs = { reportId, format: o.format as ReportExportArgs['format'] };
  if (o.path !== undefined) {
    const path = str(ch, o, 'path', MAX_PATH);
    if (!/^(\/|[A-Za-z]:[\\/])/.test(path)) bad(ch, '"path" must be absolute', 'path');
    out.path = path;
  }
  return out;
}

function saveDialog(v: unknown): SaveDialogArgs {
  const ch = 'files.saveDialog';
  const o = plainObject(ch, v);
  onlyKeys(ch, o, ['name']);
  const name = str(ch, o, 'name', MAX_NAME);
  if (/[\\/]/.test(name) || name === '.' || name === '..')
    bad(ch, '"name" must be a file name without a folder', 'name');
  return { name };
}

function resultsList(v: unknown): ResultsListArgs {
  const ch = 'results.list';
  const o = plainObject(ch, v);
  onlyKeys(ch, o, ['modelId']);
  return { modelId: uniqueId(ch, o, 'modelId') };
}

function resultsCompare(v: unknown): ResultsCompareArgs {
  const ch = 'results.compare';
  const o = plainObject(ch, v);
  onlyKeys(ch, o, ['a', 'b']);
  return { a: uniqueId(ch, o, 'a'), b: uniqueId(ch, o, 'b') };
}

type Validators = { [C in Channel]: (args: unknown) => ArgsOf<C> };

export const validators: Validators = {
  'app.info': noArgs('app.info'),
  'model.open': openModel,
  'model.openDialog': noArgs('model.openDialog'),
  'model.recent': noArgs('model.recent'),
  'model.examples': noArgs('model.examples'),
  'model.close': idArg('model.close'),
  'jobs.cancel': idArg('jobs.cancel'),
  'simulate.run': simulateRun,
  'simulate.layer': simulateLayer,
  'boards.list': boardsList,
  'boards.profile': boardProfile,
  'boards.installFirmware': boardsInstall,
  'boards.restart': boardsRestart,
  'report.export': reportExport,
  'quantize.run': quantizeRun,
  'quantize.report': quantizeReport,
  'quantize.export': quantizeExport,
  'files.saveDialog': saveDialog,
  'results.list': resultsList,
  'results.get': idArg('results.get'),
  'results.compare': resultsCompare,
};

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(validators, name);
}

/** Validate a call's argument; throws ServiceError(BAD_ARGUMENT / UNKNOWN_CHANNEL). */
export function validateArgs<C extends Channel>(channel: C, args: unknown): ArgsOf<C> {
  return validators[channel](args) as ArgsOf<C>;
}
