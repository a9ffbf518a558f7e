/** Open a Keras model of either file format: legacy HDF5 (`.h5`) or the Keras 3 zip (`.keras`). */
import { isHdf5, readKerasH5 } from './h5.ts';
import { isZip, readKeras3 } from './keras3.ts';
import type { KerasModel } from './types.ts';

export function isKerasFile(bytes: Uint8Array): boolean {
  return isHdf5(bytes) || isZip(bytes);
}

export function readKeras(bytes: Uint8Array): Promise<KerasModel> {
  return isHdf5(bytes) ? readKerasH5(bytes) : readKeras3(bytes);
}
