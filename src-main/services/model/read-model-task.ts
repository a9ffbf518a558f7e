/**
 * Worker task: bytes → format detection → core reader → summary. Runs in a job worker so a huge or
 * hostile file can never stall the main process. Errors become MALFORMED_MODEL with the reader's
 * message (which names the problem), prefixed by the file name.
 */
import type { ModelFormat } from '../../shared/api.ts';
import type { ModelSummary } from '../../shared/summary.ts';
import { ModelFormatError } from '../../core/model/errors.ts';
import { requireFormat } from '../../core/model/formats.ts';
import { readTflite } from '../../core/model/tflite-reader.ts';
import { summarize } from '../../core/model/summary.ts';
import { interpreterVerdict, type InterpreterVerdict } from '../../core/simulate/interpreter.ts';
import { kerasToTflite, readKeras, summarizeKeras, type KerasModel } from '../../core/model/keras/index.ts';
import { writeTflite } from '../../core/model/tflite-writer.ts';
import { ServiceError } from '../errors.ts';
import type { TaskContext } from '../jobs/messages.ts';

export interface ReadModelPayload {
  name: string;
  bytes: Uint8Array;
}

export interface ReadModelResult {
  format: ModelFormat;
  summary: ModelSummary;
}

/** Reader errors that describe the file (not a bug in QuantScope). */
function isFormatProblem(e: unknown): e is Error {
  return e instanceof ModelFormatError || (e instanceof Error && /^Not a /.test(e.message));
}

export async function readModelTask(p: ReadModelPayload, ctx: TaskContext): Promise<ReadModelResult> {
  ctx.progress(0, `Reading ${p.name}`);
  if (p.bytes.length === 0) throw new ServiceError('MALFORMED_MODEL', `${p.name}: the file is empty`);
  try {
    const format = requireFormat(p.bytes, p.name);
    if (format === 'tflite') {
      const model = readTflite(p.bytes);
      ctx.progress(0.6, 'Summarizing');
      const summary = summarize(model);
      ctx.progress(0.8, 'Checking with the interpreter core');
      summary.interpreter = interpreterVerdict(model, p.bytes);
      ctx.progress(1, 'Done');
      return { format: 'tflite', summary };
    }
    if (format === 'keras-h5' || format === 'keras') {
      const model = await readKeras(p.bytes);
      ctx.progress(0.6, 'Summarizing');
      const summary = summarizeKeras(model);
      ctx.progress(0.8, 'Converting for the interpreter core');
      summary.interpreter = kerasVerdict(model, summary);
      ctx.progress(1, 'Done');
      return { format, summary };
    }
    throw new ServiceError('UNSUPPORTED', `${p.name}: format ${String(format)} is not supported`);
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    if (isFormatProblem(e)) throw new ServiceError('MALFORMED_MODEL', `${p.name}: ${e.message}`);
    // Readers throw plain Errors on purpose (e.g. a Keras layer class we cannot load); built-in
    // error subclasses (TypeError, RangeError, ...) mean a bug here.
    if (e instanceof Error && e.constructor === Error) {
      throw new ServiceError('UNSUPPORTED', `${p.name}: ${e.message}`);
    }
    throw new ServiceError('INTERNAL', `${p.name}: failed to read the model: ${(e as Error).message ?? e}`);
  }
}

/**
 * A Keras model's verdict: the core's on its float TFLite conversion (what quantize and simulate
 * run), or the converter's reason when a layer cannot be lowered (named, with its row).
 */
function kerasVerdict(model: KerasModel, summary: ModelSummary): InterpreterVerdict {
  let converted;
  try {
    converted = kerasToTflite(model);
  } catch (e) {
    if (!(e instanceof Error) || e.constructor !== Error) throw e;
    const name = /^Keras layer (.+?) \(/.exec(e.message)?.[1];
    const layer = summary.layers.findIndex((l) => l.outputs[0]?.name === name);
    return { runs: false, message: e.message, ...(layer >= 0 ? { layer } : {}) };
  }
  const v = interpreterVerdict(converted, writeTflite(converted));
  // The core's op and tensor indices are the converted graph's, not the Keras layer rows.
  return v.runs ? v : { runs: false, message: `float conversion: ${v.message}` };
}
