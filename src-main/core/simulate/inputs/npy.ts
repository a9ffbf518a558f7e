/** NumPy .npy parser (format 1.0/2.0/3.0, little-endian, C order) over bytes. */
import { SimulateError } from '../errors.ts';

export type NpyDType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'float32' | 'float64';
export type NpyData =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Float32Array
  | Float64Array;

export interface NpyArray {
  dtype: NpyDType;
  shape: number[];
  data: NpyData;
}

const DESCR: Record<string, NpyDType> = {
  '|i1': 'int8',
  '<i1': 'int8',
  '|u1': 'uint8',
  '<u1': 'uint8',
  '<i2': 'int16',
  '<u2': 'uint16', // raw sensor samples (normalized with the model's parameters)
  '<i4': 'int32',
  '<f4': 'float32',
  '<f8': 'float64',
};

const CTOR = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 10 && bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === 'NUMPY';
}

export function parseNpy(bytes: Uint8Array, label = '.npy'): NpyArray {
  if (!isNpy(bytes))
    throw new SimulateError(`${label}: not a NumPy .npy file (magic \\x93NUMPY missing)`, 'INPUT');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length)
    throw new SimulateError(`${label}: header length ${headerLen} runs past the end of the file`, 'INPUT');
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw new SimulateError(`${label}: malformed .npy header: ${header.trim()}`, 'INPUT');
  const dtype = DESCR[descr];
  if (!dtype) {
    throw new SimulateError(
      `${label}: dtype '${descr}' is not supported (int8, uint8, int16, uint16, int32, float32, float64 little-endian)`,
      'INPUT',
    );
  }
  if (fortran === 'True')
    throw new SimulateError(`${label}: Fortran-order arrays are not supported`, 'INPUT');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new SimulateError(`${label}: bad shape (${shapeText})`, 'INPUT');
  const count = shape.reduce((a, b) => a * b, 1);
  const Ctor = CTOR[dtype];
  const need = count * Ctor.BYTES_PER_ELEMENT;
  if (bytes.length - dataStart < need) {
    throw new SimulateError(
      `${label}: shape (${shape}) needs ${need} data bytes, file has ${bytes.length - dataStart}`,
      'INPUT',
    );
  }
  const data = new Ctor(count);
  new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + need));
  return { dtype, shape, data };
}
