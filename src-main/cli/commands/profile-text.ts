/** `quantscope profile`'s terminal text: the per-layer table (with a stream's invocations) and the several-board matrix. */
import type { CompareMatrix } from '../../core/compare/matrix.ts';
import { verdictLines } from '../../core/compare/tolerance.ts';
import type { CompareResult } from '../../core/compare/types.ts';
import { findPair, pairVerdict } from '../../core/report/matrix.ts';

/** A stream: one line per invocation, and where host and board first part (invocation, layer). */
function streamLines(r: CompareResult): string[] {
  const s = r.stream;
  if (!s) return [];
  const d = s.firstDivergence;
  return [
    `stream of ${s.invocations} invocations (${s.resetState ? 'state reset before each' : 'state kept between them'}): ${d ? `first divergence at invocation ${d.invocation}, layer ${d.layer} (${d.op})` : 'every invocation matches'}`,
    ...s.runs.map(
      (c) =>
        `${c.invocation === r.invocation ? '>' : ' '} invocation ${c.invocation}: ${c.allMatch ? 'all layers match' : `first divergent layer ${c.firstDivergent}`}`,
    ),
    '',
    `invocation ${r.invocation}:`,
  ];
}

export function table(r: CompareResult): string {
  const t = r.timing;
  // Column heads carry their units; a board without cycles (the virtual board) has no cycles column.
  const hasCycles = r.layers.some((l) => l.measuredCycles !== undefined);
  const measuredHead = t.measuredUnit === 'instructions' ? 'instructions' : 'cycles';
  const usHead = t.measuredUnit === 'host µs' ? 'host µs' : 'µs';
  const estHead = `est ${t.estUnit ?? 'cycles'}`;
  const lines = [
    ...streamLines(r),
    `${r.model.name} on ${r.board.name} (${r.board.cpu}): ${r.allMatch ? `all ${r.model.ops} layers match` : `first divergent layer: ${r.firstDivergent}`}`,
    ...verdictLines(r),
    '',
    '  #  op                      output               status     mismatch  max|Δ|' +
      estHead.padStart(16) +
      (hasCycles ? measuredHead.padStart(14) : '') +
      usHead.padStart(12) +
      'share'.padStart(8),
  ];
  for (const l of r.layers) {
    const mark = l.index === r.firstDivergent ? '>' : ' ';
    lines.push(
      `${mark}${(l.index < 0 ? 'in' : String(l.index)).padStart(3)}  ${l.op.padEnd(22)}  ${`${l.dtype}[${l.shape.join('x')}]`.padEnd(19)}` +
        `${l.status.padEnd(10)}${String(l.mismatches).padStart(9)}${String(l.maxAbsDiffLsb).padStart(8)}` +
        `${(l.estCycles?.toString() ?? '').padStart(16)}${hasCycles ? (l.measuredCycles?.toString() ?? '').padStart(14) : ''}` +
        `${(l.measuredUs?.toFixed(1) ?? '').padStart(12)}${(l.share === undefined ? '' : (l.share * 100).toFixed(1) + '%').padStart(8)}`,
    );
  }
  for (const o of r.outputs) {
    lines.push(
      '',
      `output '${o.name}': RMSE ${o.rmse.toPrecision(4)}, cosine ${o.cosine.toFixed(6)}, top-1 host ${o.top1Host} / device ${o.top1Device}${o.top1Agree ? '' : '  (DISAGREE)'}`,
    );
  }
  const measuredCount =
    t.totalCycles !== undefined
      ? `, ${t.totalCycles} ${t.measuredUnit === 'instructions' ? 'instructions' : 'cycles'}`
      : '';
  lines.push(
    '',
    `measured ${t.totalUs.toFixed(1)} ${t.measuredUnit === 'host µs' ? 'host µs' : 'µs'} (${t.totalTicks} ticks${measuredCount}; clock: ${t.clockSource ?? r.board.tickSource})`,
  );
  if (t.estCycles !== undefined)
    lines.push(
      `estimate ${t.estCycles} ${t.estUnit ?? 'cycles'} on ${t.profile}` +
        (t.estUs !== undefined && t.estClockMHz
          ? ` = ${(t.estUs / 1000).toFixed(3)} ms at ${t.estClockMHz} MHz`
          : '') +
        (t.comparable === false ? ` — ${t.note ?? 'not comparable with the measurement'}` : ''),
    );
  if (r.calibration) {
    const c = r.calibration;
    lines.push(
      `calibrated cost model (${c.profile}, fitted on measured ${t.measuredUnit ?? 'cycles'}): per-layer error ${(c.before.meanRelError * 100).toFixed(1)}% -> ${(c.after.meanRelError * 100).toFixed(1)}%`,
    );
  }
  return lines.join('\n') + '\n';
}

export function matrixText(m: CompareMatrix): string {
  const ids = ['host', ...m.boards.filter((b) => !b.error).map((b) => b.id)];
  const lines = [`${m.model.name} on ${m.boards.length} boards (input ${m.input}):`, ''];
  for (const b of m.boards)
    lines.push(
      b.error
        ? `  ${b.id}: ERROR ${b.error}`
        : `  ${b.id}: ${b.name} (${b.cpu}) ${b.allMatch ? 'all layers match the host' : `first divergent layer ${b.firstDivergent}`}, ${b.totalUs?.toFixed(1)} µs, ${b.seconds.toFixed(2)} s wall`,
    );
  lines.push('');
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++)
      lines.push(`  ${ids[i]} vs ${ids[j]}: ${pairVerdict(findPair(m, ids[i], ids[j]))}`);
  return lines.join('\n') + '\n';
}
