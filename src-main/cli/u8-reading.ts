/** `--u8-reading bytes|pixels` (and the older `--u8-bytes`): how a uint8 .npy feeds an int8 input. */
import type { ParamValue } from '../core/model/ir.ts';
import type { Uint8Mode } from '../core/simulate/inputs/to-input.ts';
import { defaultUint8Mode } from '../core/simulate/inputs/uint8-reading.ts';

export interface U8Options {
  u8Bytes?: boolean;
  u8Reading?: string;
}

/** The reading to use and whether the user chose it (else the model's default applies). */
export function uint8Choice(
  opts: U8Options,
  parameters: Record<string, ParamValue>,
): { mode: Uint8Mode; chosen: boolean } {
  const r = opts.u8Reading;
  if (r !== undefined && r !== 'bytes' && r !== 'pixels')
    throw new Error(`--u8-reading expects 'bytes' or 'pixels', got '${r}'`);
  if (opts.u8Bytes && r === 'pixels') throw new Error('give --u8-bytes or --u8-reading pixels, not both');
  if (opts.u8Bytes || r === 'bytes') return { mode: 'bytes', chosen: true };
  if (r === 'pixels') return { mode: 'affine', chosen: true };
  return { mode: defaultUint8Mode(parameters), chosen: false };
}

export const U8_READING_HELP =
  "how a uint8 .npy feeds an int8 input: 'bytes' (the int8 bytes stored as uint8, as TFLite Micro's person images) or 'pixels' (0–255 mapped through scale/zp); default: pixels when the model has normalization parameters, else bytes";
