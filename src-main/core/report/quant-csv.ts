/** The quantization report as MLTK's CSV: exactly its 12 columns, in its order. */
import { layerErrorsCsv } from '../quantize/layer-error.ts';
import type { QuantizationReport } from './quant-types.ts';

export function quantCsv(r: QuantizationReport): string {
  return layerErrorsCsv(r.layers);
}
