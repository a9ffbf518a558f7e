/**
 * Opening models: read the file (or take dropped bytes), parse and summarize in a job worker,
 * remember the opened model under an id for later calls, and record the path in recent files.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import type { ExampleModel, OpenModelArgs, OpenedModel } from '../../shared/api.ts';
import { ServiceError } from '../errors.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { RecentStore } from '../recent-store.ts';
import type { ReadModelPayload, ReadModelResult } from './read-model-task.ts';

export const MAX_MODEL_FILE_BYTES = 512 * 1024 * 1024;
/** A well-formed model summarizes in well under a second; anything slower is treated as hostile. */
const READ_TIMEOUT_MS = 20_000;
const MODEL_EXTENSIONS = new Set(['.tflite', '.h5', '.keras']);

/** An opened model as kept by the main side (bytes stay here for simulate/profile later). */
export interface LoadedModel extends OpenedModel {
  bytes: Uint8Array;
}

export class ModelService {
  private readonly models = new Map<string, LoadedModel>();

  constructor(
    private readonly jobs: JobRunner,
    private readonly recent: RecentStore,
    private readonly examplesDir: string,
  ) {}

  async open(args: OpenModelArgs): Promise<OpenedModel> {
    const { name, path, bytes } =
      'path' in args ? await readModelFile(args.path) : { ...args, path: undefined };
    const payload: ReadModelPayload = { name, bytes };
    let read: ReadModelResult;
    try {
      read = await this.jobs.run<ReadModelResult>('model.read', payload, { timeoutMs: READ_TIMEOUT_MS });
    } catch (e) {
      if (e instanceof ServiceError && (e.detail as { timeout?: boolean } | undefined)?.timeout) {
        throw new ServiceError(
          'MALFORMED_MODEL',
          `${name}: reading the model took longer than ${READ_TIMEOUT_MS / 1000} s`,
        );
      }
      throw e;
    }
    const model: LoadedModel = {
      id: randomUUID(),
      name,
      ...(path ? { path } : {}),
      sizeBytes: bytes.byteLength,
      format: read.format,
      summary: read.summary,
      bytes,
    };
    this.models.set(model.id, model);
    if (path) await this.recent.add(path).catch(() => undefined); // recent files are best effort
    const { bytes: _kept, ...opened } = model;
    return opened;
  }

  get(id: string): LoadedModel {
    const m = this.models.get(id);
    if (!m) throw new ServiceError('NOT_FOUND', `No open model with id ${id}`);
    return m;
  }

  close(id: string): boolean {
    return this.models.delete(id);
  }

  /** The bundled example models (`examples/*.tflite`), by name. */
  async examples(): Promise<ExampleModel[]> {
    let names: string[];
    try {
      names = await readdir(this.examplesDir);
    } catch {
      return [];
    }
    const out: ExampleModel[] = [];
    for (const n of names.sort()) {
      if (!MODEL_EXTENSIONS.has(extname(n).toLowerCase())) continue;
      const path = join(this.examplesDir, n);
      const s = await stat(path);
      if (s.isFile()) out.push({ name: n, path, sizeBytes: s.size });
    }
    return out;
  }
}

async function readModelFile(p: string): Promise<{ name: string; path: string; bytes: Uint8Array }> {
  const path = isAbsolute(p) ? p : resolve(p);
  let s;
  try {
    s = await stat(path);
  } catch {
    throw new ServiceError('NOT_FOUND', `No such file: ${path}`, { path });
  }
  if (!s.isFile()) throw new ServiceError('BAD_ARGUMENT', `Not a file: ${path}`, { path });
  if (s.size > MAX_MODEL_FILE_BYTES) {
    throw new ServiceError(
      'UNSUPPORTED',
      `${basename(path)} is ${s.size} bytes; models over 512 MiB are not supported`,
      {
        path,
      },
    );
  }
  const b = await readFile(path);
  return { name: basename(path), path, bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
}
