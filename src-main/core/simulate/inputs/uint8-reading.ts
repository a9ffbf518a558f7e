/**
 * How a uint8 .npy feeds an int8 input, decided once for the GUI and the CLI alike:
 * - 'bytes': the file holds the int8 input bytes stored as uint8 (a tensor dump; TFLite Micro's own
 *   person images are stored that way and its example copies them unchanged);
 * - 'affine': the file holds pixel values 0–255, mapped onto the int8 range (p − 128).
 * Default: 'affine' when the model normalizes raw samples with its MLTK parameters (its inputs are
 * then pixels by construction), else 'bytes'.
 */
import type { ParamValue, Tensor } from '../../model/ir.ts';
import { normalizationOf } from '../../normalize/normalize.ts';
import { isNpy, parseNpy } from './npy.ts';
import type { Uint8Mode } from './to-input.ts';

/** True when the model has MLTK sample-wise normalization parameters (the host applies them). */
export function hasNormalization(parameters: Record<string, ParamValue>): boolean {
  try {
    return normalizationOf(parameters) !== null;
  } catch {
    return false; // malformed parameters are reported by the run itself, with their own message
  }
}

export function defaultUint8Mode(parameters: Record<string, ParamValue>): Uint8Mode {
  return hasNormalization(parameters) ? 'affine' : 'bytes';
}

/** The reading in words, as the views print it. */
export function uint8ReadingLabel(mode: Uint8Mode): string {
  return mode === 'bytes' ? 'int8 bytes' : 'pixels 0–255 → scale/zp';
}

/**
 * One line per file where the choice matters (a uint8 .npy on an int8 input), or [] when none does.
 * `chosen` says whether the user picked the reading or the default applied.
 */
export function describeUint8Readings(
  files: readonly { name: string; bytes: Uint8Array }[],
  tensors: readonly Tensor[],
  mode: Uint8Mode,
  chosen: boolean,
): string[] {
  const lines: string[] = [];
  const m = tensors.length;
  files.forEach((f, i) => {
    const t = tensors[m ? i % m : 0];
    if (!t || t.dtype !== 'int8' || !isNpy(f.bytes)) return;
    let dtype: string;
    try {
      dtype = parseNpy(f.bytes, f.name).dtype;
    } catch {
      return; // the run reports a malformed file with its own message
    }
    if (dtype !== 'uint8') return;
    const why = chosen
      ? 'as asked'
      : mode === 'bytes'
        ? 'default: the model has no normalization parameters; --u8-reading pixels maps 0–255 through scale/zp'
        : "default: the model normalizes its input; --u8-reading bytes takes the file's bytes as int8";
    lines.push(`${f.name}: uint8 .npy read as ${uint8ReadingLabel(mode)} (${why})`);
  });
  return lines;
}
