import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RECENT, RecentStore } from '../../src-main/services/recent-store.ts';
import { fixturePath, listFixtures } from '../helpers/fixtures.ts';

describe('RecentStore', () => {
  it('keeps most recent first, de-duplicated, capped, and survives concurrent adds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-recent-'));
    const store = new RecentStore(dir);
    const models = [...listFixtures('models', '.tflite'), ...listFixtures('float', '.tflite')].map((f) =>
      fixturePath(listFixtures('models', '.tflite').includes(f) ? 'models' : 'float', f),
    );
    expect(models.length).toBeGreaterThan(MAX_RECENT);
    await Promise.all(models.map((m, i) => store.add(m, new Date(Date.UTC(2026, 0, 1, 0, 0, i)))));
    let list = await store.list();
    expect(list.length).toBe(MAX_RECENT);
    expect(list[0].path).toBe(models.at(-1));
    await store.add(models.at(-3)!);
    list = await store.list();
    expect(list[0].path).toBe(models.at(-3));
    expect(new Set(list.map((r) => r.path)).size).toBe(list.length);
    // Only recent.json is left behind: temp files were renamed into place.
    expect(readdirSync(dir)).toEqual(['recent.json']);
  });

  it('drops vanished files and treats a corrupt file as empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qs-recent-'));
    const store = new RecentStore(dir);
    const gone = join(dir, 'gone.tflite');
    writeFileSync(gone, 'x');
    await store.add(gone);
    await store.add(fixturePath('models', 'person_detect.tflite'));
    rmSync(gone);
    expect((await store.list()).map((r) => r.name)).toEqual(['person_detect.tflite']);
    writeFileSync(store.file, '{ not json');
    expect(await store.list()).toEqual([]);
    await store.add(fixturePath('models', 'person_detect.tflite'));
    expect((await store.list()).length).toBe(1);
  });
});
