/**
 * `quantscope quantize FLOAT_MODEL --data DATA [--norm none|rescale:255|meanstd] [--io int8|float32]
 *  [--fc-per-tensor] [--method auto|minmax|percentile|mse] [--keep-float LAYER…] [--int16 LAYER…|all]
 *  [--lowering-interior int16|int8]
 *  [--suggest --target-snr DB|--target-rmse X [--suggest-mode float|int16]]
 *  [--out M.tflite] [--report R.csv|.html|.json]`: post-training int8 quantization of a float .tflite
 * or Keras .h5 with representative data; chosen layers kept in float32 or put in int16x8.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../services/atomic-write.ts';
import { ServiceError } from '../../services/errors.ts';
import { readDataPath } from '../../services/quantize/data-files.ts';
import { quantFormatOf } from '../../services/quantize/export.ts';
import { int8Name, quantizeTask, type QuantizePayload } from '../../services/quantize/quantize-task.ts';
import { checkOutputPaths } from '../../services/output-path.ts';
import {
  positiveInt,
  readNamed,
  stderrProgress,
  summaryLines,
  thresholdsOf,
  writeReport,
} from './quant-common.ts';
import { suggestCommand, suggestTarget } from './quantize-suggest.ts';

interface QuantizeOptions {
  data: string;
  norm?: string;
  io?: string;
  fcPerTensor?: boolean;
  method?: string;
  keepFloat?: string[];
  int16?: string[];
  loweringInterior?: string;
  out?: string;
  report?: string;
  samples?: string;
  maxRmseScale?: string;
  maxRange?: string;
  quiet?: boolean;
  force?: boolean;
  suggest?: boolean;
  targetSnr?: string;
  targetRmse?: string;
  suggestMode?: string;
}

export async function quantizeCommand(modelPath: string, o: QuantizeOptions): Promise<void> {
  if (o.io !== undefined && o.io !== 'int8' && o.io !== 'float32')
    throw new ServiceError('BAD_ARGUMENT', `--io ${o.io}: expected int8 or float32`);
  const methods = ['auto', 'minmax', 'percentile', 'mse'];
  if (o.method !== undefined && !methods.includes(o.method))
    throw new ServiceError('BAD_ARGUMENT', `--method ${o.method}: expected ${methods.join(', ')}`);
  if (o.loweringInterior !== undefined && o.loweringInterior !== 'int16' && o.loweringInterior !== 'int8')
    throw new ServiceError(
      'BAD_ARGUMENT',
      `--lowering-interior ${o.loweringInterior}: expected int16 or int8`,
    );
  if (o.suggest) {
    suggestTarget(o); // a bad target fails before any work
    return suggestCommand(modelPath, await payloadOf(modelPath, o), o);
  }
  if (o.targetSnr !== undefined || o.targetRmse !== undefined || o.suggestMode !== undefined)
    throw new ServiceError(
      'BAD_ARGUMENT',
      '--target-snr, --target-rmse and --suggest-mode go with --suggest',
    );
  // outputs are checked before any work: a folder, a missing folder or an existing file fails now
  const [out] = await checkOutputPaths(
    [
      { flag: '--out', path: o.out ?? int8Name(basename(modelPath)) },
      ...(o.report ? [{ flag: '--report', path: o.report }] : []),
    ],
    o.force,
  );
  if (o.report) quantFormatOf(o.report);
  const r = await quantizeTask(await payloadOf(modelPath, o), stderrProgress(o.quiet));
  await writeFileAtomic(out, r.bytes, { overwrite: Boolean(o.force) });
  // The report names the model as written (--out), not the default <name>.int8.tflite.
  r.report.model = basename(out);
  const lines = [`${basename(modelPath)} → ${out} (${r.bytes.length} bytes)`, ...summaryLines(r.report)];
  if (o.report) lines.push(`report: ${await writeReport(r.report, o.report, o.force)}`);
  process.stdout.write(lines.join('\n') + '\n');
}

/** The quantize task's input from the command line: model and data read, options checked. */
async function payloadOf(modelPath: string, o: QuantizeOptions): Promise<QuantizePayload> {
  const model = await readNamed(modelPath, 'model file');
  const data = await readDataPath(o.data);
  return {
    model,
    data,
    ...(o.norm !== undefined ? { norm: o.norm } : {}),
    ...(o.io ? { io: o.io as 'int8' | 'float32' } : {}),
    ...(o.fcPerTensor ? { fcPerTensor: true } : {}),
    ...(o.method ? { method: o.method as 'auto' } : {}),
    ...(o.keepFloat ? { keepFloat: o.keepFloat } : {}),
    ...(o.int16 ? { int16: o.int16.length === 1 && o.int16[0] === 'all' ? ('all' as const) : o.int16 } : {}),
    ...(o.loweringInterior ? { loweringInterior: o.loweringInterior as 'int16' | 'int8' } : {}),
    thresholds: thresholdsOf(o),
    ...(o.samples ? { maxSamples: positiveInt(o.samples, '--samples') } : {}),
  };
}

export function register(program: Command): void {
  program
    .command('quantize')
    .description(
      'Quantize a float .tflite, Keras .h5 or .keras model to int8 with representative data, and report the error per layer',
    )
    .argument('<float-model>', 'float .tflite, Keras .h5 or Keras 3 .keras')
    .requiredOption(
      '--data <path>',
      'representative data: a folder of images (PNG/JPEG/BMP) or .npy files, or one .npy/.npz/.csv',
    )
    .option(
      '--norm <spec>',
      'input normalization stored in the model: none, rescale:<c> (x/c, e.g. rescale:255) or meanstd (default: the model’s own parameters)',
    )
    .option('--io <type>', 'inference input/output type: int8 or float32 (default int8)')
    .option(
      '--fc-per-tensor',
      'per-tensor Dense (FULLY_CONNECTED) weights, for runtimes without per-channel FULLY_CONNECTED (default per-channel)',
    )
    .option(
      '--method <m>',
      'activation range method: auto (default: best of the others), minmax, percentile, mse',
    )
    .option(
      '--keep-float <layer...>',
      'keep these layers in float32 (DEQUANTIZE before, QUANTIZE after); layer names as the report shows them (tensor_name)',
    )
    .option(
      '--int16 <layer...>',
      "put these layers in int16x8 (int16 activations, int8 weights, int64 bias), or 'all' for every layer with an int16 kernel",
    )
    .option(
      '--lowering-interior <p>',
      'Keras layers lowered to several ops (LayerNormalization, swish, gelu, MultiHeadAttention, …): int16 (default: their inside in 16x8, int8 at the layer boundary) or int8 (the TFLite converter’s all-int8 form)',
    )
    .option(
      '--suggest',
      'pick the layers to keep in float32 (or int16x8) until the model-level error meets --target-snr or --target-rmse: greedy by accumulated RMSE, each step re-quantized and kept only if it lowers the error; writes the model only with --out',
    )
    .option('--target-snr <dB>', 'with --suggest: the output SNR to reach (at least, in dB)')
    .option('--target-rmse <x>', 'with --suggest: the output RMSE to reach (at most)')
    .option(
      '--suggest-mode <m>',
      'with --suggest: float (keep layers in float32, default) or int16 (int16x8)',
    )
    .option(
      '--out <file>',
      'int8 model to write (default <name>.int8.tflite in the current folder; with --suggest only when given)',
    )
    .option(
      '--report <file>',
      'write the quantization report: .csv (MLTK columns), .html or .json; NAME.metrics.csv for the model-level metrics',
    )
    .option('--samples <n>', 'use at most n samples')
    .option('--max-rmse-scale <x>', 'flag layers with rmse/scale above x (default 0.7)')
    .option('--max-range <x>', 'flag layers with range above x (default 255)')
    .option('--quiet', 'no progress on stderr')
    .option('--force', 'overwrite --out and --report files that already exist')
    .action((model: string, opts: QuantizeOptions) => quantizeCommand(model, opts));
}
