/**
 * Results as JUnit XML, the test report every CI shows (Jenkins, GitLab, GitHub Actions test
 * reporters). Layout of the common JUnit schema (Ant's XML formatter as Jenkins' junit-10.xsd
 * describes it; test/schemas/junit.xsd): <testsuites> holds one <testsuite> per model × board, each
 * with its <properties> (that schema allows properties on a suite only: timings and board facts go
 * there) and one <testcase>; a case that ran and found a problem has a <failure>, a case that could
 * not run has an <error>.
 */
import type { CompareResult, LayerComparison } from '../compare/types.ts';

export interface JunitProblem {
  /** Short machine-readable kind, e.g. "mismatch", "slower-than", "error". */
  type: string;
  /** One line: what is wrong. */
  message: string;
  /** Longer text (per-layer lines). */
  detail?: string;
}

export interface JunitCase {
  /** Model file name. */
  model: string;
  /** Board name, or "host" for the host simulator. */
  board: string;
  /** What ran, e.g. "profile": the suite's package (classname prefix). */
  command: string;
  seconds: number;
  properties: [string, string | number | boolean][];
  failures: JunitProblem[];
  error?: JunitProblem;
}

export interface JunitMeta {
  /** ISO 8601 time the run started (passed in: core code reads no clocks). */
  timestamp: string;
  hostname: string;
}

/** XML 1.0 allows no control characters but tab, LF and CR, even escaped: they become U+FFFD. */
function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Attribute values also keep their tabs and line breaks (unescaped, a parser turns them into spaces). */
const attr = (s: string | number | boolean) =>
  xmlText(String(s)).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');

const seconds = (s: number) => (Number.isFinite(s) && s > 0 ? s : 0).toFixed(3);

function problem(tag: 'failure' | 'error', p: JunitProblem): string {
  const open = `      <${tag} type="${attr(p.type)}" message="${attr(p.message)}"`;
  return p.detail ? `${open}>${xmlText(p.detail)}</${tag}>` : `${open}/>`;
}

/** A classname CI tools group by: "quantscope.profile.person_detect_tflite". */
function classname(c: JunitCase): string {
  return `quantscope.${c.command}.${c.model.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export function junitXml(title: string, cases: readonly JunitCase[], meta: JunitMeta): string {
  const failures = cases.filter((c) => !c.error && c.failures.length > 0).length;
  const errors = cases.filter((c) => c.error).length;
  const total = cases.reduce((s, c) => s + c.seconds, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(title)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds(total)}">`,
  ];
  cases.forEach((c, id) => {
    const name = `${c.model} on ${c.board}`;
    const failed = !c.error && c.failures.length > 0;
    lines.push(
      `  <testsuite name="${attr(`${c.command} ${name}`)}" tests="1" failures="${failed ? 1 : 0}" errors="${c.error ? 1 : 0}" skipped="0" time="${seconds(c.seconds)}" timestamp="${attr(meta.timestamp)}" hostname="${attr(meta.hostname)}" id="${id}" package="${attr(`quantscope.${c.command}`)}">`,
      '    <properties>',
      ...c.properties.map(([k, v]) => `      <property name="${attr(k)}" value="${attr(v)}"/>`),
      '    </properties>',
      `    <testcase classname="${attr(classname(c))}" name="${attr(name)}" time="${seconds(c.seconds)}">`,
      ...(c.error ? [problem('error', c.error)] : c.failures.map((f) => problem('failure', f))),
      '    </testcase>',
      '  </testsuite>',
    );
  });
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function layerLine(l: LayerComparison): string {
  return `layer ${l.index < 0 ? 'input' : l.index} ${l.op} '${l.name}' ${l.dtype}[${l.shape.join('x')}]: ${l.status}, ${l.mismatches} of ${l.elements} elements differ, max |Δ| ${l.maxAbsDiffLsb} LSB`;
}

/** The host-vs-board verdict as a failure: the first divergent layer and its max |Δ| in the message. */
export function mismatchProblem(r: CompareResult): JunitProblem | null {
  if (r.allMatch) return null;
  const bad = r.layers.filter((l) => l.status === 'mismatch' || l.status === 'missing');
  const first = r.layers.find((l) => l.index === r.firstDivergent) ?? bad[0];
  const worst = Math.max(...bad.map((l) => l.maxAbsDiffLsb));
  return {
    type: 'mismatch',
    message:
      `${bad.length} layer(s) differ between host and board; first divergent layer ${first.index} ` +
      `(${first.op} '${first.name}'): ${first.mismatches} of ${first.elements} elements differ, max |Δ| ${first.maxAbsDiffLsb} LSB` +
      (worst > first.maxAbsDiffLsb ? `; largest over all layers ${worst} LSB` : ''),
    detail: bad.map(layerLine).join('\n'),
  };
}

/** Estimated time of the whole model on the board in µs, from the cost model, when there is one. */
export function estimatedUs(r: CompareResult): number | undefined {
  const t = r.timing;
  if (t.estUs !== undefined) return t.estUs; // cycles / clock (on QEMU estCycles holds instructions)
  return t.estCycles !== undefined && t.estClockMHz ? t.estCycles / t.estClockMHz : undefined;
}

/**
 * `slower-than=PCT`: the board's measurement is more than PCT % above the cost-model estimate (a
 * negative PCT asks for a run that much below it). Compared only on one scale: cycles with cycles,
 * QEMU instructions with instructions (timing.comparable); a board whose time cannot be put against
 * the estimate (the virtual board's host µs against an MCU model), or no estimate at all, is a
 * failure that says so, never a silent pass.
 */
export function slowerProblem(r: CompareResult, pct: number): JunitProblem | null {
  const t = r.timing;
  const fail = (message: string): JunitProblem => ({ type: 'slower-than', message });
  if (t.estCycles === undefined)
    return fail(
      `no cost-model estimate for ${r.board.name} to compare its time with (give --cpu PROFILE@MHZ)`,
    );
  if (t.comparable === false)
    return fail(
      `${r.board.name}'s time cannot be checked against the estimate: ${t.note ?? 'not comparable with the measurement'}`,
    );
  const counts = t.totalCycles !== undefined;
  const est = counts ? t.estCycles : estimatedUs(r);
  if (!est) return fail(`no cost-model estimate for ${r.board.name} to compare its time with`);
  const measured = counts ? t.totalCycles! : t.totalUs;
  const unit = counts ? (t.measuredUnit ?? 'cycles') : 'µs';
  const over = (measured / est - 1) * 100;
  if (over <= pct) return null;
  const where = over >= 0 ? `${over.toFixed(1)}% above` : `${(-over).toFixed(1)}% below`;
  return fail(
    `measured ${+measured.toFixed(1)} ${unit} is ${where} the estimate ${+est.toFixed(1)} ${counts ? (t.estUnit ?? unit) : 'µs'} (${t.profile}); limit ${pct}%`,
  );
}

/** Timings and board facts as suite properties (per-layer µs and cycles as `layer.N.*`). */
export function compareProperties(r: CompareResult): [string, string | number | boolean][] {
  const t = r.timing;
  const est = estimatedUs(r);
  const p: [string, string | number | boolean][] = [
    ['model.sha256', r.model.sha256],
    ['model.ops', r.model.ops],
    ['board.name', r.board.name],
    ['board.cpu', r.board.cpu],
    ['board.firmware', r.board.firmware],
    ...(r.board.port ? [['board.port', r.board.port] as [string, string]] : []),
    ['input', r.input],
    ['all_match', r.allMatch],
    ['first_divergent', r.firstDivergent ?? 'none'],
    ['total_us', +t.totalUs.toFixed(3)],
    ['total_ticks', t.totalTicks],
  ];
  if (t.totalCycles !== undefined) p.push(['total_cycles', t.totalCycles]);
  if (t.estCycles !== undefined) p.push(['est_cycles', t.estCycles]);
  if (est !== undefined) p.push(['est_us', +est.toFixed(3)]);
  if (t.profile) p.push(['est_profile', t.profile]);
  if (t.measuredUnit) p.push(['measured_unit', t.measuredUnit]);
  if (t.estUnit) p.push(['est_unit', t.estUnit]);
  if (t.comparable !== undefined) p.push(['comparable', t.comparable]);
  for (const l of r.layers) {
    if (l.index < 0) continue;
    if (l.measuredUs !== undefined) p.push([`layer.${l.index}.${l.op}.us`, +l.measuredUs.toFixed(3)]);
    if (l.measuredCycles !== undefined) p.push([`layer.${l.index}.${l.op}.cycles`, l.measuredCycles]);
    if (l.estCycles !== undefined) p.push([`layer.${l.index}.${l.op}.est_cycles`, l.estCycles]);
  }
  return p;
}
