/**
 * Output paths chosen on the command line, checked before any work starts: a file path (not a
 * folder), in a folder that exists (QuantScope never creates folders), not an existing file unless
 * the user said `--force`, and not the same file twice in one command. The write itself is atomic
 * (atomic-write.ts) and refuses an existing file again at rename time without `--force`.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ServiceError } from './errors.ts';

export interface OutputTarget {
  /** The flag that named it, for messages: `--out`, `--dump`, `--report`. */
  flag: string;
  path: string;
}

function bad(message: string, path: string): never {
  throw new ServiceError('BAD_ARGUMENT', message, { path });
}

/** One output path → its absolute form, or a BAD_ARGUMENT naming the flag and what is wrong. */
export async function checkOutputPath(t: OutputTarget, force = false): Promise<string> {
  const full = resolve(t.path);
  const what = t.path === full ? `${t.flag} ${full}` : `${t.flag} ${t.path} (${full})`;
  const s = await stat(full).catch(() => null);
  if (s?.isDirectory() || /[\\/]$/.test(t.path))
    bad(`${what} is a folder: give the path of a file (in it or elsewhere)`, full);
  const dir = dirname(full);
  const d = await stat(dir).catch(() => null);
  if (!d) bad(`${what}: folder ${dir} does not exist (QuantScope does not create folders)`, full);
  if (!d.isDirectory()) bad(`${what}: ${dir} is not a folder`, full);
  await access(dir, constants.W_OK).catch(() => bad(`${what}: cannot write in folder ${dir}`, full));
  if (s && !s.isFile()) bad(`${what} exists and is not a regular file`, full);
  if (s && !force) bad(`${what} already exists (give --force to overwrite it)`, full);
  return full;
}

/** Every output of one command, checked together: each as above, and no file named twice. */
export async function checkOutputPaths(targets: OutputTarget[], force = false): Promise<string[]> {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const t of targets) {
    const full = await checkOutputPath(t, force);
    const first = seen.get(full);
    if (first) bad(`${t.flag} ${t.path}: the same file is already the output of ${first}`, full);
    seen.set(full, t.flag);
    out.push(full);
  }
  return out;
}
