/**
 * Cheap checks on the first bytes of a file: is it a TFLite flatbuffer, and if not, what does it
 * look like? Gives the user a useful first error instead of a deep offset complaint.
 */
import { ModelFormatError } from './errors.ts';
import { FILE_IDENTIFIER } from './tflite-schema.ts';

const PREFIX = 'Not a TFLite model: ';

const MAGICS: [string, number[]][] = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['a Keras/HDF5 file (.h5)', [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a ZIP archive (an .mltk.zip? extract the .tflite first)', [0x50, 0x4b, 0x03, 0x04]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['a NumPy array (.npy)', [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]],
];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

export function fileIdentifier(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.subarray(4, 8));
}

/** True when the bytes carry the TFLite file identifier 'TFL3' at offset 4. */
export function matchTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && fileIdentifier(bytes) === FILE_IDENTIFIER;
}

/** Throw a ModelFormatError describing why these bytes are not a TFLite model (if they are not). */
export function checkTfliteHeader(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new ModelFormatError(`${PREFIX}empty file`);
  for (const [what, magic] of MAGICS) {
    if (startsWith(bytes, magic)) throw new ModelFormatError(`${PREFIX}looks like ${what}`);
  }
  if (bytes.length < 8) {
    throw new ModelFormatError(
      `${PREFIX}file too short (${bytes.length} bytes; a TFLite file has at least 8)`,
    );
  }
  const id = fileIdentifier(bytes);
  if (id !== FILE_IDENTIFIER) {
    const shown = /^[\x20-\x7e]{4}$/.test(id) ? `'${id}'` : `bytes ${hex(bytes.subarray(4, 8))}`;
    throw new ModelFormatError(
      `${PREFIX}file identifier is ${shown}, expected '${FILE_IDENTIFIER}' at offset 4`,
    );
  }
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
