/**
 * `quantscope report INT8_MODEL --float FLOAT_MODEL --data DATA --out R.csv|.html|.json`: the
 * quantization report of an int8 model made anywhere (our quantizer, the TFLite converter, MLTK)
 * against its float model, on representative data.
 */
import type { Command } from 'commander';
import { readDataPath } from '../../services/quantize/data-files.ts';
import { quantFormatOf } from '../../services/quantize/export.ts';
import { reportTask } from '../../services/quantize/quantize-task.ts';
import { checkOutputPath } from '../../services/output-path.ts';
import {
  positiveInt,
  readNamed,
  stderrProgress,
  summaryLines,
  thresholdsOf,
  writeReport,
} from './quant-common.ts';

interface ReportOptions {
  float: string;
  data: string;
  out: string;
  samples?: string;
  maxRmseScale?: string;
  maxRange?: string;
  quiet?: boolean;
  force?: boolean;
}

export async function reportCommand(int8Path: string, o: ReportOptions): Promise<void> {
  // a folder, a missing folder, an existing file or a bad extension fails before the work
  await checkOutputPath({ flag: '--out', path: o.out }, o.force);
  quantFormatOf(o.out);
  const [int8, float] = await Promise.all([
    readNamed(int8Path, 'int8 model'),
    readNamed(o.float, 'float model'),
  ]);
  const data = await readDataPath(o.data);
  const report = await reportTask(
    {
      int8,
      float,
      data,
      thresholds: thresholdsOf(o),
      ...(o.samples ? { maxSamples: positiveInt(o.samples, '--samples') } : {}),
    },
    stderrProgress(o.quiet),
  );
  const path = await writeReport(report, o.out, o.force);
  process.stdout.write([...summaryLines(report), `report: ${path}`].join('\n') + '\n');
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'Quantization report of an int8 .tflite against its float model (.tflite, .h5 or .keras) on representative data',
    )
    .argument('<int8-model>', 'int8 .tflite (ours or converted elsewhere)')
    .requiredOption('--float <model>', 'the float model it was made from (.tflite, Keras .h5 or .keras)')
    .requiredOption('--data <path>', 'a folder of images or .npy files, or one .npy/.npz/.csv')
    .requiredOption('--out <file>', 'report file: .csv (MLTK columns), .html or .json')
    .option('--samples <n>', 'use at most n samples')
    .option('--max-rmse-scale <x>', 'flag layers with rmse/scale above x (default 0.7)')
    .option('--max-range <x>', 'flag layers with range above x (default 255)')
    .option('--quiet', 'no progress on stderr')
    .option('--force', 'overwrite the --out file if it already exists')
    .action((model: string, opts: ReportOptions) => reportCommand(model, opts));
}
