/**
 * The verdict of a comparison under a user tolerance (LSB): a layer whose largest |Δ| is at most
 * the tolerance counts as matching-with-rounding; the first divergent layer is the first one beyond
 * the tolerance — from a tolerance of 1 that is the first SYSTEMATIC one (explain.ts: rounding never
 * exceeds 1 LSB). Tolerance 0 (the default) keeps every difference divergent, rounding included.
 * Float tensors have no LSB: a float difference is never within a tolerance.
 * Pure, and cheap: the view re-applies it when the user edits the tolerance field.
 */
import { CLASS_WORDS, isSystematic } from './explain.ts';
import { streamCompare } from './stream.ts';
import type { CompareResult, CompareVerdict, LayerComparison } from './types.ts';

/** A tolerance from the command line or the view: a whole number of LSB, 0 or more. */
export function parseTolerance(v: string | number | undefined): number {
  if (v === undefined || v === '') return 0;
  const t = Number(v);
  if (!Number.isInteger(t) || t < 0)
    throw new Error(`--tolerance expects a whole number of LSB (0 or more), got '${v}'`);
  return t;
}

const within = (l: LayerComparison, tol: number): boolean =>
  l.status === 'mismatch' && l.diff !== undefined && l.maxAbsDiffLsb <= tol;

const diverges = (l: LayerComparison): boolean =>
  l.status === 'missing' || (l.status === 'mismatch' && !l.withinTolerance);

function verdictOf(r: CompareResult, tol: number): CompareVerdict {
  const ops = r.layers.filter((l) => l.index >= 0);
  const differing = r.layers.filter((l) => l.status === 'mismatch' || l.status === 'missing');
  if (differing.length === 0) return { kind: 'match', text: `all ${ops.length} layers match` };
  const classes = [...new Set(differing.map((l) => (l.diff ? CLASS_WORDS[l.diff.class] : l.status)))];
  if (r.allMatch)
    return {
      kind: 'within-tolerance',
      text: `matches within ${tol} LSB: ${differing.length} layer(s) differ by ${classes.join(', ')}`,
    };
  const first = r.layers.find((l) => l.index === r.firstDivergent) ?? differing.find(diverges)!;
  const where = `layer ${first.index < 0 ? 'input' : first.index} ${first.op} '${first.name}'`;
  if (first.status === 'missing') return { kind: 'systematic', text: `${where}: missing on the board` };
  if (first.diff && !isSystematic(first.diff.class))
    return {
      kind: 'rounding',
      text: `${CLASS_WORDS.rounding} beyond the tolerance of ${tol} LSB from ${where} (max |Δ| ${first.maxAbsDiffLsb})`,
    };
  const kind = first.diff ? CLASS_WORDS[first.diff.class] : `${first.dtype} values differ`;
  return { kind: 'systematic', text: `${kind} at ${where} (max |Δ| ${first.maxAbsDiffLsb})` };
}

/** One run's comparison with its layers, first divergence and verdict under `tol` LSB. */
export function applyTolerance(r: CompareResult, tol: number): CompareResult {
  const layers = r.layers.map((l) => {
    const { withinTolerance: _drop, ...rest } = l;
    return within(l, tol) ? { ...rest, withinTolerance: true } : rest;
  });
  const beyond = layers.filter((l) => l.index >= 0 && diverges(l));
  // Rounding is |Δ| <= 1, so from a tolerance of 1 every layer beyond it is systematic and the first
  // of them is the first systematic one. At 0 (bit-exactness asked for) the first difference of any
  // kind is named: a later systematic layer is often that rounding amplified (a SOFTMAX after a
  // FULLY_CONNECTED that rounds down), and the layer where host and board part is the one to fix.
  const first = beyond[0];
  const out: CompareResult = {
    ...r,
    layers,
    tolerance: tol,
    firstDivergent: first ? first.index : null,
    allMatch: !first && layers.every((l) => !diverges(l)),
  };
  out.verdict = verdictOf(out, tol);
  return out;
}

/** applyTolerance for one run or a whole stream (every invocation, first divergence recomputed). */
export function withTolerance(r: CompareResult, tol: number): CompareResult {
  if (!r.stream) return applyTolerance(r, tol);
  const runs = r.stream.runs.map((run) => applyTolerance(run, tol));
  return streamCompare(runs, r.stream.resetState);
}

/** Text lines for a CLI table: the verdict (unless all match) and each differing layer's class. */
export function verdictLines(r: CompareResult): string[] {
  return [
    ...(r.verdict && r.verdict.kind !== 'match' ? [`verdict: ${r.verdict.text}`] : []),
    ...r.layers.flatMap((l) =>
      l.diff
        ? [
            `  layer ${l.index} ${l.op}: ${CLASS_WORDS[l.diff.class]}${l.withinTolerance ? ' (within tolerance)' : ''}`,
          ]
        : [],
    ),
  ];
}
