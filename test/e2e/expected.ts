/**
 * What the UI must show for each fixture model. Two independent sources:
 * - facts published with the fixtures (`SOURCES.md` op lists, TFLite Micro goldens: one output
 *   per operator), for the int8 models in `models/`;
 * - the project's own readers run in the test process, so every number the UI renders is checked
 *   against the core that `quantscope summary --json` also uses.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readKeras, summarizeKeras } from '../../src-main/core/model/keras/index.ts';
import { summarize } from '../../src-main/core/model/summary.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import type { ModelSummary } from '../../src-main/shared/summary.ts';
import { FIXTURES } from '../helpers/fixtures.ts';

/** Op type → count, from the fixtures' SOURCES.md table. */
export const PUBLISHED_OPS: Record<string, Record<string, number>> = {
  'hello_world_int8.tflite': { FULLY_CONNECTED: 3 },
  'micro_speech_quantized.tflite': { RESHAPE: 1, DEPTHWISE_CONV_2D: 1, FULLY_CONNECTED: 1, SOFTMAX: 1 },
  'person_detect.tflite': { DEPTHWISE_CONV_2D: 14, CONV_2D: 14, AVERAGE_POOL_2D: 1, RESHAPE: 1, SOFTMAX: 1 },
  'simple_add_model.tflite': { ADD: 1 },
  'keyword_spotting_on_off.tflite': {
    CONV_2D: 3,
    MAX_POOL_2D: 1,
    RESHAPE: 1,
    FULLY_CONNECTED: 1,
    SOFTMAX: 1,
  },
  'image_example1.tflite': { CONV_2D: 3, AVERAGE_POOL_2D: 2, RESHAPE: 1, FULLY_CONNECTED: 1, SOFTMAX: 1 },
  'rock_paper_scissors.tflite': {
    QUANTIZE: 1,
    CONV_2D: 3,
    MAX_POOL_2D: 3,
    RESHAPE: 1,
    FULLY_CONNECTED: 2,
    SOFTMAX: 1,
    DEQUANTIZE: 1,
  },
  'autoencoder_example.tflite': { QUANTIZE: 1, FULLY_CONNECTED: 6, LOGISTIC: 1, DEQUANTIZE: 1 },
};

export interface FixtureModel {
  /** `models` or `float` */
  dir: string;
  file: string;
  path: string;
  summary: ModelSummary;
  /** Op counts from SOURCES.md when published, else null. */
  published: Record<string, number> | null;
  /** Operators run by TFLite Micro for the golden (one output each), when a golden exists. */
  goldenOps: number | null;
}

function goldenOps(file: string): number | null {
  const golden = join(FIXTURES, 'golden', file.replace(/\.tflite$/, '.json'));
  try {
    return (JSON.parse(readFileSync(golden, 'utf8')) as { op_outputs: unknown[] }).op_outputs.length;
  } catch {
    return null;
  }
}

/** One fixture model with its expected summary from the core readers. */
export async function expectedModel(dir: string, file: string): Promise<FixtureModel> {
  const path = join(FIXTURES, dir, file);
  const bytes = new Uint8Array(readFileSync(path));
  const summary = /\.(h5|keras)$/.test(file)
    ? summarizeKeras(await readKeras(bytes))
    : summarize(readTflite(bytes));
  return {
    dir,
    file,
    path,
    summary,
    published: dir === 'models' ? (PUBLISHED_OPS[file] ?? null) : null,
    goldenOps: dir === 'models' ? goldenOps(file) : null,
  };
}

/** Op type → count of a summary. */
export function opCounts(summary: ModelSummary): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of summary.layers) counts[l.op] = (counts[l.op] ?? 0) + 1;
  return counts;
}

/**
 * Every model file in `models/` and `float/`, and the Keras 3 `.keras` files in `keras3/` (known
 * before the tests are declared).
 */
export function fixtureFiles(): { dir: string; file: string }[] {
  const files = (dir: string, pattern: RegExp) =>
    readdirSync(join(FIXTURES, dir))
      .filter((f) => pattern.test(f))
      .sort()
      .map((file) => ({ dir, file }));
  return [
    ...['models', 'float'].flatMap((dir) => files(dir, /\.(tflite|h5)$/)),
    ...files('keras3', /\.keras$/),
  ];
}
