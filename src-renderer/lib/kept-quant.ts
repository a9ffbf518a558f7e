/**
 * The model's last quantization report for the graph's rmse/scale overlay: the Quantize view's
 * result when this window made one, else the newest one the session's results keep for the model
 * (a quantize run is kept under the int8 model it made too, so the opened int8 model finds it).
 */
import type {
  QuantizationReport,
  QuantizeReportResult,
  QuantizeRunResult,
} from '../../src-main/shared/api.ts';
import { api } from './api-client.ts';

export interface KeptQuant {
  report: QuantizationReport;
  label: string;
}

/** What the History calls the result too. */
export function quantLabel(r: QuantizeRunResult | QuantizeReportResult): string {
  return 'bytes' in r
    ? ['quantized', r.report.method].filter(Boolean).join(' · ')
    : `report of ${r.report.model}`;
}

/** The newest kept quantization report of an opened model, or null. */
export async function keptQuant(modelId: string): Promise<KeptQuant | null> {
  const list = await api.results.list({ modelId });
  const entry = list.entries.find((e) => e.forModel && e.kind === 'quantization');
  if (!entry) return null;
  const r = await api.results.get({ id: entry.id });
  return r.kind === 'quantization' ? { report: r.quantization.report, label: entry.label } : null;
}
