/** Boundary validators for the quantize calls (untrusted arguments → typed, or BAD_ARGUMENT naming the field). */
import type {
  DataSource,
  ModelSource,
  QuantizeExportArgs,
  QuantizeReportArgs,
  QuantizeRunArgs,
} from '../../shared/api.ts';
import { ServiceError } from '../errors.ts';

const MAX_PATH = 4096;
const MAX_NAME = 255;
const MAX_BYTES = 512 * 1024 * 1024;
const MAX_FILES = 10_000;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ABSOLUTE = /^(\/|[A-Za-z]:[\\/])/;

function bad(ch: string, message: string, field?: string): never {
  throw new ServiceError('BAD_ARGUMENT', `${ch}: ${message}`, field ? { field } : undefined);
}

function obj(ch: string, v: unknown, field = 'argument'): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array)
    bad(ch, `${field} must be an object`, field);
  return v as Record<string, unknown>;
}

function only(ch: string, o: Record<string, unknown>, keys: string[], where = ''): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) bad(ch, `unexpected field "${where}${k}"`, where + k);
}

function text(ch: string, v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.length === 0) bad(ch, `"${field}" must be a non-empty string`, field);
  if (v.length > max) bad(ch, `"${field}" is longer than ${max} characters`, field);
  if (v.includes('\0')) bad(ch, `"${field}" contains a NUL character`, field);
  return v;
}

function absolute(ch: string, v: unknown, field: string): string {
  const p = text(ch, v, field, MAX_PATH);
  if (!ABSOLUTE.test(p)) bad(ch, `"${field}" must be an absolute path`, field);
  return p;
}

function id(ch: string, v: unknown, field: string): string {
  const s = text(ch, v, field, 64);
  if (!ID.test(s)) bad(ch, `"${field}" must be 1–64 characters of [A-Za-z0-9_-]`, field);
  return s;
}

function bytes(ch: string, v: unknown, field: string): Uint8Array {
  if (!(v instanceof Uint8Array)) bad(ch, `"${field}" must be a Uint8Array`, field);
  if (v.byteLength > MAX_BYTES) bad(ch, `"${field}" is larger than ${MAX_BYTES} bytes`, field);
  return v;
}

function modelSource(ch: string, v: unknown, field: string): ModelSource {
  const o = obj(ch, v, field);
  if ('modelId' in o)
    return (only(ch, o, ['modelId'], `${field}.`), { modelId: id(ch, o.modelId, `${field}.modelId`) });
  if ('path' in o)
    return (only(ch, o, ['path'], `${field}.`), { path: absolute(ch, o.path, `${field}.path`) });
  if ('bytes' in o) {
    only(ch, o, ['name', 'bytes'], `${field}.`);
    return { name: text(ch, o.name, `${field}.name`, MAX_NAME), bytes: bytes(ch, o.bytes, `${field}.bytes`) };
  }
  return bad(ch, `"${field}" must be {modelId}, {path} or {name, bytes}`, field);
}

function dataSource(ch: string, v: unknown): DataSource {
  const o = obj(ch, v, 'data');
  if ('path' in o) return (only(ch, o, ['path'], 'data.'), { path: absolute(ch, o.path, 'data.path') });
  if ('files' in o) {
    only(ch, o, ['files'], 'data.');
    if (!Array.isArray(o.files) || o.files.length === 0 || o.files.length > MAX_FILES)
      bad(ch, `"data.files" must be 1–${MAX_FILES} files`, 'data.files');
    let total = 0;
    const files = o.files.map((f: unknown, i: number) => {
      const fo = obj(ch, f, `data.files[${i}]`);
      only(ch, fo, ['name', 'bytes'], `data.files[${i}].`);
      const b = bytes(ch, fo.bytes, `data.files[${i}].bytes`);
      total += b.byteLength;
      return { name: text(ch, fo.name, `data.files[${i}].name`, MAX_NAME), bytes: b };
    });
    if (total > MAX_BYTES) bad(ch, `"data.files" total more than ${MAX_BYTES} bytes`, 'data.files');
    return { files };
  }
  return bad(ch, '"data" must be {path} or {files}', 'data');
}

function thresholds(ch: string, v: unknown): { rmseOverScale?: number; range?: number } {
  const o = obj(ch, v, 'thresholds');
  only(ch, o, ['rmseOverScale', 'range'], 'thresholds.');
  const out: { rmseOverScale?: number; range?: number } = {};
  for (const k of ['rmseOverScale', 'range'] as const) {
    if (o[k] === undefined) continue;
    const n = o[k];
    if (typeof n !== 'number' || !(n > 0) || !Number.isFinite(n))
      bad(ch, `"thresholds.${k}" must be a positive number`, `thresholds.${k}`);
    out[k] = n;
  }
  return out;
}

function maxSamples(ch: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 100_000)
    bad(ch, '"maxSamples" must be an integer in 1..100000', 'maxSamples');
  return v;
}

/** Layer names for keepFloat / int16: 1–1000 non-empty strings (resolved against the model later). */
function layerNames(ch: string, v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 1000)
    bad(ch, `"${field}" must be a list of 1–1000 layer names${field === 'int16' ? ' or "all"' : ''}`, field);
  return v.map((n, i) => text(ch, n, `${field}[${i}]`, MAX_PATH));
}

export function quantizeRun(v: unknown): QuantizeRunArgs {
  const ch = 'quantize.run';
  const o = obj(ch, v);
  only(ch, o, [
    'jobId',
    'model',
    'data',
    'norm',
    'io',
    'fcPerTensor',
    'method',
    'keepFloat',
    'int16',
    'loweringInterior',
    'thresholds',
    'maxSamples',
    'savePath',
  ]);
  const out: QuantizeRunArgs = {
    jobId: id(ch, o.jobId, 'jobId'),
    model: modelSource(ch, o.model, 'model'),
    data: dataSource(ch, o.data),
  };
  if (o.norm !== undefined) {
    const n = text(ch, o.norm, 'norm', 40);
    if (!/^(none|meanstd|rescale:[-+0-9.eE]+)$/i.test(n.trim()))
      bad(ch, '"norm" must be none, rescale:<constant> or meanstd', 'norm');
    out.norm = n;
  }
  if (o.io !== undefined) {
    if (o.io !== 'int8' && o.io !== 'float32') bad(ch, '"io" must be "int8" or "float32"', 'io');
    out.io = o.io;
  }
  if (o.fcPerTensor !== undefined) {
    if (typeof o.fcPerTensor !== 'boolean') bad(ch, '"fcPerTensor" must be true or false', 'fcPerTensor');
    out.fcPerTensor = o.fcPerTensor;
  }
  if (o.method !== undefined) {
    if (!['auto', 'minmax', 'percentile', 'mse'].includes(o.method as string))
      bad(ch, '"method" must be auto, minmax, percentile or mse', 'method');
    out.method = o.method as QuantizeRunArgs['method'];
  }
  if (o.keepFloat !== undefined) out.keepFloat = layerNames(ch, o.keepFloat, 'keepFloat');
  if (o.int16 !== undefined) out.int16 = o.int16 === 'all' ? 'all' : layerNames(ch, o.int16, 'int16');
  if (o.loweringInterior !== undefined) {
    if (o.loweringInterior !== 'int16' && o.loweringInterior !== 'int8')
      bad(ch, '"loweringInterior" must be "int16" or "int8"', 'loweringInterior');
    out.loweringInterior = o.loweringInterior;
  }
  if (o.thresholds !== undefined) out.thresholds = thresholds(ch, o.thresholds);
  if (o.maxSamples !== undefined) out.maxSamples = maxSamples(ch, o.maxSamples);
  if (o.savePath !== undefined) out.savePath = absolute(ch, o.savePath, 'savePath');
  return out;
}

export function quantizeReport(v: unknown): QuantizeReportArgs {
  const ch = 'quantize.report';
  const o = obj(ch, v);
  only(ch, o, ['jobId', 'int8', 'float', 'data', 'thresholds', 'maxSamples']);
  const out: QuantizeReportArgs = {
    jobId: id(ch, o.jobId, 'jobId'),
    int8: modelSource(ch, o.int8, 'int8'),
    float: modelSource(ch, o.float, 'float'),
    data: dataSource(ch, o.data),
  };
  if (o.thresholds !== undefined) out.thresholds = thresholds(ch, o.thresholds);
  if (o.maxSamples !== undefined) out.maxSamples = maxSamples(ch, o.maxSamples);
  return out;
}

export function quantizeExport(v: unknown): QuantizeExportArgs {
  const ch = 'quantize.export';
  const o = obj(ch, v);
  only(ch, o, ['reportId', 'format', 'path']);
  if (o.format !== 'csv' && o.format !== 'html' && o.format !== 'json')
    bad(ch, '"format" must be csv, html or json', 'format');
  const out: QuantizeExportArgs = { reportId: id(ch, o.reportId, 'reportId'), format: o.format };
  if (o.path !== undefined) out.path = absolute(ch, o.path, 'path');
  return out;
}
