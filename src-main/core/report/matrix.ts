/**
 * The several-board comparison matrix as JSON (schema `quantscope.matrix/1`, snake_case keys like
 * the comparison JSON) and as a self-contained HTML page (no scripts, a CSP that fetches nothing).
 */
import type { CompareMatrix, MatrixPair } from '../compare/matrix.ts';
import { escapeXml as esc, fmt } from './escape.ts';
import type { ReportMeta } from './json.ts';

export const MATRIX_SCHEMA = 'quantscope.matrix/1';

const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export function matrixJsonDoc(m: CompareMatrix, meta: ReportMeta): Record<string, unknown> {
  return {
    schema: MATRIX_SCHEMA,
    generated_at: meta.generatedAt,
    tool: meta.tool,
    model: m.model,
    input: m.input,
    boards: m.boards.map((b) =>
      defined({
        id: b.id,
        name: b.name,
        cpu: b.cpu,
        firmware: b.firmware,
        port: b.port,
        seconds: +b.seconds.toFixed(3),
        error: b.error,
        total_us: b.totalUs,
        total_cycles: b.totalCycles,
        measured_unit: b.measuredUnit,
        all_match: b.allMatch,
        first_divergent: b.firstDivergent,
        mismatched_layers: b.mismatchedLayers,
      }),
    ),
    pairs: m.pairs.map((p) => ({
      a: p.a,
      b: p.b,
      identical_layers: p.identicalLayers,
      differing_layers: p.differingLayers,
      first_divergent: p.firstDivergent,
      max_abs_diff: p.maxAbsDiff,
    })),
    layers: m.layers.map((l) => ({
      index: l.index,
      op: l.op,
      name: l.name,
      dtype: l.dtype,
      shape: l.shape,
      us: l.us,
    })),
  };
}

export function matrixJson(m: CompareMatrix, meta: ReportMeta): string {
  return JSON.stringify(matrixJsonDoc(m, meta), null, 1) + '\n';
}

/** "identical" or where the two first differ, for one matrix cell. */
export function pairVerdict(p: MatrixPair | undefined): string {
  if (!p) return '–';
  if (p.firstDivergent === null) return `identical (${p.identicalLayers} layers)`;
  return `differ from layer ${p.firstDivergent}: ${p.differingLayers} layer(s), max |Δ| ${fmt(p.maxAbsDiff)}`;
}

/** The pair of `a` and `b` in either order. */
export function findPair(m: CompareMatrix, a: string, b: string): MatrixPair | undefined {
  return m.pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
}

const CSS = `
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:24px 0 8px}.meta{color:#57606a}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;white-space:nowrap}
th{background:#f6f8fa}td.n{text-align:right}td.same{background:#dafbe1;color:#116329}
td.diff{background:#ffebe9;color:#a40e26;font-weight:600}td.err{color:#a40e26}
`;

export function matrixHtml(m: CompareMatrix, meta: ReportMeta): string {
  const ids = ['host', ...m.boards.filter((b) => !b.error).map((b) => b.id)];
  const cell = (a: string, b: string) => {
    if (a === b) return '<td>–</td>';
    const p = findPair(m, a, b);
    return `<td class="${p?.firstDivergent === null ? 'same' : 'diff'}">${esc(pairVerdict(p))}</td>`;
  };
  const boards = m.boards
    .map(
      (b) =>
        `<tr><td>${esc(b.id)}</td><td>${esc(b.name ?? '')}</td><td>${esc(b.cpu ?? '')}</td>` +
        (b.error
          ? `<td class="err" colspan="5">${esc(b.error)}</td>`
          : `<td class="${b.allMatch ? 'same' : 'diff'}">${b.allMatch ? 'all layers match' : `first divergent layer ${b.firstDivergent}`}</td>` +
            `<td class="n">${fmt(b.totalUs)}</td><td class="n">${fmt(b.totalCycles)}</td><td>${esc(b.measuredUnit ?? '')}</td><td class="n">${b.seconds.toFixed(2)}</td>`) +
        '</tr>',
    )
    .join('\n');
  const layerRows = m.layers
    .map(
      (l) =>
        `<tr><td class="n">${l.index}</td><td>${esc(l.op)}</td><td>${esc(l.name)}</td>` +
        l.us.map((u) => `<td class="n">${u === null ? '–' : fmt(u)}</td>`).join('') +
        '</tr>',
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(m.model.name)} on ${m.boards.length} boards</title><style>${CSS}</style></head><body>
<h1>${esc(m.model.name)} on ${m.boards.length} boards</h1>
<p class="meta">input ${esc(m.input)} · model sha256 ${esc(m.model.sha256)} · ${esc(meta.tool)} · ${esc(meta.generatedAt)}</p>
<h2>Each board against the host and against each other</h2>
<table class="matrix"><tr><th></th>${ids.map((i) => `<th>${esc(i)}</th>`).join('')}</tr>
${ids.map((a) => `<tr><th>${esc(a)}</th>${ids.map((b) => cell(a, b)).join('')}</tr>`).join('\n')}
</table>
<h2>Boards</h2>
<table class="boards"><tr><th>board</th><th>name</th><th>cpu</th><th>vs host</th><th>µs</th><th>count</th><th>measures</th><th>wall s</th></tr>
${boards}
</table>
<h2>Time per layer (µs)</h2>
<table class="layers"><tr><th>#</th><th>op</th><th>name</th>${m.boards.map((b) => `<th>${esc(b.id)}</th>`).join('')}</tr>
${layerRows}
</table>
</body></html>
`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * A matrix JSON file (`quantscope.matrix/1`, as matrixJson writes it) back into a CompareMatrix,
 * for the compare view. Anything else is refused with what is wrong, naming the file.
 */
export function parseMatrixJson(text: string, fileName: string): CompareMatrix {
  const bad = (why: string): never => {
    throw new Error(`${fileName}: not a QuantScope board matrix (${MATRIX_SCHEMA}): ${why}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return bad(`invalid JSON (${(e as Error).message})`);
  }
  if (!isObject(doc)) return bad('the file holds no JSON object');
  if (doc.schema !== MATRIX_SCHEMA) return bad(`its schema is ${JSON.stringify(doc.schema ?? null)}`);
  const { model, boards, pairs, layers } = doc;
  if (!isObject(model) || typeof model.name !== 'string') return bad('no model name');
  if (!Array.isArray(boards) || !boards.every((b) => isObject(b) && typeof b.id === 'string'))
    return bad('boards must be a list of objects with an id');
  if (
    !Array.isArray(pairs) ||
    !pairs.every((p) => isObject(p) && typeof p.a === 'string' && typeof p.b === 'string')
  )
    return bad('pairs must be a list of objects with a and b');
  if (
    !Array.isArray(layers) ||
    !layers.every((l) => isObject(l) && Array.isArray(l.us) && l.us.length === boards.length)
  )
    return bad('layers must list µs for every board');
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return {
    model: { name: model.name, sha256: String(model.sha256 ?? ''), ops: Number(model.ops ?? layers.length) },
    input: String(doc.input ?? ''),
    boards: boards.map((b: Record<string, unknown>) => ({
      id: b.id as string,
      name: b.name as string | undefined,
      cpu: b.cpu as string | undefined,
      firmware: b.firmware as string | undefined,
      port: b.port as string | undefined,
      seconds: num(b.seconds) ?? 0,
      error: b.error as string | undefined,
      totalUs: num(b.total_us),
      totalCycles: num(b.total_cycles),
      measuredUnit: b.measured_unit as string | undefined,
      allMatch: b.all_match as boolean | undefined,
      firstDivergent: b.first_divergent as number | null | undefined,
      mismatchedLayers: num(b.mismatched_layers),
    })),
    pairs: pairs.map((p: Record<string, unknown>) => ({
      a: p.a as string,
      b: p.b as string,
      identicalLayers: num(p.identical_layers) ?? 0,
      differingLayers: num(p.differing_layers) ?? 0,
      firstDivergent: (p.first_divergent ?? null) as number | null,
      maxAbsDiff: num(p.max_abs_diff) ?? 0,
    })),
    layers: layers.map((l: Record<string, unknown>) => ({
      index: Number(l.index),
      op: String(l.op ?? ''),
      name: String(l.name ?? ''),
      dtype: String(l.dtype ?? ''),
      shape: Array.isArray(l.shape) ? l.shape.map(Number) : [],
      us: (l.us as unknown[]).map((u) => (typeof u === 'number' ? u : null)),
    })),
  };
}
