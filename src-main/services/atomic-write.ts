/**
 * Atomic file writes: write a temp file beside the target, fsync, then move it into place, so a
 * reader sees the old file or the whole new one, never a part. The temp file is created
 * exclusively (never through a link left at its name) and removed on any failure.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ServiceError } from './errors.ts';

export interface AtomicWriteOptions {
  /** Replace an existing file (default true). False: refuse one, checked atomically at the move. */
  overwrite?: boolean;
  /** Create missing folders (default false: only the app's own config folder asks for it). */
  createFolder?: boolean;
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory()) {
    throw new ServiceError('BAD_ARGUMENT', `${target} is a folder; give a file name to write`, {
      path: target,
    });
  }
  if (opts.createFolder) await mkdir(dir, { recursive: true });
  else if (!(await stat(dir).catch(() => null))?.isDirectory()) {
    throw new ServiceError('FORBIDDEN_PATH', `${target}: the folder ${dir} does not exist`, {
      path: target,
      reason: 'no-folder',
    });
  }
  // Same folder so the move stays on one file system (rename across devices is not atomic).
  const tmp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (opts.overwrite ?? true) await rename(tmp, target);
    else await linkNoClobber(tmp, target);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Put `tmp` at `target` only if nothing is there: link() fails with EEXIST instead of replacing. */
async function linkNoClobber(tmp: string, target: string): Promise<void> {
  try {
    await link(tmp, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // File systems without hard links (FAT, some network shares): check, then move.
    if (code !== 'EEXIST' && !(await stat(target).catch(() => null))) return rename(tmp, target);
    throw new ServiceError('FORBIDDEN_PATH', `${target} already exists and is not replaced`, {
      path: target,
      reason: 'exists',
    });
  }
}
