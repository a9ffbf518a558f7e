/** Reading representative data from disk: a file, or a folder of images / .npy files (sorted by name). */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { ServiceError } from '../errors.ts';
import type { DataFile } from './samples.ts';

const DATA_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.npy']);
/** Enough for any calibration set; guards against pointing at a huge folder by mistake. */
export const MAX_DATA_FILES = 10_000;
/** Representative data is held in memory: the same bound as the API's (validate-quantize.ts). */
export const MAX_DATA_BYTES = 512 * 1024 * 1024;

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

function tooBig(path: string, bytes: number): never {
  throw new ServiceError(
    'BAD_ARGUMENT',
    `${path}: ${mib(bytes)} of data; representative data is read into memory, at most ${mib(MAX_DATA_BYTES)} (use fewer or smaller files)`,
    { path },
  );
}

async function readOne(path: string): Promise<DataFile> {
  const b = await readFile(path);
  if (b.length === 0) throw new ServiceError('BAD_ARGUMENT', `${path}: the file is empty`, { path });
  return { name: basename(path), bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
}

/**
 * A data file, or every image / .npy in a data folder. `checkFile` (the API's path policy) vets
 * each file of a folder before it is read, e.g. that a link does not lead out of the folder.
 */
export async function readDataPath(
  p: string,
  checkFile?: (path: string) => Promise<unknown>,
): Promise<DataFile[]> {
  const path = resolve(p);
  const s = await stat(path).catch(() => {
    throw new ServiceError('NOT_FOUND', `No such data file or folder: ${path}`, { path });
  });
  if (s.isFile()) {
    if (s.size > MAX_DATA_BYTES) tooBig(path, s.size);
    return [await readOne(path)];
  }
  const names = (await readdir(path)).filter((n) => DATA_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (names.length === 0)
    throw new ServiceError(
      'BAD_ARGUMENT',
      `${path}: no images (.png/.jpg/.bmp) or .npy files in the folder`,
      { path },
    );
  if (names.length > MAX_DATA_FILES)
    throw new ServiceError(
      'BAD_ARGUMENT',
      `${path}: ${names.length} files; at most ${MAX_DATA_FILES} are read`,
      { path },
    );
  const files = names.map((n) => join(path, n));
  if (checkFile) for (const f of files) await checkFile(f);
  const sizes = await Promise.all(files.map((f) => stat(f).then((x) => x.size)));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > MAX_DATA_BYTES) tooBig(path, total);
  return Promise.all(files.map(readOne));
}
