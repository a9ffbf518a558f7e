/**
 * Remote boards the user added (rfc2217://host:port, socket://host:port), remembered in the user
 * config folder (`remote-boards.json`, written atomically) and offered again on the next start.
 * A board is remembered once it answered the handshake; a corrupt or missing file reads as none.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRemoteBoardUrl, parseRemoteBoardUrl } from '../../core/protocol/remote-url.ts';
import { writeFileAtomic } from '../atomic-write.ts';

export const MAX_REMOTE_BOARDS = 20;

export class RemoteBoardStore {
  readonly file: string;
  // Serialize read-modify-write cycles so concurrent adds cannot lose entries.
  private queue: Promise<unknown> = Promise.resolve();
  /** URLs already handed to discovery in this process (it keeps probing them from then on). */
  private readonly offered = new Set<string>();

  constructor(configDir: string) {
    this.file = join(configDir, 'remote-boards.json');
  }

  /** Remembered URLs, most recently added first. */
  async list(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(text) as { boards?: unknown };
      if (!Array.isArray(parsed.boards)) return [];
      return parsed.boards.filter((u): u is string => {
        if (typeof u !== 'string' || !isRemoteBoardUrl(u)) return false;
        try {
          return parseRemoteBoardUrl(u).url === u; // only what add() wrote
        } catch {
          return false;
        }
      });
    } catch {
      return []; // a corrupt settings file must not break the board list
    }
  }

  /** Remembered URLs not yet handed to discovery by this process (each is handed over once). */
  async toOffer(): Promise<string[]> {
    const fresh = (await this.list()).filter((u) => !this.offered.has(u));
    for (const u of fresh) this.offered.add(u);
    return fresh;
  }

  /** Moves `url` (a normalized remote board URL) to the front, adding it if new, and persists. */
  add(url: string): Promise<string[]> {
    this.offered.add(url);
    const next = this.queue.then(async () => {
      const list = [url, ...(await this.list()).filter((u) => u !== url)].slice(0, MAX_REMOTE_BOARDS);
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, boards: list }, null, 2) + '\n', {
        createFolder: true, // the app's own config folder
      });
      return list;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
