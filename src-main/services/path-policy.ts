/**
 * Which files the API may touch. A page holding the session token (the Electron renderer, a
 * browser on the web host) may read and write only what the user chose:
 * - read: files picked in an open dialog, files given on the command line (`--open MODEL`), the
 *   app's own folders (the bundled examples) and the files in the recent list (each was opened
 *   through one of these before);
 * - write: targets picked in a save dialog, once each; an existing file only when the dialog
 *   confirmed replacing it; never a new folder;
 * - serial ports: terminal devices under /dev (COMn on Windows), so a typed "port" cannot make
 *   the host open and write to an arbitrary file.
 * Everything else is refused with FORBIDDEN_PATH, whatever the token. Paths are compared after
 * resolving symbolic links (realpath), and a path with a `..` segment is refused outright.
 * Grants are made main-side only (dialogs, the command line, the host's own folders); no API call
 * can add one. The CLI's own commands do not go through this policy: their arguments are the
 * user's choice.
 */
import { realpathSync, statSync } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ServiceError } from './errors.ts';

/** Why a path was refused (`detail.reason` of a FORBIDDEN_PATH error). */
export type RefusalReason =
  | 'relative'
  | 'traversal'
  | 'not-granted'
  | 'symlink'
  | 'exists'
  | 'no-folder'
  | 'not-a-file'
  | 'not-a-port';

/** A write target that passed the policy: where to write and whether replacing a file was confirmed. */
export interface WriteTarget {
  path: string;
  overwrite: boolean;
}

interface WriteGrant {
  /** The folder's real path when the grant was made: the write must land there. */
  realFolder: string;
  overwrite: boolean;
}

/** Lists the paths the user opened before (the recent list), checked as read grants. */
export type RecentPaths = () => Promise<readonly string[]>;

function refuse(path: string, reason: RefusalReason, message: string): never {
  throw new ServiceError('FORBIDDEN_PATH', `${path}: ${message}`, { path, reason });
}

/** True when `child` is `parent` or inside it (both absolute, normalized). */
function within(parent: string, child: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

function hasDotDot(path: string): boolean {
  return path.split(/[\\/]+/).includes('..');
}

/** Realpath of something that exists, else null (missing, unreadable folder, ...). */
async function realOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

function realSyncOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Serial device names: ttyACM0, ttyUSB0, ttyS0, ttyAMA0, tty.usbmodem1 (macOS), cu.*, pts/N, rfcomm0. */
const POSIX_PORT = /^\/dev\/(pts\/\d+|tty[A-Za-z][\w.-]*|cu\.[\w.-]+|rfcomm\d+)$/;
const WINDOWS_PORT = /^(\\\\\.\\)?COM\d{1,3}$/i;

export class PathPolicy {
  /** Real paths of single files the user chose (dialog, command line). */
  private readonly files = new Set<string>();
  /** Lexical paths of those files as given: a granted file that vanished reads as NOT_FOUND. */
  private readonly given = new Set<string>();
  /** Real paths of folders whose contents are readable (the app's own, folders on the command line). */
  private readonly folders = new Set<string>();
  /** Save-dialog targets by resolved path; each is used once. */
  private readonly writes = new Map<string, WriteGrant>();

  constructor(private readonly recent: RecentPaths = async () => []) {}

  /**
   * Grant reading a file, or everything inside a folder: a dialog's result, a command-line
   * argument, the app's own folders. Main side only.
   */
  grantRead(path: string): void {
    const abs = resolve(path);
    const real = realSyncOrSelf(abs);
    let folder = false;
    try {
      folder = statSync(real).isDirectory();
    } catch {
      // missing: granted as a file (opening it says NOT_FOUND)
    }
    if (folder) this.folders.add(real);
    else {
      this.files.add(real);
      this.given.add(abs);
    }
  }

  /**
   * Grant one write to `path`, chosen in a save dialog. `overwrite`: the dialog confirmed
   * replacing an existing file (Electron's save dialog asks). The folder must exist.
   */
  grantWrite(path: string, opts: { overwrite: boolean }): void {
    const abs = resolve(path);
    this.writes.set(abs, { realFolder: realSyncOrSelf(dirname(abs)), overwrite: opts.overwrite });
  }

  /**
   * The path to read if the policy allows it (a file or, for data, a folder); throws
   * FORBIDDEN_PATH (not granted, traversal, symlink out of a granted folder) or NOT_FOUND (a
   * granted file that is gone). Existence of files outside the grants is never revealed.
   */
  async readable(path: string): Promise<string> {
    const abs = this.lexical(path);
    const real = await realOrNull(abs);
    if (real === null) {
      const realParent = await realOrNull(dirname(abs));
      const inFolder = realParent !== null && [...this.folders].some((f) => within(f, realParent));
      if (inFolder || this.given.has(abs) || (await this.recent()).includes(abs))
        throw new ServiceError('NOT_FOUND', `No such file: ${abs}`, { path: abs });
      refuse(abs, 'not-granted', 'not a file you opened; open it with the file dialog or upload it');
    }
    if (this.files.has(real)) return abs;
    for (const f of this.folders) if (within(f, real)) return abs;
    const recent = await this.recent();
    if (recent.includes(abs)) {
      // Opened before: still only as the same file, never through a link placed there since.
      if ((await lstat(abs)).isSymbolicLink() && !recent.includes(real))
        refuse(abs, 'symlink', 'now a symbolic link to a file you did not open');
      return abs;
    }
    // A link (or a linked folder) that leads out of what was granted.
    const viaLink = abs !== real && (this.given.has(abs) || [...this.folders].some((f) => within(f, abs)));
    refuse(
      abs,
      viaLink ? 'symlink' : 'not-granted',
      viaLink
        ? `a symbolic link to ${real}, which you did not open`
        : 'not a file you opened; open it with the file dialog or upload it',
    );
  }

  /**
   * Check every file a data folder yields: each must still resolve inside the folder (a link
   * in a granted folder must not lead out of it).
   */
  async readableInside(folder: string, file: string): Promise<string> {
    const realFolder = await realOrNull(folder);
    const real = await realOrNull(file);
    if (realFolder === null || real === null || !within(realFolder, real))
      refuse(file, 'symlink', `leads out of ${folder}`);
    return file;
  }

  /**
   * The target to write if a save dialog granted it: the folder exists and is the one the
   * user saw (no symlinked folder swapped in), the target is not a link or a folder, and an
   * existing file is replaced only when the dialog confirmed it. Consumes the grant.
   */
  async writable(path: string): Promise<WriteTarget> {
    const abs = this.lexical(path);
    const grant = this.writes.get(abs);
    if (!grant) refuse(abs, 'not-granted', 'not a save target you chose; choose it with the save dialog');
    const folder = dirname(abs);
    const realFolder = await realOrNull(folder);
    if (realFolder === null || !(await stat(realFolder)).isDirectory())
      refuse(abs, 'no-folder', `the folder ${folder} does not exist (QuantScope does not create folders)`);
    if (realFolder !== grant.realFolder)
      refuse(abs, 'symlink', `the folder ${folder} now leads to ${realFolder}`);
    const existing = await lstat(abs).catch(() => null);
    if (existing?.isSymbolicLink()) refuse(abs, 'symlink', 'is a symbolic link; not written through');
    if (existing && !existing.isFile()) refuse(abs, 'not-a-file', 'exists and is not a file');
    if (existing && !grant.overwrite)
      refuse(abs, 'exists', 'already exists and replacing it was not confirmed; choose another name');
    this.writes.delete(abs);
    return { path: abs, overwrite: grant.overwrite };
  }

  /**
   * A serial port path to open or probe: a terminal device (after links), or a missing path
   * under /dev (nothing is opened; discovery reports it gone). Anything else is refused.
   */
  async port(path: string): Promise<string> {
    if (process.platform === 'win32') {
      if (WINDOWS_PORT.test(path)) return path;
      refuse(path, 'not-a-port', 'not a serial port (COM1, COM2, ...)');
    }
    const abs = this.lexical(path);
    const real = await realOrNull(abs);
    if (real === null) {
      if (dirname(abs) === '/dev' || abs.startsWith('/dev/')) return abs;
      refuse(abs, 'not-a-port', 'not a serial port (e.g. /dev/ttyACM0 or /dev/pts/3)');
    }
    const s = await stat(real).catch(() => null);
    if (!s?.isCharacterDevice() || !POSIX_PORT.test(real))
      refuse(abs, 'not-a-port', 'not a serial port (e.g. /dev/ttyACM0 or /dev/pts/3)');
    return abs;
  }

  /** Absolute and free of `..`: the form every grant is kept in. */
  private lexical(path: string): string {
    if (!isAbsolute(path)) refuse(path, 'relative', 'not an absolute path');
    if (hasDotDot(path)) refuse(path, 'traversal', 'contains ".."; give the path without it');
    return resolve(path);
  }
}
