import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared third-party fixtures (../shared/fixtures beside the checkout), or QS_FIXTURES. */
export const FIXTURES = process.env.QS_FIXTURES ?? resolve(REPO, '../shared/fixtures');

if (!existsSync(FIXTURES)) {
  throw new Error(`Test fixtures not found at ${FIXTURES} (set QS_FIXTURES)`);
}

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function readFixture(...parts: string[]): Uint8Array {
  const b = readFileSync(fixturePath(...parts));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function listFixtures(dir: string, ext: string): string[] {
  return readdirSync(fixturePath(dir))
    .filter((f) => f.endsWith(ext))
    .sort();
}

export interface GoldenTensor {
  tensor: number;
  name: string;
  dtype: string;
  shape: number[];
  data_b64: string;
}

export interface Golden {
  model: string;
  inputs: GoldenTensor[];
  op_outputs: GoldenTensor[];
}

export function readGolden(name: string): Golden {
  return JSON.parse(readFileSync(fixturePath('golden', `${name}.json`), 'utf8')) as Golden;
}

export function goldenBytes(t: GoldenTensor): Uint8Array {
  return new Uint8Array(Buffer.from(t.data_b64, 'base64'));
}
