/**
 * The options of a custom op QuantScope knows (CUSTOM_OP_CODES: TFLite Micro's signal library,
 * TFLite_Detection_PostProcess), decoded from its FlexBuffer map (`customOptions`) for the summary
 * and the layer table: numbers, flags and strings as they are, 64-bit integers as numbers, `T` (the
 * signal ops' element type, a TensorType code) as its dtype name. Anything else — an unknown custom
 * op, bytes that are not a FlexBuffer map — gives no options (the op's `customOptions` stay raw).
 */
import { toObject } from 'flatbuffers/js/flexbuffers.js';
import type { Operator } from './ir.ts';
import { CUSTOM_OP_CODES, dtypeOf } from './tflite-schema.ts';

type OptionValue = number | boolean | string | number[];

function scalar(v: unknown): number | boolean | string | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  return undefined;
}

function value(v: unknown): OptionValue | undefined {
  if (Array.isArray(v)) {
    const xs = v.map(scalar);
    return xs.every((x): x is number => typeof x === 'number') ? xs : undefined;
  }
  return scalar(v);
}

export function customOptions(op: Pick<Operator, 'op' | 'customOptions'>): Record<string, OptionValue> {
  const bytes = op.customOptions;
  if (!bytes?.byteLength || !CUSTOM_OP_CODES.has(op.op)) return {};
  let map: unknown;
  try {
    map = toObject(bytes.slice().buffer);
  } catch {
    return {}; // not a FlexBuffer: shown without options, as before
  }
  if (!map || typeof map !== 'object' || Array.isArray(map)) return {};
  const out: Record<string, OptionValue> = {};
  for (const [k, v] of Object.entries(map)) {
    const x = value(v);
    if (x === undefined) continue;
    out[k] = k === 'T' && typeof x === 'number' ? dtypeOf(x) : x;
  }
  return out;
}
