/**
 * What a CI pipeline gates on: `--fail-on mismatch|slower-than=PCT|error` (repeatable, or
 * comma-separated) decides the exit code once every model × board has a result, and `--junit FILE`
 * writes those results as JUnit XML (core/report/junit.ts). Exit codes: docs/cli.md.
 */
import { hostname } from 'node:os';
import type { CompareResult } from '../core/compare/types.ts';
import {
  compareProperties,
  junitXml,
  mismatchProblem,
  slowerProblem,
  type JunitCase,
} from '../core/report/junit.ts';
import { writeFileAtomic } from '../services/atomic-write.ts';
import { EXIT } from './exit.ts';

export interface FailOn {
  error: boolean;
  mismatch: boolean;
  /** Percent above the cost-model estimate a board may run; undefined: not gated. */
  slowerThanPct?: number;
}

/** Without --fail-on a command fails on errors only (as it always has). */
export function parseFailOn(values: readonly string[] | undefined): FailOn {
  if (!values?.length) return { error: true, mismatch: false };
  const gate: FailOn = { error: false, mismatch: false };
  for (const v of values.flatMap((x) => x.split(',')).map((x) => x.trim())) {
    const slower = /^slower-than=(.*)$/.exec(v);
    if (v === 'error') gate.error = true;
    else if (v === 'mismatch') gate.mismatch = true;
    else if (slower) {
      const pct = Number(slower[1].replace(/%$/, ''));
      if (slower[1] === '' || !Number.isFinite(pct) || pct <= -100)
        throw new Error(`--fail-on slower-than= expects a percentage above -100, got '${slower[1]}'`);
      gate.slowerThanPct = pct;
    } else
      throw new Error(`--fail-on expects mismatch, slower-than=PCT or error (comma-separated), got '${v}'`);
  }
  return gate;
}

/** One model × board: what the command produced, or why it could not. */
export type CaseOutcome =
  | { model: string; board: string; seconds: number; compare: CompareResult }
  | { model: string; board: string; seconds: number; error: string }
  | { model: string; board: string; seconds: number; properties: JunitCase['properties'] };

export function junitCase(command: string, o: CaseOutcome, gate: FailOn): JunitCase {
  const base = { model: o.model, board: o.board, command, seconds: o.seconds };
  if ('error' in o)
    return { ...base, properties: [], failures: [], error: { type: 'error', message: o.error } };
  if ('properties' in o) return { ...base, properties: o.properties, failures: [] };
  const r = o.compare;
  const failures = [mismatchProblem(r)];
  if (gate.slowerThanPct !== undefined) failures.push(slowerProblem(r, gate.slowerThanPct));
  return { ...base, properties: compareProperties(r), failures: failures.filter((f) => f !== null) };
}

/** Writes the JUnit file (when asked) and returns the exit code with its one-line reason. */
export async function finishCi(
  command: string,
  outcomes: readonly CaseOutcome[],
  gate: FailOn,
  junit: { path: string; overwrite: boolean } | undefined,
  startedAt: Date,
): Promise<{ code: number; reason?: string }> {
  const cases = outcomes.map((o) => junitCase(command, o, gate));
  if (junit)
    await writeFileAtomic(
      junit.path,
      junitXml(`quantscope ${command}`, cases, { timestamp: startedAt.toISOString(), hostname: hostname() }),
      { overwrite: junit.overwrite },
    );
  const errors = cases.filter((c) => c.error);
  // one board: its message as it is (as before --junit); several: each prefixed with its board
  const says = (list: { c: JunitCase; message: string }[]) =>
    cases.length === 1 ? list[0].message : list.map(({ c, message }) => `${c.board}: ${message}`).join('; ');
  if (gate.error && errors.length)
    return { code: EXIT.ERROR, reason: says(errors.map((c) => ({ c, message: c.error!.message }))) };
  const mismatched = cases.flatMap((c) =>
    c.failures.filter((f) => f.type === 'mismatch').map((f) => ({ c, f })),
  );
  if (gate.mismatch && mismatched.length)
    return { code: EXIT.MISMATCH, reason: says(mismatched.map(({ c, f }) => ({ c, message: f.message }))) };
  const slow = cases.flatMap((c) =>
    c.failures.filter((f) => f.type === 'slower-than').map((f) => ({ c, f })),
  );
  if (slow.length)
    return { code: EXIT.SLOWER, reason: says(slow.map(({ c, f }) => ({ c, message: f.message }))) };
  return { code: EXIT.OK };
}
