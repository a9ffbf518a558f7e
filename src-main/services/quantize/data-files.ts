/** Reading representative data from disk: a file, or a folder of images / .npy files (sorted by name). */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { ServiceError } from '../errors.ts';
import type { DataFile } from './samples.ts';

const DATA_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.npy']);
/** Enough for any calibration set; guards against pointing at a huge folder by mistake. */
export const MAX_DATA_FILES = 10_000;

async function readOne(path: string): Promise<DataFile> {
  const b = await readFile(path);
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
  if (s.isFile()) return [await readOne(path)];
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
  return Promise.all(files.map(readOne));
}
