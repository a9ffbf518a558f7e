/**
 * Writes a comparison's per-layer figures as Model Explorer node-data files beside each other:
 * `--model-explorer out/person.json` writes out/person.max_abs_diff_lsb.json, …rmse_lsb.json,
 * …measured_us.json, …estimated_us.json, …tensor_bytes.json (the figures the run has), each to be
 * loaded in Model Explorer over the same .tflite ("Add per-node data").
 */
import { basename, resolve } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import type { CompareResult } from '../../core/compare/types.ts';
import { readTflite } from '../../core/model/tflite-reader.ts';
import { modelExplorerNodeData } from '../../core/report/model-explorer.ts';
import { writeFileAtomic } from '../atomic-write.ts';

/** The file of one figure: OUT.json -> OUT.<figure>.json. */
export function nodeDataPath(out: string, figure: string): string {
  return resolve(out).replace(/\.json$/i, '') + `.${figure}.json`;
}

export async function writeModelExplorerNodeData(
  r: CompareResult,
  modelBytes: Uint8Array,
  out: string,
  write: { overwrite: boolean },
): Promise<string[]> {
  if (!/\.json$/i.test(out))
    throw new Error(`--model-explorer ${out}: node data files are .json (OUT.json writes OUT.<figure>.json)`);
  const data = modelExplorerNodeData(r, readTflite(modelBytes));
  const written: string[] = [];
  for (const [figure, doc] of Object.entries(data)) {
    const path = nodeDataPath(out, figure);
    await writeFileAtomic(path, JSON.stringify(doc, null, 1) + '\n', write);
    written.push(path);
  }
  return written;
}

/**
 * The same files as one .zip (the app's export button: one download or one save): `STEM.<figure>.json`
 * for every figure the run has, each loadable in Model Explorer over the same .tflite.
 */
export function modelExplorerZip(r: CompareResult, modelBytes: Uint8Array, stem: string): Uint8Array {
  const data = modelExplorerNodeData(r, readTflite(modelBytes));
  const files: Record<string, Uint8Array> = {};
  for (const [figure, doc] of Object.entries(data))
    files[`${basename(stem)}.${figure}.json`] = strToU8(JSON.stringify(doc, null, 1) + '\n');
  // a fixed date: the same comparison gives the same bytes
  return zipSync(files, { mtime: new Date('2020-01-01T00:00:00Z') });
}
