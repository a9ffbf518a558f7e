/**
 * Per-gate taps of UNIDIRECTIONAL_SEQUENCE_LSTM: the four gate activations and the cell state of
 * every time step, as the interpreter core computed them (the records qsw_gate_taps collects,
 * firmware/port/wasm/qs_wasm.c: five int32 — op, step, batch row, units n, dtype — then 4n gate
 * values in the order forget, input, cell, output and n cell-state values, int16 or float32,
 * padded to 4 bytes). Values here are real numbers: the integer kernels' gates are Q0.15 (steps
 * of 2^-15), their cell state is in the cell-state tensor's scale; a float32 LSTM's are as computed.
 */
import type { Subgraph } from '../model/ir.ts';

const DT_FLOAT32 = 0;
const DT_INT16 = 7;
/** UNIDIRECTIONAL_SEQUENCE_LSTM's cell-state input (TFLite's 24-input layout). */
const CELL_STATE_INPUT = 19;

export const GATES = ['forget', 'input', 'cell', 'output'] as const;
export type GateName = (typeof GATES)[number];

export interface LstmGateStep {
  /** Time step and batch row, in the order the core ran them. */
  step: number;
  batch: number;
  /** Activations: forget, input and output gates are sigmoids in [0, 1], the cell gate a tanh. */
  forget: Float32Array;
  input: Float32Array;
  cell: Float32Array;
  output: Float32Array;
  /** The cell state after the step. */
  cellState: Float32Array;
}

export interface LstmGateTaps {
  opIndex: number;
  units: number;
  steps: LstmGateStep[];
}

/** Decode one invoke's records; the LSTM ops appear in op order, each with its steps. */
export function parseGateTaps(bytes: Uint8Array, subgraph: Subgraph): LstmGateTaps[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const byOp = new Map<number, LstmGateTaps>();
  let at = 0;
  while (at + 20 <= bytes.length) {
    const op = view.getInt32(at, true);
    const step = view.getInt32(at + 4, true);
    const batch = view.getInt32(at + 8, true);
    const n = view.getInt32(at + 12, true);
    const dtype = view.getInt32(at + 16, true);
    if (n < 1 || (dtype !== DT_FLOAT32 && dtype !== DT_INT16))
      throw new Error(`gate tap record at byte ${at}: ${n} units, dtype ${dtype}`);
    const es = dtype === DT_FLOAT32 ? 4 : 2;
    const len = 20 + ((5 * n * es + 3) & ~3);
    if (at + len > bytes.length) throw new Error(`gate tap record at byte ${at} runs past the end`);
    const values = new Float32Array(5 * n);
    const cellScale =
      dtype === DT_INT16
        ? (subgraph.tensors[subgraph.operators[op]?.inputs[CELL_STATE_INPUT] ?? -1]?.quantization?.scale[0] ??
          1)
        : 1;
    for (let i = 0; i < 5 * n; i++) {
      const p = at + 20 + i * es;
      values[i] =
        dtype === DT_FLOAT32
          ? view.getFloat32(p, true)
          : view.getInt16(p, true) * (i < 4 * n ? 1 / 32768 : cellScale);
    }
    let taps = byOp.get(op);
    if (!taps) byOp.set(op, (taps = { opIndex: op, units: n, steps: [] }));
    taps.steps.push({
      step,
      batch,
      forget: values.subarray(0, n),
      input: values.subarray(n, 2 * n),
      cell: values.subarray(2 * n, 3 * n),
      output: values.subarray(3 * n, 4 * n),
      cellState: values.subarray(4 * n, 5 * n),
    });
    at += len;
  }
  return [...byOp.values()].sort((a, b) => a.opIndex - b.opIndex);
}

/**
 * Per gate, the fraction of its activations over all steps that are saturated: a sigmoid gate
 * below 0.01 or above 0.99, the tanh cell gate beyond +/-0.99 (what a report flags as a stuck gate).
 */
export function gateSaturation(taps: LstmGateTaps): Record<GateName, number> {
  const out = { forget: 0, input: 0, cell: 0, output: 0 };
  let count = 0;
  for (const s of taps.steps) {
    count += taps.units;
    for (const g of GATES) {
      for (const v of s[g]) {
        if (g === 'cell' ? Math.abs(v) > 0.99 : v < 0.01 || v > 0.99) out[g]++;
      }
    }
  }
  for (const g of GATES) out[g] = count ? out[g] / count : 0;
  return out;
}
