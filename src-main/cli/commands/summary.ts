/**
 * `quantscope summary MODEL [--json]`: the model summary as JSON (stable snake_case keys, see
 * issue 2) or as a human-readable report with a layer table. Malformed files exit 1 with the
 * reader's message.
 */
import { isQuietOption } from '../../core/model/quiet-options.ts';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ModelSummary, TensorSummary } from '../../shared/summary.ts';
import { ServiceError } from '../../services/errors.ts';
import { readModelTask } from '../../services/model/read-model-task.ts';

/** Read and summarize a model file in this process (the CLI has no UI to keep responsive). */
export async function summarizeFile(path: string): Promise<{ format: string; summary: ModelSummary }> {
  const full = resolve(path);
  const s = await stat(full).catch(() => null);
  if (!s) throw new ServiceError('NOT_FOUND', `No such file: ${full}`);
  if (!s.isFile()) throw new ServiceError('BAD_ARGUMENT', `Not a file: ${full}`);
  const buf = await readFile(full);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return readModelTask({ name: basename(full), bytes }, { jobId: 'cli', progress: () => undefined });
}

const fmtInt = (n: number) => n.toLocaleString('en-US');

function shape(t: TensorSummary): string {
  return `${t.dtype}[${t.shape.join('x')}]`;
}

function quant(t: TensorSummary): string {
  const q = t.quantization;
  if (!q || q.scale.length === 0) return '';
  if (q.scale.length === 1) return `scale ${q.scale[0].toPrecision(6)} zp ${q.zero_point[0]}`;
  return `per-channel axis ${q.axis} (${q.scale.length} ch)`;
}

function optionText(options: Record<string, unknown>): string {
  return Object.entries(options)
    .filter(([k, v]) => v !== null && v !== undefined && typeof v !== 'object' && !isQuietOption(k, v))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** Left-aligned text table; numeric columns right-aligned. */
export function table(headers: string[], rows: string[][], numeric: Set<number>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatSummary(name: string, format: string, s: ModelSummary): string {
  const out: string[] = [];
  out.push(`${name}  (${format})`);
  if (s.metadata.description) out.push(`  ${s.metadata.description}`);
  out.push('');
  for (const [label, list] of [
    ['Inputs', s.inputs],
    ['Outputs', s.outputs],
  ] as const) {
    for (const t of list) out.push(`${label.padEnd(8)} ${t.name}  ${shape(t)}  ${quant(t)}`.trimEnd());
  }
  const t = s.totals;
  out.push('');
  out.push(
    `Ops ${fmtInt(t.ops)}   Params ${fmtInt(t.params)}   Weights ${fmtInt(t.weights_bytes)} B   ` +
      `MACs ${fmtInt(t.macs)}   Arena ${fmtInt(t.arena_bytes)} B`,
  );
  if (s.subgraphs)
    out.push(
      `Subgraphs ${s.subgraphs.length} (ops ${s.subgraphs.map((g) => g.ops).join(', ')}): the layers below are subgraph 0's; ` +
        'the others run inside its WHILE, IF or CALL_ONCE ops',
    );
  const v = s.interpreter;
  if (v) {
    out.push(
      v.runs
        ? `Interpreter core: runs this model (host arena ${fmtInt(v.arena_bytes)} B)`
        : `Interpreter core: refuses this model: ${v.message}`,
    );
  }
  const params = Object.entries(s.metadata.parameters);
  if (params.length > 0) {
    out.push('', 'Model parameters:');
    for (const [k, v] of params) out.push(`  ${k} = ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  }
  out.push('');
  const rows = s.layers.map((l) => [
    String(l.index),
    l.supported ? l.op : `${l.op} (options not decoded)`,
    l.outputs.map(shape).join(' '),
    fmtInt(l.macs),
    fmtInt(l.params),
    optionText(l.options),
  ]);
  out.push(table(['#', 'op', 'output', 'MACs', 'params', 'options'], rows, new Set([0, 3, 4])));
  return out.join('\n');
}

export function register(program: Command): void {
  program
    .command('summary')
    .description('Print a model summary: inputs/outputs, layers, MACs, parameters, memory')
    .argument('<model>', '.tflite, Keras .h5 or Keras 3 .keras file')
    .option('--json', 'machine-readable JSON (stable keys)')
    .action(async (model: string, opts: { json?: boolean }) => {
      const { format, summary } = await summarizeFile(model);
      if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else process.stdout.write(formatSummary(basename(model), format, summary) + '\n');
    });
}
