/**
 * What the app does with one mutant, as the model view and the simulator would: the TypeScript
 * reader + summary (shows the model or names what is wrong), the interpreter core's verdict, and for
 * a model the core accepts, prepare + invoke on seeded inputs. Each step's outcome is classified;
 * a CRASH is an exception the app would show as a stack trace (a built-in error such as TypeError
 * or RangeError, or one without a message).
 */
import { ModelFormatError } from '../../src-main/core/model/errors.ts';
import type { Model } from '../../src-main/core/model/ir.ts';
import { summarize } from '../../src-main/core/model/summary.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { SimulateError } from '../../src-main/core/simulate/errors.ts';
import { seededInputs } from '../../src-main/core/simulate/inputs/seed.ts';
import { invoke, prepare } from '../../src-main/core/simulate/interpreter.ts';
import type { Mutant } from './generate.ts';
import { wasmVerdict, type Verdict } from './verdicts.ts';

export interface Judged {
  file: string;
  kind: string;
  breaks?: string;
  /** readTflite + summarize: shown, refused with a named error, or a crash. */
  reader: 'ok' | 'refused' | 'crash';
  core: Verdict;
  /** prepare + invoke of a model the core accepts: ran, refused with a SimulateError, a crash, or
   * not tried (the core refused it, or the reader did and there is no model to prepare). */
  run: 'ran' | 'refused' | 'crash' | 'not-tried';
  /** The message of a refusal or a crash ('Name: message' for crashes). */
  readerMessage?: string;
  runMessage?: string;
}

/** A refusal the app can show as it is: our own error types, or a plain Error with a message. */
function namedRefusal(e: unknown): boolean {
  if (!(e instanceof Error) || !e.message) return false;
  return e instanceof ModelFormatError || e instanceof SimulateError || e.constructor === Error;
}

const describe = (e: unknown): string =>
  e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack ?? ''}` : `thrown ${String(e)}`;

export function judgeMutant(m: Mutant): Judged {
  const out: Judged = {
    file: m.file,
    kind: m.kind,
    ...(m.breaks ? { breaks: m.breaks } : {}),
    reader: 'ok',
    core: wasmVerdict(m.bytes),
    run: 'not-tried',
  };
  let model: Model | null = null;
  try {
    model = readTflite(m.bytes);
    summarize(model);
  } catch (e) {
    model = null;
    out.reader = namedRefusal(e) && !(e instanceof SimulateError) ? 'refused' : 'crash';
    out.readerMessage = out.reader === 'crash' ? describe(e) : (e as Error).message;
  }
  if (out.core.status !== 'OK' || !model) return out;
  try {
    const pm = prepare(model, 0, { bytes: m.bytes });
    invoke(pm, seededInputs(pm.inputs, 1), { taps: true });
    out.run = 'ran';
  } catch (e) {
    out.run = e instanceof SimulateError && e.message ? 'refused' : 'crash';
    out.runMessage = out.run === 'crash' ? describe(e) : (e as Error).message;
  }
  return out;
}

/** Whether a core refusal names its rule: a message, and the op or tensor it is about (a graph
 * input or output index out of range has no tensor to name: its message names the graph's list). */
export const namesRule = (v: Verdict): boolean =>
  v.status !== 'OK' && !!v.message && (v.op >= 0 || v.tensor >= 0 || /^graph (input|output)/.test(v.message));
