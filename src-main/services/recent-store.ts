/**
 * Recently opened model files, persisted as JSON in the user config folder
 * (`recent.json`, written atomically). A corrupt or missing file reads as an empty list.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RecentModel } from '../shared/api.ts';
import { writeFileAtomic } from './atomic-write.ts';

export const MAX_RECENT = 10;

export class RecentStore {
  readonly file: string;
  // Serialize read-modify-write cycles so concurrent opens cannot lose entries.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(configDir: string) {
    this.file = join(configDir, 'recent.json');
  }

  /** Most recent first; entries whose file no longer exists are left out. */
  async list(): Promise<RecentModel[]> {
    const all = await this.read();
    return all.filter((r) => existsSync(r.path));
  }

  /** Move `path` to the front (adding it if new) and persist. */
  add(path: string, now: Date = new Date()): Promise<RecentModel[]> {
    const next = this.queue.then(async () => {
      const rest = (await this.read()).filter((r) => r.path !== path);
      const list = [{ path, name: basename(path), openedAt: now.toISOString() }, ...rest].slice(
        0,
        MAX_RECENT,
      );
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, recent: list }, null, 2) + '\n', {
        createFolder: true, // the app's own config folder
      });
      return list;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<RecentModel[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(text) as { recent?: unknown };
      if (!Array.isArray(parsed.recent)) return [];
      return parsed.recent.filter(
        (r): r is RecentModel =>
          r !== null &&
          typeof r === 'object' &&
          typeof (r as RecentModel).path === 'string' &&
          typeof (r as RecentModel).name === 'string' &&
          typeof (r as RecentModel).openedAt === 'string',
      );
    } catch {
      return []; // a corrupt settings file must not break opening models
    }
  }
}
