/**
 * The TFLite Micro golden corpus as test cases: every golden in the shared fixtures (golden/ and
 * field/golden/) and the MUST_RUN list, the goldens the interpreter core must run and match.
 *
 * The list is golden-must-run.txt (one regular expression per line, matched against the golden's
 * id), read here for the TypeScript tests (WASM simulator, virtual board, QEMU) and by
 * scripts/golden-to-bin.mjs for the firmware's C golden test: one list for every build of the core.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIBM_OPS } from '../../scripts/docs-ops.ts';
import { fixturePath, listFixtures } from './fixtures.ts';

export const MUST_RUN_FILE = join(dirname(fileURLToPath(import.meta.url)), 'golden-must-run.txt');

/** Patterns of golden ids ("golden/<file>.json", "field/<file>.json") the core must run. */
export const MUST_RUN: RegExp[] = readFileSync(MUST_RUN_FILE, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => new RegExp(l));

/**
 * |core - TFLM| bound for float32 op outputs: the core's float kernels sum in another order than
 * TFLM's reference (sine_float's FULLY_CONNECTED: 1 ulp; 1.2e-7 before the core took over).
 */
export const FLOAT_TOL = 1.2e-7;

/**
 * float32 op outputs at or after the first float32 op whose TFLite Micro kernel calls the C math
 * library (LIBM_OPS: LSTM's gates, LOGISTIC, TANH, EXP, SOFTMAX, ...) may instead differ by a
 * relative FLOAT_REL_TOL: the goldens ran on glibc, the core links its target's C library
 * (wasi-libc, newlib), whose expf/tanhf may round an ulp the other way, and a recurrence or the
 * layers after it carry that on (the field-models issue's rule). Same rule as test_golden.c.
 */
export const FLOAT_REL_TOL = 1e-5;
const LIBM_OP_NAMES = new Set(LIBM_OPS.map(([op]) => op));

/** Tracks, op by op in execution order, whether a float32 libm op has run; gives the bound. */
export function floatTolerance(): { see(op: string, dtype: string): void; bound(expected: number): number } {
  let afterLibm = false;
  return {
    see(op, dtype) {
      if (dtype === 'float32' && LIBM_OP_NAMES.has(op)) afterLibm = true;
    },
    bound: (expected) => (afterLibm ? Math.max(FLOAT_TOL, FLOAT_REL_TOL * Math.abs(expected)) : FLOAT_TOL),
  };
}

export interface GoldenFile {
  /** "golden/<file>.json" or "field/<file>.json": what MUST_RUN matches */
  id: string;
  /** the golden JSON, relative to the fixtures folder ("golden/x.json", "field/golden/x.json") */
  path: string;
}

/** Every golden of both folders, golden/ first, each sorted by file name. */
export function listGoldens(): GoldenFile[] {
  return [
    ...listFixtures('golden', '.json').map((f) => ({ id: `golden/${f}`, path: `golden/${f}` })),
    ...listFixtures('field/golden', '.json').map((f) => ({ id: `field/${f}`, path: `field/golden/${f}` })),
  ];
}

export function isMustRun(id: string): boolean {
  return MUST_RUN.some((r) => r.test(id));
}

/** The goldens on the MUST_RUN list, with the byte size of their model. */
export function mustRunGoldens(): (GoldenFile & { modelBytes: number })[] {
  return listGoldens()
    .filter((g) => isMustRun(g.id))
    .map((g) => ({ ...g, modelBytes: readFileSync(goldenModelPath(g.path)).length }));
}

/** Absolute path of a golden's model: its "model" field is relative to the folder above golden/. */
export function goldenModelPath(path: string): string {
  const g = JSON.parse(readFileSync(fixturePath(path), 'utf8')) as { model: string };
  return fixturePath(dirname(dirname(path)), g.model);
}
