/** The seed models of the mutant corpus: the fixture .tflite files up to a size limit, each with the
 * core's verdict on it (the WebAssembly build; it only steers how many mutants a seed gets). */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CoreEngine } from '../../src-main/core/simulate/engine/core-engine.ts';
import type { SeedModel } from './generate.ts';

/** Folders of the shared fixtures that hold .tflite models. */
const FOLDERS = ['models', 'float', 'field/models'];

/** 'tensorflow__tensorflow_lite_micro_integration_tests_seanet_add_add0' → 'seanet_add_add0';
 * '..._examples_micro_speech_models_micro_speech_quantized' → 'micro_speech_quantized'. */
function shortName(file: string): string {
  const name = basename(file, '.tflite')
    .replace(/^[\w-]+?__/, '')
    .replace(/^(tensorflow_lite_micro_|python_tflite_micro_|third_party_xtensa_)/, '')
    .replace(/^(examples_|integration_tests_|models_)/, '')
    .replace(/^.*_models_/, '');
  return name.length > 32 ? name.slice(-32).replace(/^[^_]*_/, '') : name;
}

export function loadSeeds(fixtures: string, maxBytes: number): SeedModel[] {
  const seeds: SeedModel[] = [];
  const taken = new Set<string>();
  const seen = new Set<string>();
  for (const folder of FOLDERS) {
    let files: string[];
    try {
      files = readdirSync(join(fixtures, folder)).filter((f) => f.endsWith('.tflite'));
    } catch {
      continue;
    }
    for (const f of files.sort()) {
      const path = join(fixtures, folder, f);
      if (statSync(path).size > maxBytes) continue;
      let name = shortName(f);
      if (taken.has(name)) name = `${folder.split('/')[0]}-${name}`;
      taken.add(name);
      const bytes = new Uint8Array(readFileSync(path));
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (seen.has(digest)) continue; // the same model under another name
      seen.add(digest);
      seeds.push({ name, bytes, accepted: CoreEngine.verdict(bytes).ok });
    }
  }
  return seeds;
}
