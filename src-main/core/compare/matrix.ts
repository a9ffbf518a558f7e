/**
 * One model and input profiled on several boards: each board against the host simulator and every
 * pair of boards against each other, layer by layer (the same element diff as the host-vs-board
 * comparison, in integer steps for integer tensors). Plain data, for the matrix JSON/HTML and the
 * compare view.
 */
import { diffElements, elementReader } from './elements.ts';
import type { CompareResult, DeviceTensor, HostTensor } from './types.ts';

export interface MatrixBoardRun {
  /** Unique label in this run: the --board value, "#2" added to repeats ("virtual#2"). */
  id: string;
  /** The board's profile: its comparison with the host and the op outputs it sent back. */
  result?: { compare: CompareResult; device: DeviceTensor[] };
  /** Why this board has no result (could not start, refused the model, link lost). */
  error?: string;
  /** Wall time of this board's profile (open, upload, run, read back, compare), seconds. */
  seconds: number;
}

export interface MatrixBoard {
  id: string;
  name?: string;
  cpu?: string;
  firmware?: string;
  port?: string;
  seconds: number;
  error?: string;
  totalUs?: number;
  totalCycles?: number;
  /** What the board's time counts: cycles, QEMU instructions or host µs (the virtual board). */
  measuredUnit?: string;
  allMatch?: boolean;
  firstDivergent?: number | null;
  mismatchedLayers?: number;
}

/** Two result sets ('host' or a board id) compared over every op output. */
export interface MatrixPair {
  a: string;
  b: string;
  identicalLayers: number;
  differingLayers: number;
  /** First op whose outputs differ (or are missing on one side); null when all are identical. */
  firstDivergent: number | null;
  /** Largest |a - b| over all layers, in integer steps (LSB) for integer tensors. */
  maxAbsDiff: number;
}

export interface MatrixLayer {
  index: number;
  op: string;
  name: string;
  dtype: string;
  shape: number[];
  /** Measured µs per board, in `boards` order (null: no result or no time). */
  us: (number | null)[];
}

export interface CompareMatrix {
  model: { name: string; sha256: string; ops: number };
  input: string;
  boards: MatrixBoard[];
  pairs: MatrixPair[];
  layers: MatrixLayer[];
}

function pair(
  a: string,
  b: string,
  host: readonly HostTensor[],
  x: (i: number) => Uint8Array | undefined,
  y: (i: number) => Uint8Array | undefined,
): MatrixPair {
  let identical = 0;
  let differing = 0;
  let first: number | null = null;
  let maxAbsDiff = 0;
  for (const l of host) {
    const p = x(l.index);
    const q = y(l.index);
    let same = false;
    if (p && q && p.length === q.length) {
      const { read } = elementReader(l.dtype);
      const d = diffElements(read(p), read(q));
      same = d.mismatches === 0;
      maxAbsDiff = Math.max(maxAbsDiff, d.maxAbsDiff);
    }
    if (same) identical++;
    else {
      differing++;
      first ??= l.index;
    }
  }
  return { a, b, identicalLayers: identical, differingLayers: differing, firstDivergent: first, maxAbsDiff };
}

/** `host`: the host simulator's op outputs (HostRun.layers), the reference every board meets. */
export function compareMatrix(all: readonly HostTensor[], runs: readonly MatrixBoardRun[]): CompareMatrix {
  // one row per op: its first output (boards stream that one; SPLIT / UNPACK have more)
  const host = all.filter((l, i) => all.findIndex((h) => h.index === l.index) === i);
  const ok = runs.filter((r) => r.result);
  const first = ok[0]?.result?.compare;
  const sources = new Map<string, (i: number) => Uint8Array | undefined>([
    ['host', (i) => host.find((l) => l.index === i)?.bytes],
  ]);
  for (const r of ok) {
    // the op's first output (an ALL_OUTPUTS board also sends the others, after it)
    const byIndex = new Map<number, Uint8Array>();
    for (const d of r.result!.device) if (!byIndex.has(d.index)) byIndex.set(d.index, d.bytes);
    sources.set(r.id, (i) => byIndex.get(i));
  }
  const ids = [...sources.keys()];
  const pairs: MatrixPair[] = [];
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++)
      pairs.push(pair(ids[i], ids[j], host, sources.get(ids[i])!, sources.get(ids[j])!));
  return {
    model: first?.model ?? { name: '', sha256: '', ops: host.length },
    input: first?.input ?? '',
    boards: runs.map((r) => {
      const c = r.result?.compare;
      if (!c) return { id: r.id, seconds: r.seconds, error: r.error ?? 'no result' };
      return {
        id: r.id,
        name: c.board.name,
        cpu: c.board.cpu,
        firmware: c.board.firmware,
        port: c.board.port,
        seconds: r.seconds,
        totalUs: c.timing.totalUs,
        totalCycles: c.timing.totalCycles,
        measuredUnit: c.timing.measuredUnit,
        allMatch: c.allMatch,
        firstDivergent: c.firstDivergent,
        mismatchedLayers: c.layers.filter((l) => l.status === 'mismatch' || l.status === 'missing').length,
      };
    }),
    pairs,
    layers: host.map((l) => ({
      index: l.index,
      op: l.op,
      name: l.name,
      dtype: l.dtype,
      shape: l.shape.slice(),
      us: runs.map((r) => r.result?.compare.layers.find((x) => x.index === l.index)?.measuredUs ?? null),
    })),
  };
}
