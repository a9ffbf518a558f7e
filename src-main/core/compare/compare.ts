/**
 * compareRun: the host simulator's per-layer outputs against the outputs a board streamed back,
 * layer by layer (exact match, mismatched elements, max |Δ| in LSB, first divergent layer), the
 * final outputs (RMSE, cosine, top-1) and timings (measured vs cost-model estimate, shares).
 */
import { diffElements, elementReader } from './elements.ts';
import { explainDifference } from './explain.ts';
import { compareOutput } from './outputs.ts';
import { isEmulated, profileFor, ticksToTime, timingScales } from './timing.ts';
import { applyTolerance } from './tolerance.ts';
import type { BoardInfo, CompareResult, DeviceTensor, HostTensor, LayerComparison } from './types.ts';

export interface CompareInput {
  model: { name: string; sha256: string };
  board: BoardInfo;
  input: string;
  /** Graph inputs as fed to the host (index -1) — shown as "input" rows. */
  hostInputs?: HostTensor[];
  /** The bytes sent to the board for each graph input (same order). */
  deviceInputs?: Uint8Array[];
  /** Every op output of the host run, in execution order. */
  host: HostTensor[];
  /** Every op output read back from the board. */
  device: DeviceTensor[];
  /** Graph outputs (host side); their device values are looked up by tensor index. */
  outputs: HostTensor[];
  /** Cost-model estimate per op index, and the profile label; on an emulated board (QEMU icount)
   * the estimated instructions stand in the estimate column, so both sides count instructions. */
  estimate?: { cycles: number[]; instructions?: number[]; profile: string; clockMHz: number };
  /** LSB a layer may differ by and still count as matching (tolerance.ts); default 0. */
  tolerance?: number;
}

function elementsOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function compareTensor(
  h: HostTensor,
  deviceBytes: Uint8Array | undefined,
): Pick<LayerComparison, 'status' | 'mismatches' | 'maxAbsDiffLsb' | 'maxDiffAt' | 'diff'> {
  if (!deviceBytes) return { status: 'missing', mismatches: 0, maxAbsDiffLsb: 0, maxDiffAt: -1 };
  const { read, integer } = elementReader(h.dtype);
  if (deviceBytes.length !== h.bytes.length) {
    throw new Error(
      `layer ${h.index} (${h.op}) '${h.name}': host has ${h.bytes.length} bytes, device sent ${deviceBytes.length}`,
    );
  }
  const host = read(h.bytes);
  const device = read(deviceBytes);
  const d = diffElements(host, device);
  return {
    status: d.mismatches ? 'mismatch' : 'match',
    mismatches: d.mismatches,
    maxAbsDiffLsb: d.maxAbsDiff,
    maxDiffAt: d.maxDiffAt,
    // integer tensors only: a float difference has no LSB to count in
    ...(d.mismatches && integer ? { diff: explainDifference(host, device, h.shape, h.dtype) } : {}),
  };
}

export function compareRun(c: CompareInput): CompareResult {
  // an op's first device tensor (its time), and every tensor by op and tensor: a board with
  // ALL_OUTPUTS sends every output of an op (same index), older boards the first only
  const byIndex = new Map<number, DeviceTensor>();
  const byKey = new Map<string, DeviceTensor>();
  for (const d of c.device) {
    if (!byIndex.has(d.index)) byIndex.set(d.index, d);
    byKey.set(`${d.index}:${d.tensor}`, d);
  }
  const deviceOf = (h: HostTensor) => byKey.get(`${h.index}:${h.tensor}`) ?? byIndex.get(h.index);
  const totalTicks = [...byIndex.values()].reduce((s, d) => s + d.ticks, 0);
  const layers: LayerComparison[] = [];
  (c.hostInputs ?? []).forEach((h, i) => {
    const sent = c.deviceInputs?.[i];
    const base = {
      index: -1,
      op: 'INPUT',
      name: h.name,
      tensor: h.tensor,
      dtype: h.dtype,
      shape: h.shape,
      elements: elementsOf(h.shape),
    };
    layers.push(
      sent
        ? { ...base, ...compareTensor(h, sent) }
        : { ...base, status: 'not-compared', mismatches: 0, maxAbsDiffLsb: 0, maxDiffAt: -1 },
    );
  });
  // Boards before ALL_OUTPUTS stream one output per op (the first): the other outputs of a
  // multi-output op (SPLIT, SPLIT_V, UNPACK) are rows the board did not send.
  const hostTensors = new Set(c.host.map((h) => `${h.index}:${h.tensor}`));
  const unsent = (h: HostTensor): boolean => {
    const d = deviceOf(h);
    return !!d && d.tensor !== h.tensor && hostTensors.has(`${h.index}:${d.tensor}`);
  };
  for (const h of c.host) {
    const d = deviceOf(h);
    if (unsent(h)) {
      layers.push({
        index: h.index,
        op: h.op,
        name: h.name,
        tensor: h.tensor,
        dtype: h.dtype,
        shape: h.shape,
        elements: elementsOf(h.shape),
        status: 'not-compared',
        mismatches: 0,
        maxAbsDiffLsb: 0,
        maxDiffAt: -1,
      });
      continue;
    }
    if (d && d.tensor !== h.tensor) {
      throw new Error(
        `layer ${h.index} (${h.op}): the board sent tensor ${d.tensor}, the host computed tensor ${h.tensor}; different models?`,
      );
    }
    const row: LayerComparison = {
      index: h.index,
      op: h.op,
      name: h.name,
      tensor: h.tensor,
      dtype: h.dtype,
      shape: h.shape,
      elements: elementsOf(h.shape),
      ...compareTensor(h, d?.bytes),
    };
    const est = estimateColumn(c)?.[h.index];
    if (est !== undefined) row.estCycles = est;
    // the op's time once, on its first output's row (the other outputs' rows share it)
    if (d && byIndex.get(h.index) === d) {
      const t = ticksToTime(d.ticks, c.board.tickHz, c.board.cpuHz);
      row.measuredTicks = d.ticks;
      row.measuredUs = t.us;
      if (t.cycles !== undefined) row.measuredCycles = t.cycles;
      row.share = totalTicks > 0 ? d.ticks / totalTicks : 0;
    }
    layers.push(row);
  }
  const notStreamed = new Set(c.host.filter(unsent).map((h) => h.tensor));
  const outputs = c.outputs
    .filter((o) => !notStreamed.has(o.tensor))
    .map((o) => {
      const d = c.device.find((x) => x.tensor === o.tensor);
      if (!d) throw new Error(`the board did not send graph output tensor ${o.tensor} '${o.name}'`);
      return compareOutput(o, d.bytes);
    });
  const total = c.device.length
    ? ticksToTime(totalTicks, c.board.tickHz, c.board.cpuHz)
    : { us: 0, cycles: undefined };
  const result: CompareResult = {
    model: { name: c.model.name, sha256: c.model.sha256, ops: new Set(c.host.map((h) => h.index)).size },
    board: c.board,
    input: c.input,
    layers,
    outputs,
    firstDivergent: null,
    allMatch: false,
    timing: {
      totalTicks,
      totalUs: total.us,
      ...(total.cycles !== undefined ? { totalCycles: total.cycles } : {}),
      ...(c.estimate ? estimateTiming(c.board, c.estimate) : {}),
    },
  };
  // first divergent layer, allMatch and the verdict, under the tolerance (0: any difference)
  return applyTolerance(result, c.tolerance ?? 0);
}

/** The per-op estimate on the board's scale: instructions on QEMU icount, else cycles. */
function estimateColumn(c: CompareInput): number[] | undefined {
  if (!c.estimate) return undefined;
  return isEmulated(c.board) ? (c.estimate.instructions ?? c.estimate.cycles) : c.estimate.cycles;
}

/**
 * The estimate's totals with the units of both sides (timingScales). On QEMU the profile's "clock"
 * is the instruction rate (1 instruction per virtual ns), so it is named by its clock source instead
 * ("cortex-m3 (QEMU icount)").
 */
function estimateTiming(
  board: BoardInfo,
  estimate: NonNullable<CompareInput['estimate']>,
): Partial<CompareResult['timing']> {
  const scales = timingScales(board, profileFor(estimate.profile, 0));
  const qemu = scales.measuredUnit === 'instructions';
  return {
    estCycles: (qemu ? (estimate.instructions ?? estimate.cycles) : estimate.cycles).reduce(
      (a, b) => a + b,
      0,
    ),
    profile: qemu ? `${estimate.profile.split('@')[0]} (QEMU icount)` : estimate.profile,
    estClockMHz: estimate.clockMHz,
    estUs: estimate.cycles.reduce((a, b) => a + b, 0) / estimate.clockMHz,
    measuredUnit: scales.measuredUnit,
    clockSource: scales.clockSource,
    estUnit: scales.estUnit,
    comparable: scales.comparable,
    ...(scales.note ? { note: scales.note } : {}),
  };
}
