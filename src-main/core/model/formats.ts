/**
 * Which reader should open these bytes? Content first (TFLite identifier, HDF5 signature), then the
 * file name, so a PNG renamed `.tflite` still reaches the TFLite reader and gets its precise error
 * ("looks like a PNG image, not a TFLite model").
 */
import { ModelFormatError } from './errors.ts';
import { matchTflite } from './tflite-header.ts';

export type ModelFileFormat = 'tflite' | 'keras-h5' | 'keras';

/** HDF5 superblock signature `\x89HDF\r\n\x1a\n`. */
const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && HDF5_MAGIC.every((b, i) => bytes[i] === b);
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/**
 * A Keras 3 `.keras` file: a zip whose central directory (at the end, read as Latin-1) lists
 * config.json and model.weights.h5. Other zips (an `.mltk.zip`) go on to the TFLite reader's
 * "looks like a ZIP archive" message.
 */
function isKerasZip(bytes: Uint8Array, name: string): boolean {
  if (bytes.length < 4 || !ZIP_MAGIC.every((b, i) => bytes[i] === b)) return false;
  if (name.endsWith('.keras')) return true;
  const tail = String.fromCharCode(...bytes.subarray(Math.max(0, bytes.length - 4096)));
  return tail.includes('config.json') && tail.includes('model.weights.h5');
}

/** The format of a model file, or null when neither content nor name says. */
export function detectFormat(bytes: Uint8Array, fileName = ''): ModelFileFormat | null {
  const name = fileName.toLowerCase();
  if (matchTflite(bytes)) return 'tflite';
  if (isHdf5(bytes)) return 'keras-h5';
  if (isKerasZip(bytes, name)) return 'keras';
  if (name.endsWith('.tflite') || name.endsWith('.lite')) return 'tflite';
  if (name.endsWith('.h5') || name.endsWith('.hdf5')) return 'keras-h5';
  if (name.endsWith('.keras')) return 'keras';
  return null;
}

/** Like detectFormat, but a file of unknown format is a ModelFormatError naming it. */
export function requireFormat(bytes: Uint8Array, fileName = ''): ModelFileFormat {
  const f = detectFormat(bytes, fileName);
  if (f) return f;
  if (bytes.length === 0) throw new ModelFormatError(`Not a model: ${fileName || 'file'} is empty`);
  throw new ModelFormatError(
    `Not a model: ${fileName || 'file'} is neither a TFLite flatbuffer (identifier 'TFL3' at offset 4) nor a Keras HDF5 file nor a Keras 3 .keras zip`,
  );
}
